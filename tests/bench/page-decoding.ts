/**
 * bench.html, part (h) (tests/bench/decoding.ts drives it through `window.benchDecoding`):
 * CoCa's decoder on onnxruntime-web's WASM, one decoding step at a given position with the
 * key/value cache (only the new token fed, the earlier ones' keys and values given) against the
 * same step without it (the whole sequence fed, as decoding did before the cache), and a whole
 * 16-token caption both ways. Same graph, same image, same loop code as the worker
 * (src/lib/generation/cached-decoder.ts). The page only collects raw samples.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { AutoProcessor, RawImage } from '@huggingface/transformers';
import { argmax, decodeStep, emptyCache, lastLogits, sessionGraph, type CachedGraph, type KeyValueCache } from '../../src/lib/generation/cached-decoder';
import { sampleImage } from '../../src/lib/shapes';
import { shrinkShortestEdge } from '../../src/lib/image/resample';

const MODEL = 'shapes-coca';
const MODEL_URL = `${import.meta.env.BASE_URL}models/${MODEL}`;

/** A step's variants: with the cache (one new token) or without (the whole sequence again). */
export type DecodingSeries = 'cached' | 'uncached';

export interface DecodingSetup {
  readonly graph: string;
  readonly maxLength: number;
  readonly threads: number;
  /** The token ids fed (positions 1 … maxLength): a real greedy caption, continued past its end. */
  readonly ids: readonly number[];
}

export interface DecodingSamples {
  /** Per position (1-based), per variant: ms of each step, in the order taken. */
  readonly steps: Record<string, Record<DecodingSeries, number[]>>;
  /** A whole caption of maxLength tokens (maxLength − 1 steps), per variant. */
  readonly caption: Record<DecodingSeries, number[]>;
}

interface State {
  graph: CachedGraph<ort.Tensor>;
  image: Record<string, ort.Tensor>;
  ids: number[];
  /** The cache holding the first k tokens, for every k. */
  caches: KeyValueCache<ort.Tensor>[];
}

let state: State | null = null;

async function setup(): Promise<DecodingSetup> {
  const bytes = async (file: string) => new Uint8Array(await (await fetch(`${MODEL_URL}/onnx/${file}`)).arrayBuffer());
  const options = { executionProviders: ['wasm'], logSeverityLevel: 2 as const };
  const [vision, decoder] = await Promise.all([
    ort.InferenceSession.create(await bytes('vision_model.onnx'), options),
    ort.InferenceSession.create(await bytes('decoder_model_merged.onnx'), options),
  ]);
  const config = (await (await fetch(`${MODEL_URL}/config.json`)).json()) as { image_size: number; text_config: { bos_token_id: number; max_length: number } };
  const processor = await AutoProcessor.from_pretrained(MODEL);
  const small = shrinkShortestEdge({ ...sampleImage(0), channels: 3 }, config.image_size);
  const { pixel_values } = await processor(new RawImage(small.data, small.width, small.height, 3));
  const pixels = new ort.Tensor('float32', pixel_values.data as Float32Array, [...pixel_values.dims]);
  const image = { image_tokens: (await vision.run({ pixel_values: pixels })).image_tokens };
  const graph = sessionGraph(decoder, ort.Tensor);
  // The sample's greedy caption, continued greedily past its end token to the full length, so
  // every position holds the token the model would read there.
  const { max_length: maxLength, bos_token_id: bos } = config.text_config;
  const ids = [bos];
  const caches = [emptyCache(graph, 1)];
  while (ids.length < maxLength) {
    const step = await decodeStep(graph, caches[caches.length - 1], [[ids[ids.length - 1]]], image);
    caches.push(step.cache);
    ids.push(argmax(lastLogits(step.outputs.logits, 0)));
  }
  state = { graph, image, ids, caches };
  return { graph: 'decoder_model_merged.onnx', maxLength, threads: ort.env.wasm.numThreads ?? NaN, ids };
}

/** One step reading the token at `position` (1-based): with the cache, or the whole prefix. */
async function step(s: State, position: number, series: DecodingSeries): Promise<number> {
  const started = performance.now();
  if (series === 'cached') await decodeStep(s.graph, s.caches[position - 1], [[s.ids[position - 1]]], s.image);
  else await decodeStep(s.graph, s.caches[0], [s.ids.slice(0, position)], s.image);
  return performance.now() - started;
}

/** A greedy caption of s.ids.length tokens, each step with the cache or over the whole prefix. */
async function caption(s: State, series: DecodingSeries): Promise<number> {
  const started = performance.now();
  const ids = [s.ids[0]];
  let cache = s.caches[0];
  while (ids.length < s.ids.length) {
    const fed = series === 'cached' ? [ids[ids.length - 1]] : ids;
    const out = await decodeStep(s.graph, series === 'cached' ? cache : s.caches[0], [fed], s.image);
    if (series === 'cached') cache = out.cache;
    ids.push(argmax(lastLogits(out.outputs.logits, 0)));
  }
  const ms = performance.now() - started;
  if (ids.join() !== s.ids.join()) throw new Error(`the ${series} caption [${ids}] differs from the reference [${s.ids}]`);
  return ms;
}

/**
 * `reps` rounds; in each, every position's two variants back to back (alternating which goes
 * first), then the two whole captions: slow drift in the machine's load falls on all alike.
 */
async function measure(positions: readonly number[], reps: number): Promise<DecodingSamples> {
  const s = state;
  if (!s) throw new Error('benchDecoding.setup() first');
  const steps: DecodingSamples['steps'] = Object.fromEntries(positions.map((p) => [p, { cached: [], uncached: [] }]));
  const whole: DecodingSamples['caption'] = { cached: [], uncached: [] };
  for (let r = 0; r < reps; r++) {
    const order: DecodingSeries[] = r % 2 ? ['uncached', 'cached'] : ['cached', 'uncached'];
    for (const p of positions) for (const series of order) steps[p][series].push(await step(s, p, series));
    for (const series of order) whole[series].push(await caption(s, series));
  }
  return { steps, caption: whole };
}

declare global {
  interface Window {
    benchDecoding: { setup: typeof setup; measure: typeof measure };
  }
}

window.benchDecoding = { setup, measure };
