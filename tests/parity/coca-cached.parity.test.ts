/**
 * The bundled CoCa's decoder with a key/value cache (onnx/decoder_model_merged.onnx) against
 * PyTorch: the forge's cached goldens (goldens.json's cached_decoder: greedy captions decoded one
 * token per step, every step's logits, image 0's attentions) and the teacher-forced goldens, through onnxruntime-node and the loop the worker runs
 * (src/lib/generation/cached-decoder.ts), and the worker's caption task (the Generative lab's
 * path, through transformers.js). MODEL_DIR points elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import type { Device, TaskResult } from '../../src/lib/runtime/protocol.ts';
import { loadDualEncoder, type LoadedModel } from '../../workers/families/dual-encoder.ts';
import { runCaption } from '../../workers/families/forge-tasks.ts';
import { readConfig } from '../../training/eval/coca.ts';
import { decodeStep, emptyCache, lastLogits, sessionGraph, stackSteps, type CachedGraph, type KeyValueCache } from '../../src/lib/generation/cached-decoder.ts';
import {
  floatTensor as float, goldenImagePixels, int64Tensor as int64, logitTolerance, modelUnderTest, onnxSession, readModelJson, worstDifference as worst,
  type GoldenTensor,
} from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-coca');

const goldens = readModelJson<{
  inputs: { input_ids: GoldenTensor; attention_mask: GoldenTensor; pixel_values: GoldenTensor };
  outputs: Record<string, GoldenTensor>;
  greedy: { ids: number[][] };
  cached_decoder: {
    max_length: number; bos_token_id: number; eos_token_id: number;
    ids: number[][];
    step_logits: number[][];
    image0: { cross_attentions: number[][]; self_attentions: number[][] };
  };
}>(modelDir, 'goldens.json');
const cached = goldens.cached_decoder;
const config = readConfig(modelDir);
const t = config.text_config;
const layers = t.unimodal_layers + t.multimodal_layers;
const patches = config.vision_config.num_patches;

describe('bundled CoCa: decoding with a key/value cache against PyTorch', () => {
  let graph: CachedGraph<OrtTensor>;
  let imageTokens: OrtTensor;
  const images = goldens.inputs.pixel_values.dims[0];
  /** Image i's tokens as a batch of one. */
  const imageOf = (i: number) => {
    const [, p, w] = imageTokens.dims;
    return new OrtTensor('float32', (imageTokens.data as Float32Array).slice(i * p * w, (i + 1) * p * w), [1, p, w]);
  };
  /** Every step of caption `ids` fed one token at a time: the steps' outputs. */
  async function stepByStep(ids: readonly number[], image: OrtTensor) {
    let cache: KeyValueCache<OrtTensor> = emptyCache(graph, 1);
    const steps: Record<string, OrtTensor>[] = [];
    for (const id of ids) {
      const step = await decodeStep(graph, cache, [[id]], { image_tokens: image });
      cache = step.cache;
      steps.push(step.outputs);
    }
    return { steps, cache };
  }

  beforeAll(async () => {
    const vision = await onnxSession(modelDir, 'vision_model');
    imageTokens = (await vision.run({ pixel_values: float(goldens.inputs.pixel_values) }, ['image_tokens'])).image_tokens;
    graph = sessionGraph(await onnxSession(modelDir, 'decoder_model_merged'), OrtTensor);
  });

  it('names one cache entry per self-attention layer and its outputs, heads and head size fixed', () => {
    const past = graph.inputs.filter((i) => i.name.startsWith('past_key_values.')).map((i) => [i.name, i.shape]);
    const headDim = t.hidden_size / t.num_attention_heads;
    expect(past).toEqual(Array.from({ length: layers }, (_, i) => ['key', 'value'].map((k) => [`past_key_values.${i}.${k}`, ['batch_size', t.num_attention_heads, 'past_sequence_length', headDim]])).flat());
    expect(cached.bos_token_id).toBe(t.bos_token_id);
    expect(cached.eos_token_id).toBe(t.eos_token_id);
    expect(cached.max_length).toBe(t.max_length);
  });

  it('with an empty cache it is the teacher-forced decoder of goldens.json (padded captions too)', async () => {
    const batch = goldens.inputs.input_ids.dims[0];
    const out = await graph.run({
      ...emptyCache(graph, batch).tensors,
      input_ids: int64(goldens.inputs.input_ids), attention_mask: int64(goldens.inputs.attention_mask), image_tokens: imageTokens,
    });
    expect(out.logits.dims).toEqual(goldens.outputs.logits.dims);
    expect(worst(out.logits.data as Float32Array, goldens.outputs.logits.data)).toBeLessThan(logitTolerance(goldens.outputs.logits.data));
    const first = (x: OrtTensor, g: GoldenTensor) => {
      expect(x.dims.slice(1)).toEqual(g.dims.slice(1));
      return worst((x.data as Float32Array).subarray(0, g.data.length), g.data);
    };
    expect(first(out.cross_attentions, goldens.outputs.cross_attentions_item0)).toBeLessThan(1e-4);
    expect(first(out.self_attentions, goldens.outputs.self_attentions_item0)).toBeLessThan(1e-4);
    const length = goldens.inputs.input_ids.dims[1];
    expect(out['present.0.key'].dims).toEqual([batch, t.num_attention_heads, length, t.hidden_size / t.num_attention_heads]);
  });

  it("each step's logits equal PyTorch's, for every golden image", async () => {
    // The forge decoded the same captions through the cache as without (coca.parity.test.ts decodes them here).
    expect(cached.ids).toEqual(goldens.greedy.ids);
    expect(cached.ids).toHaveLength(images);
    for (let i = 0; i < images; i++) {
      const { steps } = await stepByStep(cached.ids[i].slice(0, -1), imageOf(i));
      const logits = steps.flatMap((s) => Array.from(lastLogits(s.logits, 0)));
      expect(worst(logits, cached.step_logits[i])).toBeLessThan(logitTolerance(cached.step_logits[i]));
    }
  });

  it("each step's cross- and self-attention rows equal PyTorch's (image 0)", async () => {
    const { steps } = await stepByStep(cached.ids[0].slice(0, -1), imageOf(0));
    expect(steps).toHaveLength(cached.image0.cross_attentions.length);
    steps.forEach((s, k) => {
      expect(s.cross_attentions.dims).toEqual([1, t.multimodal_layers, t.num_attention_heads, 1, patches]);
      expect(s.self_attentions.dims).toEqual([1, layers, t.num_attention_heads, 1, k + 1]);
      expect(worst(s.cross_attentions.data as Float32Array, cached.image0.cross_attentions[k])).toBeLessThan(1e-4);
      expect(worst(s.self_attentions.data as Float32Array, cached.image0.self_attentions[k])).toBeLessThan(1e-4);
    });
  });

  it('cached steps give what one uncached pass over the whole caption gives', async () => {
    for (const i of [0, images - 1]) {
      const ids = cached.ids[i];
      const { steps } = await stepByStep(ids, imageOf(i));
      const whole = await decodeStep(graph, emptyCache(graph, 1), [ids], { image_tokens: imageOf(i) });
      const full = whole.outputs;
      const vocabulary = full.logits.dims[2];
      steps.forEach((s, k) => {
        const row = (full.logits.data as Float32Array).subarray(k * vocabulary, (k + 1) * vocabulary);
        expect(worst(lastLogits(s.logits, 0), row)).toBeLessThan(logitTolerance(row));
      });
      const cross = stackSteps(steps.map((s) => s.cross_attentions), patches);
      const self = stackSteps(steps.map((s) => s.self_attentions), ids.length);
      expect([1, ...cross.dims]).toEqual(full.cross_attentions.dims);
      expect([1, ...self.dims]).toEqual(full.self_attentions.dims);
      expect(worst(cross.data, full.cross_attentions.data as Float32Array)).toBeLessThan(1e-4);
      expect(worst(self.data, full.self_attentions.data as Float32Array)).toBeLessThan(1e-4);
    }
  });

  it('several new tokens after a cached prefix, in a batch, equal the uncached pass', async () => {
    const ids = [cached.ids[0].slice(0, 6), cached.ids[1].slice(0, 6)];
    const both = new OrtTensor('float32', (imageTokens.data as Float32Array).slice(0, 2 * patches * imageTokens.dims[2]), [2, patches, imageTokens.dims[2]]);
    const prefix = await decodeStep(graph, emptyCache(graph, 2), ids.map((s) => s.slice(0, 3)), { image_tokens: both });
    const rest = await decodeStep(graph, prefix.cache, ids.map((s) => s.slice(3)), { image_tokens: both });
    const whole = await decodeStep(graph, emptyCache(graph, 2), ids, { image_tokens: both });
    expect(rest.cache.length).toBe(6);
    expect(rest.outputs['present.3.value'].dims).toEqual(whole.outputs['present.3.value'].dims);
    expect(rest.outputs.self_attentions.dims).toEqual([2, layers, t.num_attention_heads, 3, 6]);
    const vocabulary = whole.outputs.logits.dims[2];
    const tail = (x: OrtTensor, width: number) => ids.flatMap((_, b) => Array.from((x.data as Float32Array).subarray((b * 6 + 3) * width, (b * 6 + 6) * width)));
    const expected = tail(whole.outputs.logits, vocabulary);
    expect(worst(rest.outputs.logits.data as Float32Array, expected)).toBeLessThan(logitTolerance(expected));
  });
});

