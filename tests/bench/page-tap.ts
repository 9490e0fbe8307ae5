/**
 * bench.html, part (j) (tests/bench/tap.ts drives it through `window.benchTap`): what tapping a
 * graph's attention costs, on onnxruntime-web's WASM. shapes-clip's towers as the hub mirror
 * serves them without attention outputs (fixtures/shapes-clip-untapped), loaded as they are and
 * tapped as the worker taps them (workers/families/tap.ts: read the graph, find the Softmaxes,
 * append the outputs), and the bundled shapes-clip, which exports its attention itself. Same
 * images and captions for all three, interleaved, the order rotated every round. The page only
 * collects raw samples.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { AutoProcessor, AutoTokenizer, RawImage } from '@huggingface/transformers';
import { findAttention, readGraph } from '../../src/lib/onnx/graph';
import { tapOutputs } from '../../src/lib/onnx/tap';
import { GOLDEN_CAPTIONS, sampleImage } from '../../src/lib/shapes';
import { shrinkShortestEdge } from '../../src/lib/image/resample';

import { RUN_VARIANTS, TAP_VARIANTS, TOWERS, type RunVariant, type TapSamples, type TapVariant, type TowerName } from './tap-types';

const MODELS = `${import.meta.env.BASE_URL}models/shapes-clip`;
const FIXTURE = `${import.meta.env.BASE_URL}__hub/fixtures/shapes-clip-untapped/resolve/main`;
const OPTIONS = { executionProviders: ['wasm'], logSeverityLevel: 2 as const };

type Sessions = Record<TowerName, ort.InferenceSession>;
const empty = (): Record<RunVariant, number[]> => ({ untapped: [], tapped: [], exported: [], 'tapped-unfetched': [] });

async function bytesOf(base: string): Promise<Record<TowerName, Uint8Array>> {
  const read = async (t: TowerName) => new Uint8Array(await (await fetch(`${base}/onnx/${t}.onnx`)).arrayBuffer());
  return { vision_model: await read('vision_model'), text_model: await read('text_model') };
}

function tap(model: Uint8Array): Uint8Array {
  const plan = findAttention(readGraph(model));
  return plan.kind === 'tap' ? tapOutputs(model, plan.names) : model;
}

async function feeds(): Promise<Record<TowerName, Record<string, ort.Tensor>>> {
  const processor = await AutoProcessor.from_pretrained('shapes-clip');
  const tokenizer = await AutoTokenizer.from_pretrained('shapes-clip');
  const values: Float32Array[] = [];
  let dims: number[] = [];
  for (let k = 0; k < 8; k++) {
    const small = shrinkShortestEdge({ ...sampleImage(k), channels: 3 }, 32);
    const { pixel_values } = await processor(new RawImage(small.data, small.width, small.height, 3));
    values.push(pixel_values.data as Float32Array);
    dims = pixel_values.dims;
  }
  const pixels = new Float32Array(values.reduce((n, v) => n + v.length, 0));
  values.forEach((v, k) => pixels.set(v, k * v.length));
  const text = tokenizer(GOLDEN_CAPTIONS.slice(0, 8).map(String), { padding: true, truncation: true });
  const int64 = (t: { data: unknown; dims: number[] }) => new ort.Tensor('int64', t.data as BigInt64Array, t.dims);
  return {
    vision_model: { pixel_values: new ort.Tensor('float32', pixels, [8, ...dims.slice(1)]) },
    text_model: { input_ids: int64(text.input_ids), attention_mask: int64(text.attention_mask) },
  };
}

async function measure(loadRounds: number, reps: number): Promise<TapSamples> {
  const [fixture, bundled, inputs] = await Promise.all([bytesOf(FIXTURE), bytesOf(MODELS), feeds()]);
  const load: Record<TapVariant, number[]> = { untapped: [], tapped: [], exported: [] };
  const tapOnly: number[] = [];
  const create = async (variant: TapVariant): Promise<Sessions> => {
    const out = {} as Sessions;
    for (const t of TOWERS) {
      const model = variant === 'exported' ? bundled[t] : variant === 'tapped' ? tap(fixture[t]) : fixture[t];
      out[t] = await ort.InferenceSession.create(model, OPTIONS);
    }
    return out;
  };
  for (let r = 0; r < loadRounds; r++) {
    for (let k = 0; k < TAP_VARIANTS.length; k++) {
      const variant = TAP_VARIANTS[(r + k) % TAP_VARIANTS.length];
      const started = performance.now();
      const sessions = await create(variant);
      load[variant].push(performance.now() - started);
      for (const s of Object.values(sessions)) await s.release();
    }
    const started = performance.now();
    for (const t of TOWERS) tap(fixture[t]);
    tapOnly.push(performance.now() - started);
  }
  const sessions = {} as Record<TapVariant, Sessions>;
  for (const v of TAP_VARIANTS) sessions[v] = await create(v);
  const images = empty();
  const captions = empty();
  // The tapped sessions asked only for what the untapped graphs output: what a call costs when attention is not wanted.
  const call = (v: RunVariant, t: TowerName) =>
    v === 'tapped-unfetched' ? sessions.tapped[t].run(inputs[t], [...sessions.untapped[t].outputNames]) : sessions[v][t].run(inputs[t]);
  for (let r = 0; r < reps; r++) {
    for (let k = 0; k < RUN_VARIANTS.length; k++) {
      const v = RUN_VARIANTS[(r + k) % RUN_VARIANTS.length];
      let started = performance.now();
      await call(v, 'vision_model');
      images[v].push(performance.now() - started);
      started = performance.now();
      await call(v, 'text_model');
      captions[v].push(performance.now() - started);
    }
  }
  const outputs = Object.fromEntries(TAP_VARIANTS.map((v) => [v, { vision_model: [...sessions[v].vision_model.outputNames], text_model: [...sessions[v].text_model.outputNames] }])) as TapSamples['outputs'];
  for (const v of TAP_VARIANTS) for (const s of Object.values(sessions[v])) await s.release();
  return { load, tapOnly, images, captions, outputs };
}

(window as unknown as { benchTap: { measure: typeof measure } }).benchTap = { measure };
