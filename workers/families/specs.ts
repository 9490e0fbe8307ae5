/**
 * What differs between the dual-encoder families: the tower classes, the output that holds
 * the embedding, how captions are padded, and which loss the lab shows. Everything else is
 * shared (dual-encoder.ts).
 */
import {
  CLIPTextModelWithProjection, CLIPVisionModelWithProjection, JinaCLIPTextModel, JinaCLIPVisionModel,
  PreTrainedModel, SiglipTextModel, SiglipVisionModel,
} from '@huggingface/transformers';
import type { Family } from '../../src/lib/runtime/protocol';

type Loader = { from_pretrained(id: string, options: Record<string, unknown>): Promise<unknown> };

/**
 * One graph of a forge model (`onnx/<name>.onnx`, with the dtype's suffix) as an ONNX Runtime
 * session, through transformers.js's loader: the same download progress, cache, hub mirror,
 * device and dtype handling as the hub models, and a call that feeds the graph's inputs by
 * name and returns every named output.
 */
export function graph(name: string): Loader {
  return { from_pretrained: (id, options) => PreTrainedModel.from_pretrained(id, { ...options, model_file_name: name }) };
}

export interface FamilySpec {
  readonly family: Family;
  /** The text and image encoders, or null for a family that runs as one graph. */
  readonly text: Loader | null;
  readonly vision: Loader | null;
  /** Output names holding the text and image embeddings. */
  readonly textEmbeds: string;
  readonly imageEmbeds: string;
  /** SigLIP was trained on captions padded to the full window, and must be fed that way. */
  readonly padding: true | 'max_length';
  /**
   * Scale and bias a model starts training from, when nothing better is known; null for a
   * family with no image–text logit to scale (MaskVLM scores a pair with its ITM head).
   */
  readonly initialScale: ((config: Record<string, unknown>) => { scale: number; bias: number | null }) | null;
  /** Further graphs the family needs besides its two towers (Llip's cross-attention head). */
  readonly graphs?: Readonly<Record<string, Loader>>;
}

/** CLIP's starting temperature, from the config (1 / 0.07 when it says nothing). */
function fromConfigInit(config: Record<string, unknown>): { scale: number; bias: null } {
  return { scale: Math.exp(Number(config.logit_scale_init_value ?? Math.log(1 / 0.07))), bias: null };
}

const SPECS: Readonly<Record<Family, FamilySpec>> = Object.freeze({
  clip: {
    family: 'clip',
    text: CLIPTextModelWithProjection,
    vision: CLIPVisionModelWithProjection,
    textEmbeds: 'text_embeds',
    imageEmbeds: 'image_embeds',
    padding: true,
    initialScale: fromConfigInit,
  },
  siglip: {
    family: 'siglip',
    text: SiglipTextModel,
    vision: SiglipVisionModel,
    textEmbeds: 'pooler_output',
    imageEmbeds: 'pooler_output',
    padding: 'max_length',
    // The SigLIP paper initialises t' = log 10 and b = −10.
    initialScale: () => ({ scale: 10, bias: -10 }),
  },
  jina_clip: {
    family: 'jina_clip',
    text: JinaCLIPTextModel,
    vision: JinaCLIPVisionModel,
    textEmbeds: 'l2norm_text_embeddings',
    imageEmbeds: 'l2norm_image_embeddings',
    padding: true,
    initialScale: fromConfigInit,
  },
  llip: {
    family: 'llip',
    text: graph('text_model'),
    vision: graph('vision_model'),
    textEmbeds: 'text_embeds',
    imageEmbeds: 'mixture_tokens',
    padding: true,
    initialScale: fromConfigInit,
    graphs: { head: graph('head_model') },
  },
  coca: {
    family: 'coca',
    text: graph('text_model'),
    vision: graph('vision_model'),
    textEmbeds: 'text_embeds',
    imageEmbeds: 'image_embeds',
    padding: true,
    initialScale: fromConfigInit,
    graphs: { decoder: graph('decoder_model_merged') },
  },
  maskvlm: {
    family: 'maskvlm',
    text: null,
    vision: null,
    textEmbeds: 'text_embeds',
    imageEmbeds: 'image_embeds',
    padding: true,
    initialScale: null,
    graphs: { model: graph('model') },
  },
  // A decoder over words and image codes, loaded with its VQ image tokenizer (tokens.ts).
  cm3: {
    family: 'cm3',
    text: null,
    vision: null,
    textEmbeds: 'logits',
    imageEmbeds: 'codes',
    padding: true,
    initialScale: null,
  },
  // Loaded whole by AutoModelForVision2Seq (vlm.ts), not as towers.
  smolvlm: {
    family: 'smolvlm',
    text: null,
    vision: null,
    textEmbeds: 'inputs_embeds',
    imageEmbeds: 'image_features',
    padding: true,
    initialScale: null,
  },
});

/** The family of a config's `model_type`, or null when the playground cannot run it. */
export function familyOf(modelType: unknown): FamilySpec | null {
  switch (modelType) {
    case 'clip':
    case 'mobileclip':
      return SPECS.clip;
    case 'siglip':
      return SPECS.siglip;
    case 'jina_clip':
      return SPECS.jina_clip;
    case 'shapes_llip':
      return SPECS.llip;
    case 'shapes_coca':
      return SPECS.coca;
    case 'shapes_maskvlm':
      return SPECS.maskvlm;
    case 'idefics3':
    case 'smolvlm':
      return SPECS.smolvlm;
    case 'shapes_cm3':
      return SPECS.cm3;
    default:
      return null;
  }
}
