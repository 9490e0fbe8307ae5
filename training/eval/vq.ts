/**
 * Held-out evaluation of the VQ tokenizer (shapes-vq): one-shape scenes from HELD_OUT_SEED, drawn at
 * the model's size (32 px, antialiased) through the app's image path, encoded to codes and decoded.
 *
 * Measures:
 *   mse, maeLevels   reconstruction error in pixel values (-1 … 1) and in 8-bit levels
 *   codesUsed, dead  how many of the K codes the held-out scenes use, and how many none does
 *   perplexity       exp of the entropy of the code histogram (K if every code were used equally)
 *   clipOriginal, clipReconstruction
 *                    the eye substitute: shapes-clip's image → text top-1 over the 216 full
 *                    captions is the scene's own caption, on the original and on its reconstruction
 *   colour, shape    shapes-clip's top-1 caption on the reconstruction names the scene's colour / shape
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { captionText, fullCaption, spec } from '../../src/lib/shapes/index.ts';
import { argmaxRows, cosineMatrix } from '../../src/lib/contrastive/similarity.ts';
import { HELD_OUT_SEED, VARIANTS, captionGroups, heldOutScenes, int64, loadPreprocessing, onnxSession, percent, pixelValues, topOneShare } from './harness.ts';
import type { EvalFamily } from './family.ts';

export interface VqConfig { readonly model_type: string; readonly grid: number; readonly codebook_size: number; readonly code_dim: number }

export interface VqEvalReport {
  readonly count: number;
  readonly variant: string;
  readonly codebookSize: number;
  readonly grid: number;
  readonly mse: number;
  readonly maeLevels: number;
  readonly codesUsed: number;
  readonly dead: number;
  readonly perplexity: number;
  readonly clipOriginal: number;
  readonly clipReconstruction: number;
  readonly colour: number;
  readonly shape: number;
  /** How many held-out cells use each code. */
  readonly usage: number[];
}

/** shapes-clip's top-1 among the 216 full captions for a batch of pixel values. */
async function clipPicks(clipDir: string, pixels: Float32Array, count: number): Promise<number[]> {
  const { tokenizer } = await loadPreprocessing(clipDir);
  const [vision, text] = await Promise.all([onnxSession(clipDir, 'vision_model'), onnxSession(clipDir, 'text_model')]);
  const encoded = tokenizer(captionGroups.full.map((m) => captionText(m)), { padding: true, truncation: true });
  const { text_embeds } = await text.run({ input_ids: int64(encoded.input_ids), attention_mask: int64(encoded.attention_mask) }, ['text_embeds']);
  const size = spec.imageSize;
  const { image_embeds } = await vision.run({ pixel_values: new OrtTensor('float32', pixels, [count, 3, size, size]) }, ['image_embeds']);
  const dim = text_embeds.dims[1];
  return argmaxRows(cosineMatrix(image_embeds.data as Float32Array, count, text_embeds.data as Float32Array, captionGroups.full.length, dim));
}

export async function evaluateVq(modelDir: string, clipDir: string, count: number): Promise<VqEvalReport> {
  const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as VqConfig;
  const { processor } = await loadPreprocessing(clipDir);
  const [encoder, decoder] = await Promise.all([onnxSession(modelDir, 'vq_encoder'), onnxSession(modelDir, 'vq_decoder')]);
  const { oneShape: scenes } = heldOutScenes(count);
  const variant = VARIANTS[0];
  const size = spec.imageSize;
  const pixels = await pixelValues(processor, scenes, variant);
  const { codes } = await encoder.run({ pixel_values: new OrtTensor('float32', pixels, [count, 3, size, size]) }, ['codes']);
  const decoded = (await decoder.run({ codes }, ['pixel_values'])).pixel_values.data as Float32Array;
  // The decoder's pixels clamped to what an image can hold, as the app shows them.
  const reconstruction = decoded.map((v) => Math.min(1, Math.max(-1, v)));

  let squared = 0;
  let absolute = 0;
  reconstruction.forEach((v, i) => {
    squared += (v - pixels[i]) ** 2;
    absolute += Math.abs(v - pixels[i]);
  });
  const usage = new Array<number>(config.codebook_size).fill(0);
  for (const c of codes.data as BigInt64Array) usage[Number(c)]++;
  const cells = codes.data.length;
  const entropy = usage.reduce((h, n) => (n ? h - (n / cells) * Math.log(n / cells) : h), 0);

  const original = await clipPicks(clipDir, pixels, count);
  const rebuilt = await clipPicks(clipDir, reconstruction, count);
  const truths = scenes.map((scene) => fullCaption(scene));
  const named = (slot: 'colour' | 'shape') => rebuilt.filter((j, i) => captionGroups.full[j].slots[slot] === truths[i].slots[slot]).length / count;
  return {
    count, variant: variant.name, codebookSize: config.codebook_size, grid: config.grid,
    mse: squared / pixels.length, maeLevels: (absolute / pixels.length) * 127.5,
    codesUsed: usage.filter((n) => n > 0).length, dead: usage.filter((n) => n === 0).length, perplexity: Math.exp(entropy),
    clipOriginal: topOneShare('full', original, scenes), clipReconstruction: topOneShare('full', rebuilt, scenes),
    colour: named('colour'), shape: named('shape'), usage,
  };
}

export const vq: EvalFamily<VqEvalReport> = {
  flags: { clip: 'static/models/shapes-clip' },
  evaluate: ({ modelDir, count, flags }) => evaluateVq(modelDir, flags.clip, count),
  lines: (r) => [
    `held-out one-shape scenes: ${r.count} (seeds from ${HELD_OUT_SEED}), drawn ${r.variant}; K = ${r.codebookSize} codes over ${r.grid} × ${r.grid}`,
    `reconstruction: mse ${r.mse.toFixed(4)} (pixel values), mean absolute error ${r.maeLevels.toFixed(2)} of 255 levels`,
    `codebook: ${r.codesUsed} codes used, ${r.dead} dead, perplexity ${r.perplexity.toFixed(1)}`,
    `shapes-clip top-1 (216 full captions): original ${percent(r.clipOriginal)} | reconstruction ${percent(r.clipReconstruction)} | colour ${percent(r.colour)} | shape ${percent(r.shape)}`,
  ],
};
