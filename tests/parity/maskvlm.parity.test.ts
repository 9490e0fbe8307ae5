/**
 * The bundled MaskVLM must reproduce the forge's PyTorch goldens: its tokenizer and image
 * processor through transformers.js, its one graph through onnxruntime-node. MODEL_DIR points
 * elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { AutoProcessor, AutoTokenizer } from '@huggingface/transformers';
import {
  expectForgePixelValues, expectForgeTokens, floatTensor as float, int64Tensor as int64, logitTolerance, modelUnderTest, onnxSession, readModelJson,
  worstDifference, type GoldenInputs, type GoldenTensor,
} from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-maskvlm');
type InputName = 'pixel_values' | 'patch_mask' | 'input_ids' | 'attention_mask' | 'token_mask';
const goldens = readModelJson<{
  inputs: GoldenInputs & Record<InputName, GoldenTensor>;
  outputs: Record<string, GoldenTensor>;
}>(modelDir, 'goldens.json');
const config = readModelJson<{
  model_type: string; architectures: string[]; num_patches: number; patch_values: number; vocab_size: number;
  cross_layers: number; cross_heads: number; projection_dim: number;
  vision_config: { num_hidden_layers: number; num_attention_heads: number };
  text_config: { num_hidden_layers: number; num_attention_heads: number };
}>(modelDir, 'config.json');

const OUTPUTS = [
  'reconstructed_patches', 'word_logits', 'image_to_text_attentions', 'text_to_image_attentions',
  'itm_probability', 'image_embeds', 'text_embeds', 'vision_attentions', 'text_attentions',
];

const goldenFeeds = () => ({
  pixel_values: float(goldens.inputs.pixel_values),
  patch_mask: float(goldens.inputs.patch_mask),
  input_ids: int64(goldens.inputs.input_ids),
  attention_mask: int64(goldens.inputs.attention_mask),
  token_mask: int64(goldens.inputs.token_mask),
});

/** Pair `b` of the golden inputs alone, its caption cut to its own length (no padding). */
function pairFeeds(b: number) {
  const { pixel_values: pv, patch_mask: pm, input_ids: ids, attention_mask: am, token_mask: tm } = goldens.inputs;
  const width = ids.dims[1];
  const length = am.data.slice(b * width, (b + 1) * width).reduce((s, v) => s + v, 0);
  const row = (t: GoldenTensor) => t.data.slice(b * width, b * width + length);
  const image = pv.data.length / pv.dims[0];
  return {
    pixel_values: new OrtTensor('float32', Float32Array.from(pv.data.slice(b * image, (b + 1) * image)), [1, ...pv.dims.slice(1)]),
    patch_mask: new OrtTensor('float32', Float32Array.from(pm.data.slice(b * pm.dims[1], (b + 1) * pm.dims[1])), [1, pm.dims[1]]),
    input_ids: new OrtTensor('int64', BigInt64Array.from(row(ids), BigInt), [1, length]),
    attention_mask: new OrtTensor('int64', BigInt64Array.from(row(am), BigInt), [1, length]),
    token_mask: new OrtTensor('int64', BigInt64Array.from(row(tm), BigInt), [1, length]),
  };
}

/** Largest |sum - 1| over the rows of a probability tensor whose last axis is the row. */
function worstRowSum(t: OrtTensor): number {
  const data = t.data as Float32Array;
  const width = t.dims[t.dims.length - 1];
  let worst = 0;
  for (let r = 0; r < data.length / width; r++) {
    let sum = 0;
    for (let k = 0; k < width; k++) sum += data[r * width + k];
    worst = Math.max(worst, Math.abs(sum - 1));
  }
  return worst;
}

/**
 * Largest |sum - 1| over the rows of a [B, layers, heads, queries, keys] probability tensor, summing
 * only the keys `counts(b, k)` allows; also returns how many rows it summed, so a check on an empty
 * tensor cannot pass.
 */
function worstMaskedRowSum(t: OrtTensor, counts: (b: number, k: number) => boolean): { worst: number; rows: number } {
  const data = t.data as Float32Array;
  const [batch, layers, heads, queries, keys] = t.dims;
  const perPair = layers * heads * queries;
  let worst = 0;
  let rows = 0;
  for (let b = 0; b < batch; b++) for (let r = 0; r < perPair; r++) {
    let sum = 0;
    for (let k = 0; k < keys; k++) if (counts(b, k)) sum += data[(b * perPair + r) * keys + k];
    worst = Math.max(worst, Math.abs(sum - 1));
    rows++;
  }
  return { worst, rows };
}

