/**
 * bench.html, per bundled model (tests/bench/models.ts drives it through `window.benchModels`):
 *   - loads in a fresh worker each, from the browser cache or the app's server;
 *   - the worker pipeline against onnxruntime-web called directly, per image and per caption;
 *   - jointMap (the embedding map's PCA) on 1,000 real embeddings, on the main thread.
 * The page only collects raw samples; report.ts turns them into numbers.
 *
 * Same inputs on both sides, for any family: the direct side's feeds are built in this page by
 * the code the worker runs (workers/families/dual-encoder.ts): rgbaToRgb → shrinkShortestEdge
 * → the model's own transformers.js processor, and its tokenizer with the family's padding
 * (workers/families/specs.ts: SigLIP pads to max_length) and the worker's max_length; then
 * picked by the graph's input names as transformers.js does (token_type_ids of zeros and
 * pixel_mask of ones when the graph wants them and the processor gave none). Feeds are built
 * once, outside the timed calls, and the two sides' embeddings are compared: "same inputs" is
 * checked, not assumed. A graph input the worker's path fills some other way is named in
 * `unmatched`, and that model gets no direct series rather than a faked one.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { AutoProcessor, AutoTokenizer, RawImage, env as transformersEnv, type PreTrainedTokenizer, type Processor } from '@huggingface/transformers';
import { InferenceClient, RuntimeError, type WorkerLike } from '../../src/lib/runtime/client';
import type { ModelInfo, ModelSource, PixelsInput } from '../../src/lib/runtime/protocol';
import { rgbaToRgb, shrinkShortestEdge } from '../../src/lib/image/resample';
import { MODEL_CACHE } from '../../src/lib/registry/cache';
import { jointMap } from '../../src/lib/projection/joint';
import { captionText, GOLDEN_CAPTIONS, meanings, sampleImage } from '../../src/lib/shapes';
import { familyOf, type FamilySpec } from '../../workers/families/specs';
import type { LoadSample, LoadVariant, ModelSeries, ModelSetup, ProjectionRun, Tower } from './types';

const MODELS_PATH = `${import.meta.env.BASE_URL}models/`;

// The page's own transformers.js only tokenizes and preprocesses (no sessions): bundled files,
// fetched without touching the model cache the worker's loads are timed against.
transformersEnv.allowRemoteModels = false;
transformersEnv.allowLocalModels = true;
transformersEnv.localModelPath = MODELS_PATH;
transformersEnv.useBrowserCache = false;
transformersEnv.useCustomCache = false;

function newWorker(): WorkerLike {
  return new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike;
}

/** Lets the event loop run one task between measured calls. */
const yieldChannel = new MessageChannel();
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    yieldChannel.port1.onmessage = () => resolve();
    yieldChannel.port2.postMessage(null);
  });
}

// ---- (d) loads in a fresh worker ----

/** Drops the model's bundled files from the model cache, so the next bundled load fetches them. */
async function evictBundled(model: string): Promise<number> {
  const cache = await caches.open(MODEL_CACHE);
  let removed = 0;
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.startsWith(`${MODELS_PATH}${model}/`) && (await cache.delete(request))) removed++;
  }
  return removed;
}

/** URLs in the model cache under a path prefix (for the report: where a load's files were). */
async function cachedUnder(prefix: string): Promise<string[]> {
  const cache = await caches.open(MODEL_CACHE);
  return (await cache.keys()).map((r) => r.url).filter((u) => new URL(u).pathname.startsWith(prefix));
}

/**
 * One load in a fresh worker. A first request ('run' before any load, answered "not-loaded")
 * tells when the worker's module is up, so the load's round trip excludes the worker's start.
 */
