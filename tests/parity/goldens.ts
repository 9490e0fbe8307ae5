/**
 * What every parity test shares: the model folder under test (MODEL_DIR, which the forge's smoke
 * run points at a freshly exported model, or the shipped one), the forge's PyTorch goldens, and
 * the comparisons of our outputs against them.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { expect } from 'vitest';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { RawImage, Tensor, env, type AutoProcessor } from '@huggingface/transformers';

/** A tensor as the forge writes it to goldens.json: row-major values and their dims. */
export interface GoldenTensor { dims: number[]; data: number[] }

/** The inputs every forge model's goldens hold: the sample images' seeds and pixels, the captions. */
export interface GoldenInputs {
  seeds: number[];
  captions: string[];
  input_ids: GoldenTensor;
  attention_mask?: GoldenTensor;
  pixel_values: GoldenTensor;
}

/**
 * The model folder the tests run: MODEL_DIR when set, else the shipped `shipped`; transformers.js
 * loads it from its parent folder with remote loading off, as the playground loads bundled models.
 */
export function modelUnderTest(shipped: string): { modelDir: string; modelId: string } {
  const modelDir = resolve(process.env.MODEL_DIR ?? shipped);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(modelDir) + '/';
  return { modelDir, modelId: basename(modelDir) };
}

/** A JSON file of the model folder (goldens.json, config.json, tokenizer.json), typed by the caller. */
export function readModelJson<T>(modelDir: string, name: string): T {
  return JSON.parse(readFileSync(join(modelDir, name), 'utf8')) as T;
}

/** One of the model's graphs (onnx/<name>.onnx) on onnxruntime-node. */
export const onnxSession = (modelDir: string, name: string) => InferenceSession.create(join(modelDir, 'onnx', `${name}.onnx`));

/** A golden as an onnxruntime-node float32 tensor. */
export const floatTensor = (t: GoldenTensor) => new OrtTensor('float32', Float32Array.from(t.data), t.dims);
/** A golden as a transformers.js float32 tensor, for its model classes. */
export const transformersTensor = (t: GoldenTensor) => new Tensor('float32', Float32Array.from(t.data), t.dims);
/** A golden as an onnxruntime-node int64 tensor (token ids, masks). */
export const int64Tensor = (t: GoldenTensor) => new OrtTensor('int64', BigInt64Array.from(t.data, (v) => BigInt(v)), t.dims);

/**
 * Largest absolute difference, after checking both hold the same, non-zero number of values
 * (so a comparison of two empty tensors cannot pass).
 */
export function worstDifference(actual: ArrayLike<number>, expected: GoldenTensor | ArrayLike<number>): number {
  const values = 'data' in expected && 'dims' in expected ? expected.data : expected;
  expect(actual.length).toBe(values.length);
  expect(actual.length).toBeGreaterThan(0);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(Number(actual[i]) - Number(values[i])));
  return worst;
}

/** Every value within `tolerance` of the golden's. */
export function expectClose(actual: ArrayLike<number>, expected: GoldenTensor | ArrayLike<number>, tolerance = 1e-4, name?: string): void {
  expect(worstDifference(actual, expected), name).toBeLessThan(tolerance);
}

/** A graph output: the golden's dims, and every value within `tolerance`. */
export function expectOutput(output: OrtTensor, expected: GoldenTensor, tolerance = 1e-4): void {
  expect(output.dims).toEqual(expected.dims);
  expectClose(output.data as Float32Array, expected, tolerance);
}

/** Item 0 of a batched output against a golden kept for item 0 only ([1, ...]). */
export function expectFirstItem(output: OrtTensor, expected: GoldenTensor, tolerance = 1e-4): void {
  expect(output.dims.slice(1)).toEqual(expected.dims.slice(1));
  expect(expected.dims[0]).toBe(1);
  expectClose((output.data as Float32Array).subarray(0, expected.data.length), expected, tolerance);
}

/** Logits are compared relative to their largest magnitude (at least 1): 1e-4 of it. */
export function logitTolerance(values: ArrayLike<number>): number {
  let largest = 1;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  return 1e-4 * largest;
}

/**
 * Golden image `k`'s 8-bit RGB pixels (interleaved, [S, S, 3]), recovered exactly by undoing the
 * forge's normalisation ((x / 255 − 0.5) / 0.5) of pixel_values [images, 3, S, S].
 */
export function goldenImagePixels(pixelValues: GoldenTensor, k: number): { size: number; pixels: Uint8ClampedArray; values: number[] } {
  const size = pixelValues.dims[2];
  const plane = size * size;
  const values = pixelValues.data.slice(k * 3 * plane, (k + 1) * 3 * plane);
  const pixels = new Uint8ClampedArray(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) pixels[i * 3 + c] = Math.round((values[c * plane + i] * 0.5 + 0.5) * 255);
  return { size, pixels, values };
}

type Processor = Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>;

/** The model's image processor turns golden image `k`'s pixels into the forge's pixel values (within 1e-6). */
export async function expectForgePixelValues(processor: Processor, pixelValues: GoldenTensor, k = 0): Promise<void> {
  const { size, pixels, values } = goldenImagePixels(pixelValues, k);
  const { pixel_values } = await processor(new RawImage(pixels, size, size, 3));
  expect(pixel_values.dims).toEqual([1, 3, size, size]);
  expectClose(pixel_values.data as Float32Array, values, 1e-6);
}

/**
 * The tokenizer's output is the forge's: the same dims and ids and, unless `mask` is false (a
 * model fed without one, as SigLIP), the same attention mask.
 */
export function expectForgeTokens(encoded: { input_ids: Tensor; attention_mask: Tensor }, inputs: GoldenInputs, { mask = true } = {}): void {
  const ids = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);
  expect(encoded.input_ids.dims).toEqual(inputs.input_ids.dims);
  expect(ids(encoded.input_ids)).toEqual(inputs.input_ids.data);
  if (!mask) return;
  expect(inputs.attention_mask).toBeDefined();
  expect(ids(encoded.attention_mask)).toEqual(inputs.attention_mask!.data);
}