describe(`bundled MaskVLM (${modelId}) against the PyTorch goldens`, () => {
  let session: InferenceSession;
  let out: Record<string, OrtTensor>;

  beforeAll(async () => {
    session = await onnxSession(modelDir, 'model');
    out = (await session.run(goldenFeeds())) as Record<string, OrtTensor>;
  });

  it('declares its own model type and the graph its inputs and outputs', () => {
    expect(config.model_type).toBe('shapes_maskvlm');
    expect(config.architectures).toEqual(['ShapesMaskVLMModel']);
    expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids', 'patch_mask', 'pixel_values', 'token_mask']);
    expect([...session.outputNames].sort()).toEqual([...OUTPUTS].sort());
  });

  it('tokenizes the captions as the forge did', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(modelId);
    expectForgeTokens(tokenizer(goldens.inputs.captions, { padding: true, truncation: true }), goldens.inputs);
  });

  it('turns the sample pixels into the same pixel values', async () => {
    // Undo the forge's normalisation to recover image 0's 8-bit pixels, then run the real processor.
    await expectForgePixelValues(await AutoProcessor.from_pretrained(modelId), goldens.inputs.pixel_values);
  });

  it('reproduces every golden output (logits within 1e-4 of their largest magnitude)', () => {
    const [pairs, length] = goldens.inputs.input_ids.dims;
    const shapes: Record<string, number[]> = {
      reconstructed_patches: [pairs, config.num_patches, config.patch_values],
      word_logits: [pairs, length, config.vocab_size],
      itm_probability: [pairs],
      image_embeds: [pairs, config.projection_dim],
      text_embeds: [pairs, config.projection_dim],
    };
    for (const [name, dims] of Object.entries(shapes)) {
      const golden = goldens.outputs[name];
      expect(out[name].dims, name).toEqual(dims);
      expect(golden.dims, name).toEqual(dims);
      const tolerance = name === 'word_logits' ? logitTolerance(golden.data) : 1e-4;
      expect(worstDifference(out[name].data as Float32Array, golden.data), name).toBeLessThan(tolerance);
    }
  });

  it('reproduces pair 0 cross-attention probabilities, in both directions', () => {
    const [pairs, length] = goldens.inputs.input_ids.dims;
    const layout = {
      image_to_text_attentions: [pairs, config.cross_layers, config.cross_heads, config.num_patches, length],
      text_to_image_attentions: [pairs, config.cross_layers, config.cross_heads, length, config.num_patches],
    };
    for (const [name, dims] of Object.entries(layout)) {
      const golden = goldens.outputs[`${name}_pair0`];
      expect(out[name].dims, name).toEqual(dims);
      expect(golden.dims, name).toEqual([1, ...dims.slice(1)]);
      const first = (out[name].data as Float32Array).subarray(0, golden.data.length);
      expect(worstDifference(first, golden.data), name).toBeLessThan(1e-4);
    }
  });

  it('reproduces pair 0 self-attention probabilities of the image and text encoders', () => {
    const [pairs, length] = goldens.inputs.input_ids.dims;
    const tokens = config.num_patches + 1; // the class token, then the patches
    const layout = {
      vision_attentions: [pairs, config.vision_config.num_hidden_layers, config.vision_config.num_attention_heads, tokens, tokens],
      text_attentions: [pairs, config.text_config.num_hidden_layers, config.text_config.num_attention_heads, length, length],
    };
    for (const [name, dims] of Object.entries(layout)) {
      const golden = goldens.outputs[`${name}_pair0`];
      expect(golden, name).toBeDefined();
      expect(out[name].dims, name).toEqual(dims);
      expect(golden.dims, name).toEqual([1, ...dims.slice(1)]);
      const first = (out[name].data as Float32Array).subarray(0, golden.data.length);
      expect(worstDifference(first, golden.data), name).toBeLessThan(1e-4);
    }
  });

  it('self-attention rows sum to 1: over every image token, and over the real words only', () => {
    const vision = out.vision_attentions;
    const [pairs, vLayers, vHeads, vQueries, vKeys] = vision.dims;
    expect(vKeys).toBe(config.num_patches + 1);
    const image = worstMaskedRowSum(vision, () => true);
    expect(image.rows).toBe(pairs * vLayers * vHeads * vQueries);
    expect(image.rows).toBeGreaterThan(0);
    expect(image.worst).toBeLessThan(1e-5);

    const text = out.text_attentions;
    const [, tLayers, tHeads, tQueries, length] = text.dims;
    const mask = goldens.inputs.attention_mask.data;
    expect(mask.some((v) => v === 0)).toBe(true); // some caption is padded, so the mask matters
    const words = worstMaskedRowSum(text, (b, k) => mask[b * length + k] === 1);
    expect(words.rows).toBe(pairs * tLayers * tHeads * tQueries);
    expect(words.rows).toBeGreaterThan(0);
    expect(words.worst).toBeLessThan(1e-5);
  });

  it('attention rows sum to 1, and no patch attends to padding', () => {
    expect(worstRowSum(out.image_to_text_attentions)).toBeLessThan(1e-5);
    expect(worstRowSum(out.text_to_image_attentions)).toBeLessThan(1e-5);
    const attention = out.image_to_text_attentions;
    const [pairs, layers, heads, patches, length] = attention.dims;
    const mask = goldens.inputs.attention_mask.data;
    let onPadding = 0;
    for (let b = 0; b < pairs; b++) for (let r = 0; r < layers * heads * patches; r++) for (let k = 0; k < length; k++) {
      if (mask[b * length + k] === 0) onPadding = Math.max(onPadding, (attention.data as Float32Array)[(b * layers * heads * patches + r) * length + k]);
    }
    expect(mask.some((v) => v === 0)).toBe(true);
    expect(onPadding).toBeLessThan(1e-6);
  });

  it('gives matching probabilities in [0, 1]', () => {
    const p = Array.from(out.itm_probability.data as Float32Array);
    expect(p).toHaveLength(goldens.inputs.input_ids.dims[0]);
    for (const value of p) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });

  it('gives each pair the same outputs alone and unpadded as in the padded batch', async () => {
    const last = goldens.inputs.input_ids.dims[0] - 1;
    for (const b of [0, last]) {
      const alone = (await session.run(pairFeeds(b))) as Record<string, OrtTensor>;
      const length = alone.word_logits.dims[1];
      const width = out.word_logits.dims[1];
      const vocab = config.vocab_size;
      const golden = goldens.outputs.word_logits.data.slice(b * width * vocab, (b * width + length) * vocab);
      expect(worstDifference(alone.word_logits.data as Float32Array, golden)).toBeLessThan(logitTolerance(golden));
      const size = config.num_patches * config.patch_values;
      const patches = goldens.outputs.reconstructed_patches.data.slice(b * size, (b + 1) * size);
      expect(worstDifference(alone.reconstructed_patches.data as Float32Array, patches)).toBeLessThan(1e-4);
      expect(Math.abs(Number(alone.itm_probability.data[0]) - goldens.outputs.itm_probability.data[b])).toBeLessThan(1e-4);
    }
  });

  it('hides what is masked: masked pixels and masked words change nothing', async () => {
    const feeds = pairFeeds(0);
    const pixels = feeds.pixel_values.data as Float32Array;
    const hidden = feeds.patch_mask.data as Float32Array;
    const [, , size] = feeds.pixel_values.dims;
    const grid = Math.sqrt(config.num_patches);
    const patch = size / grid;
    const changed = Float32Array.from(pixels);
    let touched = 0;
    for (let c = 0; c < 3; c++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      if (hidden[Math.floor(y / patch) * grid + Math.floor(x / patch)] === 1) {
        changed[(c * size + y) * size + x] = -pixels[(c * size + y) * size + x] + 0.3;
        touched++;
      }
    }
    const ids = BigInt64Array.from(feeds.input_ids.data as BigInt64Array);
    const masked = Array.from(feeds.token_mask.data as BigInt64Array).indexOf(1n);
    expect(touched).toBeGreaterThan(0);
    expect(masked).toBeGreaterThan(0);
    ids[masked] = ids[masked] === 4n ? 5n : 4n;
    const before = (await session.run(feeds)) as Record<string, OrtTensor>;
    const after = (await session.run({
      ...feeds,
      pixel_values: new OrtTensor('float32', changed, feeds.pixel_values.dims),
      input_ids: new OrtTensor('int64', ids, feeds.input_ids.dims),
    })) as Record<string, OrtTensor>;
    for (const name of OUTPUTS) expect(worstDifference(after[name].data as Float32Array, before[name].data as Float32Array), name).toBeLessThan(1e-6);
    // And unmasking them does change the outputs.
    const unmasked = (await session.run({ ...feeds, patch_mask: new OrtTensor('float32', new Float32Array(hidden.length), feeds.patch_mask.dims) })) as Record<string, OrtTensor>;
    expect(worstDifference(unmasked.reconstructed_patches.data as Float32Array, before.reconstructed_patches.data as Float32Array)).toBeGreaterThan(1e-4);
  });
});
