/** Models shipped with the app in static/models/<id>/: they work offline at first load. */
import type { Dtype, Family, ModelSource } from '../runtime/protocol';

export interface BundledModel {
  readonly id: string;
  readonly family: Family;
  readonly label: string;
  /** Precisions shipped in the folder, the first the default (q8: 8-bit weights, training/forge/quantize.py). */
  readonly dtypes: readonly Dtype[];
}

export const BUNDLED_MODELS: readonly BundledModel[] = Object.freeze([
  { id: 'shapes-clip', family: 'clip', label: 'shapes-clip · tiny CLIP on ShapesWorld (bundled)', dtypes: ['fp32', 'q8'] },
  { id: 'shapes-siglip', family: 'siglip', label: 'shapes-siglip · tiny SigLIP on ShapesWorld (bundled)', dtypes: ['fp32'] },
]);

export function findBundledModel(id: string): BundledModel | undefined {
  return BUNDLED_MODELS.find((m) => m.id === id);
}

/** The forge's Llip (static/models/shapes-llip): the Llip lab's model, not a dual encoder. */
export const BUNDLED_LLIP: ModelSource = Object.freeze({ id: 'shapes-llip', origin: 'bundled' });

/** The forge's MaskVLM (static/models/shapes-maskvlm): the Masking lab's model. */
export const BUNDLED_MASKVLM: ModelSource = Object.freeze({ id: 'shapes-maskvlm', origin: 'bundled' });

/** The forge's CoCa (static/models/shapes-coca): the Generative lab's model. */
export const BUNDLED_COCA: ModelSource = Object.freeze({ id: 'shapes-coca', origin: 'bundled' });

/** The forge's shapes-smolvlm after both stages (static/models/shapes-smolvlm): the Backbone lab's model. */
export const BUNDLED_SMOLVLM: ModelSource = Object.freeze({ id: 'shapes-smolvlm', origin: 'bundled' });

/** shapes-smolvlm after stage 1 only (the connector aligned on captions, the language model untouched). */
export const BUNDLED_SMOLVLM_STAGE1: ModelSource = Object.freeze({ id: 'shapes-smolvlm-stage1', origin: 'bundled' });

/** The forge's CM3leon-style shapes-cm3 (static/models/shapes-cm3), loaded with the VQ tokenizer its config names (shapes-vq): the Token lab's model. */
export const BUNDLED_CM3: ModelSource = Object.freeze({ id: 'shapes-cm3', origin: 'bundled' });
