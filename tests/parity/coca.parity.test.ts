/**
 * The bundled CoCa must reproduce the forge's PyTorch goldens: its tokenizer and image processor
 * through transformers.js, its three graphs (vision, text, decoder) through onnxruntime-node, and
 * its greedy captions decoded in TypeScript through the decoder's key/value cache
 * (decoder_model_merged, whose step-by-step parity is in coca-cached.parity.test.ts). MODEL_DIR
 * points elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { AutoProcessor, AutoTokenizer } from '@huggingface/transformers';
import { greedyOptions, readConfig } from '../../training/eval/coca.ts';
import { greedyCaptions, sessionGraph } from '../../src/lib/generation/cached-decoder.ts';
import {
  expectForgePixelValues, expectForgeTokens, expectFirstItem, expectOutput, floatTensor as float, int64Tensor as int64, logitTolerance,
  modelUnderTest, onnxSession, readModelJson, type GoldenInputs, type GoldenTensor,
} from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-coca');
const goldens = readModelJson<{
  inputs: GoldenInputs & { attention_mask: GoldenTensor };
  outputs: Record<string, GoldenTensor> & { logit_scale: number };
  greedy: { max_length: number; bos_token_id: number; eos_token_id: number; ids: number[][]; text: string[] };
}>(modelDir, 'goldens.json');
const config = readConfig(modelDir);
const session = (name: string) => onnxSession(modelDir, name);

describe(`bundled CoCa (${modelId}) against the PyTorch goldens`, () => {
  let vision: InferenceSession;
  let text: InferenceSession;
  let decoder: InferenceSession;
  const images = goldens.inputs.pixel_values.dims[0];
  const patches = config.vision_config.num_patches;

  beforeAll(async () => {
    [vision, text, decoder] = await Promise.all([session('vision_model'), session('text_model'), session('decoder_model')]);
  });

  it('declares its own model type and the stopping rule the goldens used', () => {
    expect(config.model_type).toBe('shapes_coca');
    const { bos, eos, maxLength } = greedyOptions(config);
    expect({ bos, eos, maxLength }).toEqual({ bos: goldens.greedy.bos_token_id, eos: goldens.greedy.eos_token_id, maxLength: goldens.greedy.max_length });
  });

  it('tokenizes the captions as the forge did', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(modelId);
    expectForgeTokens(tokenizer(goldens.inputs.captions, { padding: true, truncation: true }), goldens.inputs);
    // And turns the golden greedy ids back into the golden caption texts.
    expect(goldens.greedy.ids.map((ids) => tokenizer.decode(ids, { skip_special_tokens: true }))).toEqual(goldens.greedy.text);
  });

  it('turns the sample pixels into the same pixel values', async () => {
    // Undo the forge's normalisation to recover image 0's 8-bit pixels, then run the real processor.
    await expectForgePixelValues(await AutoProcessor.from_pretrained(modelId), goldens.inputs.pixel_values);
  });

  it('vision graph: image tokens, contrastive embeddings and attention probabilities', async () => {
    const out = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) });
    expect(out.image_tokens.dims).toEqual([images, patches, config.vision_config.hidden_size]);
    expectOutput(out.image_tokens, goldens.outputs.image_tokens);
    expectOutput(out.image_embeds, goldens.outputs.image_embeds);
    const v = config.vision_config;
    expect(out.vision_attentions.dims).toEqual([images, v.num_hidden_layers, v.num_attention_heads, patches, patches]);
    expectFirstItem(out.vision_attentions, goldens.outputs.vision_attentions_image0);
  });

  it('text graph: contrastive embeddings and logit scale', async () => {
    const out = await text.run({ input_ids: int64(goldens.inputs.input_ids), attention_mask: int64(goldens.inputs.attention_mask) });
    expectOutput(out.text_embeds, goldens.outputs.text_embeds);
    const scale = goldens.outputs.logit_scale;
    expect(Math.abs(Number(out.logit_scale.data[0]) - scale)).toBeLessThan(1e-4 * scale);
  });

  it("text graph: a caption's embedding does not depend on the padding after it", async () => {
    const [, width] = goldens.inputs.input_ids.dims;
    const length = goldens.inputs.attention_mask.data.slice(0, width).reduce((a, b) => a + b, 0);
    expect(length).toBeLessThan(width); // caption 0 is padded in the goldens' batch
    const ids = goldens.inputs.input_ids.data.slice(0, length);
    const out = await text.run({
      input_ids: int64({ dims: [1, length], data: ids }),
      attention_mask: int64({ dims: [1, length], data: ids.map(() => 1) }),
    });
    const dim = goldens.outputs.text_embeds.dims[1];
    expectOutput(out.text_embeds, { dims: [1, dim], data: goldens.outputs.text_embeds.data.slice(0, dim) });
  });

  it('decoder graph: next-token logits, cross- and self-attention probabilities', async () => {
    const image = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) });
    const out = await decoder.run({
      input_ids: int64(goldens.inputs.input_ids), attention_mask: int64(goldens.inputs.attention_mask), image_tokens: image.image_tokens,
    });
    const logits = goldens.outputs.logits;
    expectOutput(out.logits, logits, logitTolerance(logits.data));
    const [batch, length] = goldens.inputs.input_ids.dims;
    const t = config.text_config;
    expect(out.logits.dims).toEqual([batch, length, t.vocab_size]);
    expect(out.cross_attentions.dims).toEqual([batch, t.multimodal_layers, t.num_attention_heads, length, patches]);
    expect(out.self_attentions.dims).toEqual([batch, t.unimodal_layers + t.multimodal_layers, t.num_attention_heads, length, length]);
    expectFirstItem(out.cross_attentions, goldens.outputs.cross_attentions_item0);
    expectFirstItem(out.self_attentions, goldens.outputs.self_attentions_item0);
  });

  it('decoder graph: every cross-attention row is a distribution over the patches', async () => {
    const image = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) });
    const { cross_attentions } = await decoder.run({
      input_ids: int64(goldens.inputs.input_ids), attention_mask: int64(goldens.inputs.attention_mask), image_tokens: image.image_tokens,
    });
    const values = cross_attentions.data as Float32Array;
    const rows = values.length / patches;
    expect(rows).toBe(cross_attentions.dims.slice(0, 4).reduce((a, b) => a * b, 1));
    let worst = 0;
    for (let r = 0; r < rows; r++) worst = Math.max(worst, Math.abs(values.subarray(r * patches, (r + 1) * patches).reduce((a, b) => a + b, 0) - 1));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
  });

  it('greedy decoding in TypeScript reproduces the golden captions exactly', async () => {
    const { bos_token_id: bos, eos_token_id: eos, max_length: maxLength } = goldens.greedy;
    expect(goldens.greedy.ids).toHaveLength(images);
    for (const ids of goldens.greedy.ids) {
      // The golden obeys the stopping rule: BOS first, EOS nowhere but last, and it ends at EOS or at maxLength tokens.
      expect(ids[0]).toBe(bos);
      expect(ids.length).toBeLessThanOrEqual(maxLength);
      expect(ids.slice(0, -1)).not.toContain(eos);
      expect(ids.at(-1) === eos || ids.length === maxLength).toBe(true);
    }
    const { image_tokens } = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) }, ['image_tokens']);
    const captions = await greedyCaptions(sessionGraph(await session('decoder_model_merged'), OrtTensor), { image_tokens }, images, greedyOptions(config));
    expect(captions).toEqual(goldens.greedy.ids);
  });

  it('greedy decoding stops at the maximum length when no EOS comes', async () => {
    const { image_tokens } = await vision.run({ pixel_values: float(goldens.inputs.pixel_values) }, ['image_tokens']);
    // An EOS id outside the vocabulary can never be chosen: every caption must run to maxLength,
    // agreeing with the golden captions as far as those go.
    const captions = await greedyCaptions(sessionGraph(await session('decoder_model_merged'), OrtTensor), { image_tokens }, images, { ...greedyOptions(config), eos: -1, maxLength: 5 });
    expect(captions.map((c) => c.length)).toEqual(new Array(images).fill(5));
    expect(captions.map((c, i) => c.slice(0, goldens.greedy.ids[i].length))).toEqual(goldens.greedy.ids.map((g) => g.slice(0, 5)));
  });
});