describe("the worker's caption task through the cache (the Generative lab's path)", () => {
  let model: LoadedModel;
  type Caption = Extract<TaskResult, { kind: 'caption' }>;

  /** Golden image i as the 8-bit RGB pixels the forge normalised (undone exactly). */
  function goldenPixels(i: number) {
    const { size, pixels } = goldenImagePixels(goldens.inputs.pixel_values, i);
    return { kind: 'pixels' as const, width: size, height: size, channels: 3 as const, data: pixels };
  }

  beforeAll(async () => {
    // transformers.js in Node runs onnxruntime-node, whose device is called 'cpu'.
    const source = { id: modelId, origin: 'bundled' as const };
    model = await loadDualEncoder({ source, device: 'cpu' as Device, dtype: 'fp32', threads: 1, families: ['coca'] }, () => {});
  });

  it("gives every golden image PyTorch's greedy caption", async () => {
    for (let i = 0; i < cached.ids.length; i++) {
      const { result } = await runCaption(model, { image: goldenPixels(i), prefix: '', sampling: { kind: 'greedy' }, alternatives: 3 });
      const caption = result as Caption;
      expect([t.bos_token_id, ...caption.steps.map((s) => s.id)]).toEqual(cached.ids[i]);
      expect(caption.stopped).toBe(cached.ids[i].at(-1) === t.eos_token_id ? 'eos' : 'max-length');
      // Each token's probability is the softmax of PyTorch's logits at its step.
      const vocabulary = t.vocab_size;
      caption.steps.forEach((step, k) => {
        const row = cached.step_logits[i].slice(k * vocabulary, (k + 1) * vocabulary);
        const top = Math.max(...row);
        const sum = row.reduce((a, v) => a + Math.exp(v - top), 0);
        expect(Math.abs(step.probability - Math.exp(row[step.id] - top) / sum)).toBeLessThan(1e-5);
      });
    }
  });

  it("puts together every position's cross- and self-attention, equal to PyTorch's step rows (image 0)", async () => {
    const { result } = await runCaption(model, { image: goldenPixels(0), prefix: '', sampling: { kind: 'greedy' }, alternatives: 3 });
    const { crossAttentions: cross, selfAttentions: self } = result as Caption;
    const length = cached.ids[0].length;
    const heads = t.num_attention_heads;
    expect(cross.dims).toEqual([t.multimodal_layers, heads, length, patches]);
    expect(self?.dims).toEqual([layers, heads, length, length]);
    const rowOf = (x: { dims: readonly number[]; data: Float32Array }, m: number, k: number) => Array.from(x.data.subarray((m * length + k) * x.dims[3], (m * length + k + 1) * x.dims[3]));
    cached.image0.cross_attentions.forEach((expected, k) => {
      const actual = Array.from({ length: t.multimodal_layers * heads }, (_, m) => rowOf(cross, m, k)).flat();
      expect(worst(actual, expected)).toBeLessThan(1e-4);
    });
    cached.image0.self_attentions.forEach((expected, k) => {
      const rows = Array.from({ length: layers * heads }, (_, m) => rowOf(self!, m, k));
      expect(worst(rows.flatMap((r) => r.slice(0, k + 1)), expected)).toBeLessThan(1e-4);
      expect(rows.flatMap((r) => r.slice(k + 1)).every((v) => v === 0)).toBe(true);
    });
    // The last token's own rows (read by one more step) are distributions too.
    const last = Array.from({ length: t.multimodal_layers * heads }, (_, m) => rowOf(cross, m, length - 1).reduce((a, b) => a + b, 0));
    expect(Math.max(...last.map((v) => Math.abs(v - 1)))).toBeLessThan(1e-5);
  });
});
