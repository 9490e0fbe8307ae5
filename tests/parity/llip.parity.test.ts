/**
 * The bundled Llip must reproduce the forge's PyTorch goldens: its tokenizer and image processor
 * through transformers.js, its three graphs (vision, text, cross-attention head) through
 * onnxruntime-node. MODEL_DIR points elsewhere for the forge's smoke run.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { AutoProcessor, AutoTokenizer, RawImage, env } from '@huggingface/transformers';

const modelDir = resolve(process.env.MODEL_DIR ?? 'static/models/shapes-llip');
const modelId = basename(modelDir);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = dirname(modelDir) + '/';

interface GoldenTensor { dims: number[]; data: number[] }
const goldens = JSON.parse(readFileSync(join(modelDir, 'goldens.json'), 'utf8')) as {
  inputs: { seeds: number[]; captions: string[]; input_ids: GoldenTensor; attention_mask: GoldenTensor; pixel_values: GoldenTensor };
  outputs: Record<string, GoldenTensor> & { logit_scale: number };
};
const config = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) as {
  model_type: string; num_mixture_tokens: number; cross_attention_heads: number; projection_dim: number;
};

/** Largest absolute difference, after checking both hold the same number of values. */
function worstDifference(actual: ArrayLike<number>, expected: GoldenTensor): number {
  expect(actual.length).toBe(expected.data.length);
  expect(actual.length).toBeGreaterThan(0);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(Number(actual[i]) - expected.data[i]));
  return worst;
}

function expectOutput(output: OrtTensor, expected: GoldenTensor, tolerance = 1e-4): void {
  expect(output.dims).toEqual(expected.dims);
  expect(worstDifference(output.data as Float32Array, expected)).toBeLessThan(tolerance);
}

const float = (t: GoldenTensor) => new OrtTensor('float32', Float32Array.from(t.data), t.dims);
const int64 = (t: GoldenTensor) => new OrtTensor('int64', BigInt64Array.from(t.data, (v) => BigInt(v)), t.dims);
const session = (name: string) => InferenceSession.create(join(modelDir, 'onnx', `${name}.onnx`));

describe(`bundled Llip (${modelId}) against the PyTorch goldens`, () => {
  let vision: InferenceSession;
  let text: InferenceSession;
  let head: InferenceSession;

  beforeAll(async () => {
    [vision, text, head] = await Promise.all([session('vision_model'), session('text_model'), session('head_model')]);
  });

  it('declares its own model type', () => {
    expect(config.model_type).toBe('shapes_llip');
  });

  it('tokenizes the captions as the forge did', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(modelId);
    const encoded = tokenizer(goldens.inputs.captions, { padding: true, truncation: true });
    expect(encoded.input_ids.dims).toEqual(goldens.inputs.input_ids.dims);
    expect(Array.from(encoded.input_ids.data as BigInt64Array, Number)).toEqual(goldens.inputs.input_ids.data);
    expect(Array.from(encoded.attention_mask.data as BigInt64Array, Number)).toEqual(goldens.inputs.attention_mask.data);
  });

  it('turns the sample pixels into the same pixel values', async () => {
    const processor = await AutoProcessor.from_pretrained(modelId);
    const [, , size] = goldens.inputs.pixel_values.dims;
    // Undo the forge's normalisation to recover image 0's 8-bit pixels, then run the real processor.
    const values = goldens.inputs.pixel_values.data;
    const plane = size * size;
    const pixels = new Uint8ClampedArray(3 * plane);
    for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) pixels[i * 3 + c] = Math.round((values[c * plane + i] * 0.5 + 0.5) * 255);
    const { pixel_values } = await processor(new RawImage(pixels, size, size, 3));
    expect(pixel_values.dims).toEqual([1, 3, size, size]);
    expect(worstDifference(pixel_values.data as Float32Array, { dims: [], data: values.slice(0, 3 * plane) })).toBeLessThan(1e-6);
  });

  it('vision graph: mixture tokens, hidden states and attention probabilities', async () => {
    const out = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) });
    expectOutput(out.mixture_tokens, goldens.outputs.mixture_tokens);
    expectOutput(out.last_hidden_state, goldens.outputs.vision_last_hidden_state);
    const first = goldens.outputs.vision_attentions_image0;
    const attentions = out.vision_attentions.data as Float32Array;
    expect(out.vision_attentions.dims.slice(1)).toEqual(first.dims.slice(1));
    expect(worstDifference(attentions.subarray(0, first.data.length), first)).toBeLessThan(1e-4);
  });

  it('text graph: embeddings, hidden states and attention probabilities', async () => {
    const out = await text.run({ input_ids: int64(goldens.inputs.input_ids), attention_mask: int64(goldens.inputs.attention_mask) });
    expectOutput(out.text_embeds, goldens.outputs.text_embeds);
    expectOutput(out.last_hidden_state, goldens.outputs.text_last_hidden_state);
    expectOutput(out.text_attentions, goldens.outputs.text_attentions);
  });

  it('head graph: mixture weights, contextual image embeddings, logits and logit scale', async () => {
    const out = await head.run({ mixture_tokens: float(goldens.outputs.mixture_tokens), text_embeds: float(goldens.outputs.text_embeds) });
    const scale = goldens.outputs.logit_scale;
    expect(Math.abs(Number(out.logit_scale.data[0]) - scale)).toBeLessThan(1e-4 * scale);
    expectOutput(out.mixture_weights, goldens.outputs.mixture_weights);
    expectOutput(out.image_embeds, goldens.outputs.image_embeds);
    expectOutput(out.logits_per_image, goldens.outputs.logits_per_image, 1e-4 * scale);
  });

  it("each caption's mixture weights over the K tokens sum to 1 in every head", async () => {
    const out = await head.run({ mixture_tokens: float(goldens.outputs.mixture_tokens), text_embeds: float(goldens.outputs.text_embeds) });
    const [images, captions, heads, tokens] = out.mixture_weights.dims;
    expect([images, captions, heads, tokens]).toEqual([
      goldens.inputs.pixel_values.dims[0], goldens.inputs.input_ids.dims[0], config.cross_attention_heads, config.num_mixture_tokens,
    ]);
    const weights = out.mixture_weights.data as Float32Array;
    const sums = Array.from({ length: images * captions * heads }, (_, g) => weights.subarray(g * tokens, (g + 1) * tokens).reduce((a, b) => a + b, 0));
    expect(Math.max(...sums.map((s) => Math.abs(s - 1)))).toBeLessThan(1e-5);
    expect(Math.min(...weights)).toBeGreaterThanOrEqual(0);
  });

  it('the three graphs chained reproduce the logits', async () => {
    const { mixture_tokens } = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) });
    const { text_embeds } = await text.run({ input_ids: int64(goldens.inputs.input_ids), attention_mask: int64(goldens.inputs.attention_mask) });
    const out = await head.run({ mixture_tokens, text_embeds });
    expectOutput(out.logits_per_image, goldens.outputs.logits_per_image, 1e-4 * goldens.outputs.logit_scale);
  });
});
