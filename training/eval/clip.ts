/**
 * Held-out evaluation of a forge CLIP through the playground's own path: transformers.js's CLIP
 * towers, fp32 or with 8-bit weights (`--dtype q8`, written to eval-q8.json).
 *
 * Reports image→text top-1 over every full one-shape caption, over the short captions
 * "a {colour} {shape}", and over every two-shape relation caption.
 */
import { CLIPTextModelWithProjection, CLIPVisionModelWithProjection, Tensor } from '@huggingface/transformers';
import { captionText, spec, type Meaning } from '../../src/lib/shapes/index.ts';
import { cosineMatrix, argmaxRows } from '../../src/lib/contrastive/similarity.ts';
import {
  HELD_OUT_SEED, VARIANTS, captionGroups, heldOutScenes, loadPreprocessing, percent, pixelValues, topOneShare, type CaptionGroup,
} from './harness.ts';
import type { EvalFamily } from './family.ts';

export interface EvalReport {
  readonly count: number;
  readonly full: Record<string, number>;
  readonly short: Record<string, number>;
  readonly relation: Record<string, number>;
}

export type ClipDtype = 'fp32' | 'q8';

/** The CLIP towers through transformers.js: unnormalised embeddings of captions and of pixel batches. */
export async function clipTowers(modelDir: string, dtype: ClipDtype = 'fp32') {
  const { id, tokenizer, processor } = await loadPreprocessing(modelDir);
  const text = await CLIPTextModelWithProjection.from_pretrained(id, { device: 'cpu', dtype });
  const vision = await CLIPVisionModelWithProjection.from_pretrained(id, { device: 'cpu', dtype });
  return {
    processor,
    /** [captions, D] */
    async texts(list: readonly Meaning[]): Promise<Tensor> {
      return (await text(tokenizer(list.map((m) => captionText(m)), { padding: true, truncation: true }))).text_embeds as Tensor;
    },
    /** [count, D] */
    async images(pixels: Float32Array, count: number): Promise<Tensor> {
      return (await vision({ pixel_values: new Tensor('float32', pixels, [count, 3, spec.imageSize, spec.imageSize]) })).image_embeds as Tensor;
    },
  };
}

export async function evaluateClip(modelDir: string, count: number, dtype: ClipDtype = 'fp32'): Promise<EvalReport> {
  const towers = await clipTowers(modelDir, dtype);
  const report: EvalReport = { count, full: {}, short: {}, relation: {} };
  const { oneShape, twoShape } = heldOutScenes(count);
  for (const [name, candidates] of Object.entries(captionGroups) as [CaptionGroup, Meaning[]][]) {
    const texts = await towers.texts(candidates);
    const scenes = name === 'relation' ? twoShape : oneShape;
    for (const v of VARIANTS) {
      const images = await towers.images(await pixelValues(towers.processor, scenes, v), scenes.length);
      const picks = argmaxRows(cosineMatrix(images.data as Float32Array, scenes.length, texts.data as Float32Array, candidates.length, images.dims[1]));
      report[name][v.name] = topOneShare(name, picks, scenes);
    }
  }
  return report;
}

const dtypeOf = (flags: Readonly<Record<string, string>>) => flags.dtype as ClipDtype;

export const clip: EvalFamily<EvalReport> = {
  flags: { dtype: 'fp32' },
  check({ flags }) {
    if (flags.dtype !== 'fp32' && flags.dtype !== 'q8') throw new Error(`--dtype must be fp32 or q8, not ${flags.dtype}`);
  },
  evaluate: ({ modelDir, count, flags }) => evaluateClip(modelDir, count, dtypeOf(flags)),
  lines: (report, { count, flags }) => [
    `${flags.dtype}, held-out scenes: ${count} one-shape, ${count} two-shape (seeds from ${HELD_OUT_SEED})`,
    ['drawn as', 'full captions (216)', 'short captions (12)', 'relations (576)'].join(' | '),
    ...VARIANTS.map((v) => [v.name, percent(report.full[v.name]), percent(report.short[v.name]), percent(report.relation[v.name])].join(' | ')),
  ],
  file: ({ flags }) => (flags.dtype === 'fp32' ? 'eval.json' : `eval-${flags.dtype}.json`),
};
