/**
 * The Probe lab's caption likelihood against PyTorch: the worker's task (`runCaptionLikelihood`:
 * the app's image path, shapes-coca's tokenizer, one teacher-forced pass of the cached decoder
 * over every pair, padded at the end) gives each golden caption's mean log-probability per token
 * given its golden image as the forge's exported decoder logits give it. MODEL_DIR points
 * elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device, PixelsInput, TaskResult } from '../../src/lib/runtime/protocol.ts';
import { loadDualEncoder, type LoadedModel } from '../../workers/families/dual-encoder.ts';
import { runCaptionLikelihood } from '../../workers/families/probe-tasks.ts';
import { goldenImagePixels, modelUnderTest, readModelJson, type GoldenTensor } from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-coca');
const goldens = readModelJson<{
  inputs: { captions: string[]; input_ids: GoldenTensor; attention_mask: GoldenTensor; pixel_values: GoldenTensor };
  outputs: { logits: GoldenTensor };
}>(modelDir, 'goldens.json');

/** PyTorch's mean log-probability per token of caption k (every real token after the start token). */
function goldenMeanLogProb(k: number): number {
  const [, length, vocabulary] = goldens.outputs.logits.dims;
  const ids = goldens.inputs.input_ids.data.slice(k * length, (k + 1) * length);
  const real = goldens.inputs.attention_mask.data.slice(k * length, (k + 1) * length).reduce((n, v) => n + v, 0);
  let sum = 0;
  for (let p = 0; p < real - 1; p++) {
    const row = goldens.outputs.logits.data.slice((k * length + p) * vocabulary, (k * length + p + 1) * vocabulary);
    const max = Math.max(...row);
    const log = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    sum += row[ids[p + 1]] - max - log;
  }
  return sum / (real - 1);
}

describe('shapes-coca caption likelihood: the worker task against PyTorch', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadDualEncoder({ source: { id: modelId, origin: 'bundled' }, device: 'cpu' as Device, dtype: 'fp32', threads: 1, families: ['coca'] }, () => undefined);
  });

  it("gives every golden caption's mean log-probability given its image, all pairs in one pass", async () => {
    const captions = goldens.inputs.captions;
    const images: PixelsInput[] = captions.map((_, k) => {
      const { size, pixels } = goldenImagePixels(goldens.inputs.pixel_values, k);
      return { kind: 'pixels', width: size, height: size, channels: 3, data: pixels };
    });
    // The true pairs, and each caption against the next image too (their rows pad the batch differently).
    const pairs = captions.flatMap((_, k) => [[k, k], [(k + 1) % captions.length, k]] as [number, number][]);
    const { result } = await runCaptionLikelihood(model, { images, texts: captions, pairs });
    const { meanLogProb, tokens } = result as Extract<TaskResult, { kind: 'caption-likelihood' }>;
    expect(meanLogProb).toHaveLength(pairs.length);
    captions.forEach((_, k) => {
      expect(Math.abs(meanLogProb[2 * k] - goldenMeanLogProb(k)), captions[k]).toBeLessThan(1e-4);
      expect(tokens[2 * k]).toBe(goldens.inputs.attention_mask.data.slice(k * 10, k * 10 + 10).reduce((n, v) => n + v, 0) - 1);
    });
    // A pair's score does not depend on the batch it was read in (padding after a caption changes nothing before it).
    for (const k of [0, 5, 7]) {
      const alone = await runCaptionLikelihood(model, { images, texts: captions, pairs: [pairs[2 * k + 1]] });
      const value = (alone.result as Extract<TaskResult, { kind: 'caption-likelihood' }>).meanLogProb[0];
      expect(Math.abs(value - meanLogProb[2 * k + 1])).toBeLessThan(1e-5);
    }
  });
});
