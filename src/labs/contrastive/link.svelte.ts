/**
 * The Contrastive lab in the link: the shared images and captions (which every lab's link
 * carries), and the lab's own model, matrix mode, logit scale and pairs.
 */
import { INPUT_FIELDS, type LinkedImage } from '../../lib/link/inputs';
import { LAB_FIELDS } from '../../lib/link/labs';
import type { StateOf } from '../../lib/link/fields';
import { BUNDLED_MODELS } from '../../lib/registry/bundled';
import { defaultDtype, downloadBytes, findHubModel, formatBytes } from '../../lib/registry/hub-models';
import type { LinkBinding } from '../../state/link.svelte';
import { ModelLink } from '../../state/modelLink.svelte';
import type { RuntimeState } from '../../state/runtime.svelte';
import type { ContrastiveLab, LabImage } from './lab.svelte';

function linkedImage(image: LabImage): LinkedImage | null {
  if (image.origin.kind === 'sample') return { kind: 'sample', seed: image.origin.index + 1 };
  if (image.origin.kind === 'composed') return { kind: 'composed', scene: image.origin.scene };
  return null;
}

/** The shared inputs: images (samples by seed, composed scenes by their shapes) and captions. */
export function inputsBinding(lab: ContrastiveLab): LinkBinding<typeof INPUT_FIELDS> {
  return {
    fields: INPUT_FIELDS,
    read: () => ({
      img: lab.images.map(linkedImage).filter((img): img is LinkedImage => img !== null),
      cap: lab.captions.map((c) => c.text),
    }),
    apply(state) {
      if (state.img) lab.restoreImages(state.img);
      if (state.cap) lab.restoreCaptions(state.cap);
    },
    note() {
      const uploads = lab.images.length - lab.linkable.length;
      if (uploads === 0) return null;
      return `${uploads === 1 ? 'An uploaded image is' : `${uploads} uploaded images are`} not in this link: uploads never leave this browser, so whoever opens it sees the other images only.`;
    },
  };
}

/** The position of an image among those a link carries, or null (an upload, or gone). */
export function linkedPosition(lab: ContrastiveLab, id: number | null | undefined): number | null {
  const at = lab.linkable.findIndex((img) => img.id === id);
  return at >= 0 ? at : null;
}

/** The image at a linked position, or null (the link had fewer images). */
export function imageAtPosition(lab: ContrastiveLab, position: number): LabImage | null {
  return lab.linkable[position] ?? null;
}

/** The dual encoders the Contrastive lab runs: bundled ones, curated hub ones (pinned), any hub repo. */
export function dualEncoderModels(runtime: RuntimeState): ModelLink {
  return new ModelLink(runtime, {
    bundled: BUNDLED_MODELS,
    hub(id, dtype) {
      const entry = findHubModel(id);
      if (!entry) return { dtype: dtype ?? 'q8' };
      const chosen = dtype ?? defaultDtype(entry, 'wasm', false);
      if (!entry.files[chosen]) return null;
      return { revision: entry.revision, bytes: downloadBytes(entry, chosen), dtype: chosen };
    },
    formatBytes,
  });
}

type Fields = (typeof LAB_FIELDS)['contrastive'];

export function contrastiveBinding(lab: ContrastiveLab, model: ModelLink): LinkBinding<Fields> {
  return {
    fields: LAB_FIELDS.contrastive,
    read(): StateOf<Fields> {
      const pair: { image: number; caption: number | null }[] = [];
      lab.linkable.forEach((img, k) => {
        if (!lab.pairOverrides.has(img.id)) return;
        const captionId = lab.pairOverrides.get(img.id)!;
        const caption = lab.captions.findIndex((c) => c.id === captionId);
        pair.push({ image: k, caption: caption >= 0 ? caption : null });
      });
      return { ...model.read(), mode: lab.mode, scale: lab.scaleOverride ?? 'learned', pair };
    },
    apply(state, report, all) {
      if (state.model !== undefined || state.dtype !== undefined) model.apply({ model: all.model, dtype: all.dtype }, report);
      if (state.mode) lab.mode = state.mode;
      if (state.scale !== undefined) lab.scaleOverride = state.scale === 'learned' ? null : state.scale;
      if (state.pair) {
        // Uploads are not in the link: their pairs stay.
        const overrides = new Map([...lab.pairOverrides].filter(([id]) => linkedPosition(lab, id) === null));
        for (const p of state.pair) {
          const image = lab.linkable[p.image];
          const caption = p.caption === null ? null : lab.captions[p.caption];
          if (!image || caption === undefined) {
            report(`pair=${p.image}-${p.caption ?? 'none'}: the link has no such image or caption, dropped.`);
            continue;
          }
          overrides.set(image.id, caption?.id ?? null);
        }
        lab.pairOverrides = overrides;
      }
    },
  };
}