async function timedLoad(model: string, variant: LoadVariant, hubHost: string): Promise<LoadSample> {
  if (variant === 'bundled-server') await evictBundled(model);
  const source: ModelSource = variant.startsWith('hub') ? { id: `playground/${model}`, origin: 'hub' } : { id: model, origin: 'bundled' };
  const created = performance.now();
  const client = new InferenceClient(newWorker);
  try {
    try {
      await client.run({ kind: 'text-embeds', texts: ['a'] });
      throw new Error('the fresh worker answered a run before any load');
    } catch (error) {
      if (!(error instanceof RuntimeError && error.code === 'not-loaded')) throw error;
    }
    const ready = performance.now();
    // The worker's progress stages (config, tokenizer, each tower, warm-up), as they reach the page.
    const stages: { stage: string; atMs: number }[] = [];
    const stop = client.subscribe((event) => {
      if (event.type !== 'progress') return;
      const stage = event.stage.startsWith('Downloading') ? 'Downloading' : event.stage;
      if (stages.at(-1)?.stage !== stage) stages.push({ stage, atMs: performance.now() - ready });
    });
    const info = await client.load(source, 'wasm', { dtype: 'fp32', ...(variant.startsWith('hub') ? { hubHost } : {}) });
    const loaded = performance.now();
    stop();
    return {
      model, variant, workerStartMs: ready - created, roundTripMs: loaded - ready, loadMs: info.loadMs,
      device: info.device, threads: info.threads, start: ready, end: loaded, stages,
    };
  } finally {
    client.dispose();
  }
}

// ---- (e) pipeline vs direct, per model ----

interface Prepared {
  /** The worker as the app makes it: its own thread count (ModelInfo.threads). */
  readonly client: InferenceClient;
  /** The same, loaded with `threads: 1` (only when the app's count is more than 1). */
  readonly single: InferenceClient | null;
  readonly info: ModelInfo;
  readonly spec: FamilySpec;
  readonly tokenizer: PreTrainedTokenizer;
  readonly processor: Processor;
  vision?: ort.InferenceSession;
  text?: ort.InferenceSession;
  readonly inputs: Map<number, BatchInputs>;
  unmatched: string[];
}

interface BatchInputs {
  readonly images: PixelsInput[];
  readonly texts: string[];
  imageFeeds?: Record<string, ort.Tensor>;
  textFeeds?: Record<string, ort.Tensor>;
}

const prepared = new Map<string, Prepared>();

async function session(model: string, file: string): Promise<ort.InferenceSession> {
  // As tests/bench/page.ts: transformers.js hands ORT a buffer, with these options on 'wasm'.
  const bytes = new Uint8Array(await (await fetch(`${MODELS_PATH}${model}/onnx/${file}`)).arrayBuffer());
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], logSeverityLevel: 2 });
}

const ortTensor = (t: { type: string; data: unknown; dims: readonly number[] }) =>
  new ort.Tensor(t.type as 'float32', t.data as Float32Array, [...t.dims]);

/**
 * The feeds transformers.js would give this session (models/session.js, encoder_forward):
 * the processor's / tokenizer's tensors picked by input name, zeros for a missing
 * token_type_ids, ones for a missing pixel_mask; anything else missing is unmatched.
 */
function pickFeeds(session: ort.InferenceSession, produced: Record<string, { type: string; data: unknown; dims: readonly number[] }>, origin: string) {
  const feeds: Record<string, ort.Tensor> = {};
  const from: Record<string, string> = {};
  const unmatched: string[] = [];
  for (const name of session.inputNames) {
    const tensor = produced[name];
    if (tensor) {
      feeds[name] = ortTensor(tensor);
      from[name] = `${origin} (${tensor.type} [${tensor.dims.join(', ')}])`;
    } else if (name === 'token_type_ids' && produced.input_ids) {
      const { dims } = produced.input_ids;
      feeds[name] = new ort.Tensor('int64', new BigInt64Array(dims.reduce((a, b) => a * b, 1)), [...dims]);
      from[name] = 'zeros, as transformers.js adds them';
    } else if (name === 'pixel_mask' && produced.pixel_values) {
      const [n, , h, w] = produced.pixel_values.dims;
      feeds[name] = new ort.Tensor('int64', new BigInt64Array(n * h * w).fill(1n), [n, h, w]);
      from[name] = 'ones, as transformers.js adds them';
    } else {
      unmatched.push(name);
    }
  }
  return { feeds, from, unmatched };
}

