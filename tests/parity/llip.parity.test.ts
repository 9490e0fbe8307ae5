/**
 * The bundled Llip must reproduce the forge's PyTorch goldens: its tokenizer and image processor
 * through transformers.js, its three graphs (vision, text, cross-attention head) through
 * onnxruntime-node. MODEL_DIR points elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { InferenceSession } from 'onnxruntime-node';
import { AutoProcessor, AutoTokenizer } from '@huggingface/transformers';
import {
  expectClose, expectForgePixelValues, expectForgeTokens, expectOutput, floatTensor as float, int64Tensor as int64, modelUnderTest, onnxSession,
  readModelJson, type GoldenInputs, type GoldenTensor,
} from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-llip');
const goldens = readModelJson<{
  inputs: GoldenInputs & { attention_mask: GoldenTensor };
  outputs: Record<string, GoldenTensor> & { logit_scale: number };
}>(modelDir, 'goldens.json');
const config = readModelJson<{
  model_type: string; num_mixture_tokens: number; cross_attention_heads: number; projection_dim: number;
}>(modelDir, 'config.json');
const session = (name: string) => onnxSession(modelDir, name);

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
    expectForgeTokens(tokenizer(goldens.inputs.captions, { padding: true, truncation: true }), goldens.inputs);
  });

  it('turns the sample pixels into the same pixel values', async () => {
    // Undo the forge's normalisation to recover image 0's 8-bit pixels, then run the real processor.
    await expectForgePixelValues(await AutoProcessor.from_pretrained(modelId), goldens.inputs.pixel_values);
  });

  it('vision graph: mixture tokens, hidden states and attention probabilities', async () => {
    const out = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) });
    expectOutput(out.mixture_tokens, goldens.outputs.mixture_tokens);
    expectOutput(out.last_hidden_state, goldens.outputs.vision_last_hidden_state);
    const first = goldens.outputs.vision_attentions_image0;
    const attentions = out.vision_attentions.data as Float32Array;
    expect(out.vision_attentions.dims.slice(1)).toEqual(first.dims.slice(1));
    expectClose(attentions.subarray(0, first.data.length), first);
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