/** Pixels exactly as the worker's embedImages makes them, batched. */
async function pixelValues(p: Pick<Prepared, 'processor' | 'info'>, images: readonly PixelsInput[]) {
  const parts: { data: Float32Array; dims: number[] }[] = [];
  for (const input of images) {
    const shrunk = shrinkShortestEdge(rgbaToRgb(input), p.info.imageSize);
    const { pixel_values } = await p.processor(new RawImage(shrunk.data, shrunk.width, shrunk.height, 3));
    parts.push({ data: pixel_values.data as Float32Array, dims: pixel_values.dims });
  }
  const data = new Float32Array(parts.reduce((n, x) => n + x.data.length, 0));
  parts.forEach((x, k) => data.set(x.data, k * x.data.length));
  return { pixel_values: { type: 'float32', data, dims: [parts.length, ...parts[0].dims.slice(1)] } };
}

/** Captions with every word known to the model's tokenizer: the goldens first, then grammar captions spread evenly. */
function captionsFor(tokenizer: PreTrainedTokenizer, count: number, exclude: ReadonlySet<string> = new Set()): string[] {
  const unk = tokenizer.unk_token_id;
  const known = (text: string) => unk === undefined || unk === null || !tokenizer.encode(text).includes(unk);
  const grammar = meanings.map((m) => captionText(m)).filter((t) => known(t) && !exclude.has(t));
  const step = Math.max(1, Math.floor(grammar.length / count));
  const spread = grammar.filter((_, k) => k % step === 0);
  const texts = [...new Set([...GOLDEN_CAPTIONS.filter((t) => known(t) && !exclude.has(t)), ...spread, ...grammar])].slice(0, count);
  if (texts.length < count) throw new Error(`only ${texts.length} usable captions for this tokenizer`);
  return texts;
}

function samplePixels(from: number, count: number): PixelsInput[] {
  return Array.from({ length: count }, (_, k) => {
    const render = sampleImage(from + k);
    return { kind: 'pixels', width: render.width, height: render.height, channels: 3, data: render.data };
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function viaWorker(p: Prepared, tower: Tower, inputs: BatchInputs, client = p.client) {
  const t0 = performance.now();
  const { result, timing } = tower === 'image'
    ? await client.run({ kind: 'image-embeds', images: inputs.images })
    : await client.run({ kind: 'text-embeds', texts: inputs.texts });
  return { start: t0, end: performance.now(), timing, embeds: result.embeds.data };
}

async function direct(p: Prepared, tower: Tower, inputs: BatchInputs) {
  const t0 = performance.now();
  const out = tower === 'image' ? await p.vision!.run(inputs.imageFeeds!) : await p.text!.run(inputs.textFeeds!);
  const t1 = performance.now();
  return { start: t0, end: t1, embeds: out[tower === 'image' ? p.spec.imageEmbeds : p.spec.textEmbeds].data as Float32Array };
}

/**
 * Loads the bundled model in a worker of its own as the app does (its thread count), and in a
 * second one with `threads: 1`; opens the page's ORT sessions on the same files, single-threaded
 * (the baseline of part (a) on a 2-core machine); builds the feeds and checks both workers'
 * embeddings against the page's.
 *
 * Why the page's ORT is single-threaded rather than given the worker's count: a second ORT
 * thread pool in the page was seen to slow the worker's answers (its threads keep a core busy
 * after each call, on 2 shared cores), which would charge the pipeline for the benchmark's own
 * baseline. The 1-thread worker gives the like-for-like ratio; the app's worker, what the app gets.
 */
async function prepare(model: string, batches: readonly number[]): Promise<ModelSetup> {
  const client = new InferenceClient(newWorker);
  const info = await client.load({ id: model, origin: 'bundled' }, 'wasm', { dtype: 'fp32' });
  let single: InferenceClient | null = null;
  if (info.threads > 1) {
    single = new InferenceClient(newWorker);
    await single.load({ id: model, origin: 'bundled' }, 'wasm', { dtype: 'fp32', threads: 1 });
  }
  const config = (await (await fetch(`${MODELS_PATH}${model}/config.json`)).json()) as { model_type?: string };
  const spec = familyOf(config.model_type);
  if (!spec) throw new Error(`${model}: model_type "${config.model_type}" is not a family the worker runs`);
  // The page's ORT starts its WASM once, at its first session.
  ort.env.wasm.numThreads = 1;
  const [tokenizer, processor, vision, text] = await Promise.all([
    AutoTokenizer.from_pretrained(model),
    AutoProcessor.from_pretrained(model),
    session(model, 'vision_model.onnx'),
    session(model, 'text_model.onnx'),
  ]);
  const p: Prepared = { client, single, info, spec, tokenizer, processor, vision, text, inputs: new Map(), unmatched: [] };
  const feeds = { image: {} as Record<string, string>, text: {} as Record<string, string> };
  const maxDiff: Record<string, number> = {};
  const largest = Math.max(...batches);
  const allTexts = captionsFor(tokenizer, largest);
  const allImages = samplePixels(0, largest);
  for (const batch of batches) {
    const images = allImages.slice(0, batch);
    const texts = allTexts.slice(0, batch);
    const image = pickFeeds(vision, await pixelValues(p, images), 'processor');
    // As embedTexts: the family's padding, truncation, the worker's text window.
    const tokenized = tokenizer(texts, { padding: spec.padding, truncation: true, max_length: info.maxTextTokens }) as unknown as Record<string, { type: string; data: unknown; dims: number[] }>;
    const textSide = pickFeeds(text, tokenized, `tokenizer, padding ${String(spec.padding)}, max_length ${info.maxTextTokens}`);
    feeds.image = image.from;
    feeds.text = textSide.from;
    p.unmatched = [...new Set([...p.unmatched, ...image.unmatched, ...textSide.unmatched])];
    const inputs: BatchInputs = { images, texts, imageFeeds: image.unmatched.length ? undefined : image.feeds, textFeeds: textSide.unmatched.length ? undefined : textSide.feeds };
    p.inputs.set(batch, inputs);
    for (const tower of ['image', 'text'] as const) {
      if (!(tower === 'image' ? inputs.imageFeeds : inputs.textFeeds)) continue;
      const [w, d] = [await viaWorker(p, tower, inputs), await direct(p, tower, inputs)];
      maxDiff[`${tower}${batch}`] = maxAbsDiff(w.embeds, d.embeds);
      if (single) maxDiff[`${tower}${batch}:1-thread worker`] = maxAbsDiff((await viaWorker(p, tower, inputs, single)).embeds, d.embeds);
    }
  }
  prepared.set(model, p);
  return {
    model,
    family: spec.family,
    embedDim: info.embedDim,
    imageSize: info.imageSize,
    maxTextTokens: info.maxTextTokens,
    workerDevice: info.device,
    workerThreads: info.threads,
    singleThreadWorker: single !== null,
    workerLoadMs: info.loadMs,
    directThreads: ort.env.wasm.numThreads ?? NaN,
    outputs: { image: spec.imageEmbeds, text: spec.textEmbeds },
    feeds,
    unmatched: p.unmatched,
    maxAbsDiff: maxDiff,
    sampleCaptions: allTexts.slice(0, Math.min(...batches)),
  };
}

/**
 * `warmup` calls per side, then `reps` rounds of one call per side (the app's worker, the
 * 1-thread worker, direct ORT), rotating the order so each side goes first, second and last
 * equally often (and follows each other side equally often).
 */
async function measure(model: string, tower: Tower, batch: number, reps: number, warmup: number): Promise<ModelSeries> {
  const p = prepared.get(model);
  const inputs = p?.inputs.get(batch);
  if (!p || !inputs) throw new Error(`${model} × ${batch} not prepared`);
  const hasDirect = Boolean(tower === 'image' ? inputs.imageFeeds : inputs.textFeeds);
  const sides = (['worker', 'single', 'direct'] as const).filter((s) => (s === 'single' ? p.single !== null : s === 'direct' ? hasDirect : true));
  for (let i = 0; i < warmup; i++) {
    await viaWorker(p, tower, inputs);
    if (p.single) await viaWorker(p, tower, inputs, p.single);
    if (hasDirect) await direct(p, tower, inputs);
  }
  const series: ModelSeries = {
    model, tower, batch, reps, roundTripMs: [], modelMs: [], totalMs: [], singleRoundTripMs: [], singleModelMs: [], singleTotalMs: [], directMs: [], calls: [],
  };
  for (let i = 0; i < reps; i++) {
    const order = [...sides.slice(i % sides.length), ...sides.slice(0, i % sides.length)];
    if (Math.floor(i / sides.length) % 2) order.reverse();
    for (const side of order) {
      await nextTask();
      if (side === 'worker') {
        const w = await viaWorker(p, tower, inputs);
        series.roundTripMs.push(w.end - w.start);
        series.modelMs.push(w.timing.modelMs);
        series.totalMs.push(w.timing.totalMs);
        series.calls.push({ side: 'worker', start: w.start, end: w.end });
      } else if (side === 'single') {
        const w = await viaWorker(p, tower, inputs, p.single!);
        series.singleRoundTripMs.push(w.end - w.start);
        series.singleModelMs.push(w.timing.modelMs);
        series.singleTotalMs.push(w.timing.totalMs);
        series.calls.push({ side: 'worker', start: w.start, end: w.end });
      } else {
        const d = await direct(p, tower, inputs);
        series.directMs.push(d.end - d.start);
        series.calls.push({ side: 'direct', start: d.start, end: d.end });
      }
    }
  }
  return series;
}

// ---- (f) the embedding map's projection on 1,000 points ----

/**
 * Embeds `images` sample images and `texts` grammar captions with the model's worker, then
 * times jointMap on them as the embedding map calls it (one Float32Array per point), on the
 * main thread, `runs` times after the first call (timed apart) and `warmup` untimed ones, each
 * call in a task of its own.
 */
async function projection(model: string, images: number, texts: number, runs: number, warmup: number): Promise<ProjectionRun> {
  const p = prepared.get(model);
  if (!p) throw new Error(`${model} not prepared`);
  const chunk = 50;
  const imageEmbeds: Float32Array[] = [];
  const textEmbeds: Float32Array[] = [];
  const rows = (data: Float32Array, n: number) => Array.from({ length: n }, (_, i) => data.slice(i * p.info.embedDim, (i + 1) * p.info.embedDim));
  let embedMs = 0;
  for (let from = 0; from < images; from += chunk) {
    const batch = samplePixels(from, Math.min(chunk, images - from));
    const w = await viaWorker(p, 'image', { images: batch, texts: [] });
    embedMs += w.end - w.start;
    imageEmbeds.push(...rows(w.embeds, batch.length));
  }
  const captions = captionsFor(p.tokenizer, texts);
  for (let from = 0; from < texts; from += chunk) {
    const batch = captions.slice(from, from + chunk);
    const w = await viaWorker(p, 'text', { images: [], texts: batch });
    embedMs += w.end - w.start;
    textEmbeds.push(...rows(w.embeds, batch.length));
  }
  if (imageEmbeds.length !== images || textEmbeds.length !== texts) throw new Error(`${model}: ${imageEmbeds.length} image and ${textEmbeds.length} text embeddings`);
  // The first call in this page, timed apart: jointMap's code not yet optimised by V8, as on
  // the embedding map's first draw.
  await nextTask();
  const coldStart = performance.now();
  let last = jointMap(imageEmbeds, textEmbeds);
  const firstMs = performance.now() - coldStart;
  for (let i = 0; i < warmup; i++) {
    await nextTask();
    last = jointMap(imageEmbeds, textEmbeds);
  }
  const runsMs: number[] = [];
  const spans: { start: number; end: number }[] = [];
  for (let i = 0; i < runs; i++) {
    await nextTask();
    const start = performance.now();
    last = jointMap(imageEmbeds, textEmbeds);
    const end = performance.now();
    runsMs.push(end - start);
    spans.push({ start, end });
  }
  if (last.points.length !== images + texts) throw new Error(`${model}: jointMap gave ${last.points.length} points`);
  return {
    model,
    dim: p.info.embedDim,
    images,
    texts,
    source: `real embeddings from the worker (${model}, WASM): sample images 1–${images} (128-px renders) and ${texts} distinct grammar captions`,
    embedMs,
    firstMs,
    warmup,
    runsMs,
    runs: spans,
    explainedVarianceRatio: last.explainedVarianceRatio,
  };
}

/** Releases a model's worker and sessions. */
async function release(model: string): Promise<void> {
  const p = prepared.get(model);
  if (!p) return;
  p.client.dispose();
  p.single?.dispose();
  await Promise.all([p.vision?.release(), p.text?.release()]);
  prepared.delete(model);
}

const api = { timedLoad, evictBundled, cachedUnder, prepare, measure, projection, release, now: () => performance.now() };

declare global {
  interface Window {
    benchModels?: typeof api;
  }
}
window.benchModels = api;
