/**
 * bench.html: the app's inference pipeline (InferenceClient → worker → transformers.js → ORT)
 * and onnxruntime-web called directly, side by side in one page, on identical inputs, on WASM.
 * tests/bench/run.ts drives it through `window.bench`; the page only collects raw samples.
 *
 * Why interleave: the machine is shared (2 cores, a training run may be busy), so absolute
 * times drift; alternating worker / direct / echo calls (rotating which goes first) exposes all
 * sides to the same drift, and their ratios stay meaningful.
 */
import * as ort from 'onnxruntime-web/webgpu';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { InferenceClient, type WorkerLike } from '../../src/lib/runtime/client';
import type { ModelInfo } from '../../src/lib/runtime/protocol';
import { buildInputs, loadVocabulary, type Inputs } from './inputs';
import type { LongEntry, PipelineSeries, PipelineSetup, Side, Tower } from './types';
// Part (d)–(f): per bundled model (window.benchModels), in the same page.
import './page-models';
// Part (h): CoCa's decoding with and without the key/value cache (window.benchDecoding).
import './page-decoding';
// Part (j): shapes-clip's attention with and without tapping (window.benchTap).
import './page-tap';
// Part (k): shapes-smolvlm answering through the worker, per token at positions 2 and 16 (window.benchVlm).
import './page-vlm';
// Part (l): shapes-cm3 drawing, a cached step at an early and a late code and whole images through the worker (window.benchTokens).
import './page-tokens';
// Part (m): shapes-smolvlm answering a probe suite's questions one by one and batched (window.benchProbeQuestions).
import './page-probe-questions';

const MODEL_URL = `${import.meta.env.BASE_URL}models/shapes-clip`;

// ---- long tasks, from the first moment (buffered) ----

const longEntries: LongEntry[] = [];
for (const type of ['longtask', 'long-animation-frame'] as const) {
  if (!PerformanceObserver.supportedEntryTypes.includes(type)) continue;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longEntries.push({ type, start: e.startTime, duration: e.duration });
  }).observe({ type, buffered: true });
}

// ---- the worker side, created exactly as src/state/runtime.svelte.ts does ----

const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
const client = new InferenceClient(() => worker as unknown as WorkerLike);

// Time the main-thread task that handles each answer: the client set `onmessage`; wrap it to
// note the start, and add a listener after it, which runs once the client's handler and the
// microtasks it queued (the awaiting benchmark code included) are done.
let handlingStart = 0;
let lastReceiveMs = 0;
const clientHandler = worker.onmessage!;
worker.onmessage = (event) => {
  handlingStart = performance.now();
  clientHandler.call(worker, event);
};
worker.addEventListener('message', () => {
  lastReceiveMs = performance.now() - handlingStart;
});

// A worker that only echoes: the cost of the hand-offs alone, measured in the same interleave.
const echo = new Worker(new URL('./echo.worker.ts', import.meta.url), { type: 'module' });

function viaEcho(): Promise<{ start: number; end: number }> {
  return new Promise((resolve) => {
    const start = performance.now();
    echo.onmessage = () => resolve({ start, end: performance.now() });
    echo.postMessage(0);
  });
}

// ---- the direct side: ORT as transformers.js configures it in the worker ----

ort.env.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };
// Threads: 1 when not isolated, as the worker; when isolated, ORT's own default (what the worker
// used when this page was written). The worker now sets its own count (ModelInfo.threads, 2 on
// a 2-core machine) and setup() reports both; part (e) (page-models.ts) adds a 1-thread worker.
if (!crossOriginIsolated) ort.env.wasm.numThreads = 1;

async function session(file: string): Promise<ort.InferenceSession> {
  // transformers.js fetches the bytes and passes a buffer, with these options for device 'wasm'.
  const bytes = new Uint8Array(await (await fetch(`${MODEL_URL}/onnx/${file}`)).arrayBuffer());
  return ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], logSeverityLevel: 2 });
}

let vision: ort.InferenceSession;
let text: ort.InferenceSession;
let vocabulary: Map<string, number>;
let info: ModelInfo;
const prepared = new Map<number, Inputs>();

function inputsFor(batch: number): Inputs {
  let inputs = prepared.get(batch);
  if (!inputs) prepared.set(batch, (inputs = buildInputs(batch, vocabulary)));
  return inputs;
}

/** Lets the event loop run one task: keeps measured calls in separate tasks (and long tasks apart). */
const yieldChannel = new MessageChannel();
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    yieldChannel.port1.onmessage = () => resolve();
    yieldChannel.port2.postMessage(null);
  });
}

async function viaWorker(tower: Tower, inputs: Inputs) {
  const t0 = performance.now();
  const pending = tower === 'image'
    ? client.run({ kind: 'image-embeds', images: inputs.images })
    : client.run({ kind: 'text-embeds', texts: inputs.texts });
  const sent = performance.now();
  const { result, timing } = await pending;
  const t1 = performance.now();
  // The listener that times the answer's task runs after this continuation: read it one task later.
  await nextTask();
  return { start: t0, end: t1, sendMs: sent - t0, receiveMs: lastReceiveMs, timing, embeds: result.embeds.data };
}

async function direct(tower: Tower, inputs: Inputs) {
  const t0 = performance.now();
  const out = tower === 'image'
    ? await vision.run({ pixel_values: inputs.pixelValues })
    : await text.run(inputs.textFeeds);
  const t1 = performance.now();
  return { start: t0, end: t1, embeds: out[tower === 'image' ? 'image_embeds' : 'text_embeds'].data as Float32Array };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

async function setup(): Promise<PipelineSetup> {
  info = await client.load({ id: 'shapes-clip', origin: 'bundled' }, 'wasm');
  [vision, text, vocabulary] = await Promise.all([session('vision_model.onnx'), session('text_model.onnx'), loadVocabulary(MODEL_URL)]);
  const maxDiff: Record<string, number> = {};
  for (const batch of [8, 64]) {
    for (const tower of ['image', 'text'] as const) {
      const [w, d] = [await viaWorker(tower, inputsFor(batch)), await direct(tower, inputsFor(batch))];
      maxDiff[`${tower}${batch}`] = maxAbsDiff(w.embeds, d.embeds);
    }
  }
  const cores = navigator.hardwareConcurrency;
  return {
    crossOriginIsolated,
    hardwareConcurrency: cores,
    directThreads: ort.env.wasm.numThreads ?? NaN,
    // What the worker reports it gave its ORT (inference.worker.ts sets it explicitly).
    workerThreads: info.threads,
    workerDevice: info.device,
    workerLoadMs: info.loadMs,
    ortVersion: ort.env.versions.web ?? 'unknown',
    maxAbsDiff: maxDiff,
  };
}

/** `warmup` calls each, then `reps` pairs, alternating which side goes first. */
async function measure(tower: Tower, batch: number, reps: number, warmup: number): Promise<PipelineSeries> {
  const inputs = inputsFor(batch);
  for (let i = 0; i < warmup; i++) {
    await viaWorker(tower, inputs);
    await direct(tower, inputs);
    await viaEcho();
  }
  const series: PipelineSeries = {
    tower, batch, reps, roundTripMs: [], modelMs: [], totalMs: [], directMs: [], sendMs: [], receiveMs: [], echoMs: [], calls: [],
  };
  // Each side goes first, second and last equally often.
  const order: Side[][] = [['worker', 'direct', 'echo'], ['direct', 'echo', 'worker'], ['echo', 'worker', 'direct']];
  for (let i = 0; i < reps; i++) {
    for (const side of order[i % 3]) {
      await nextTask();
      if (side === 'worker') {
        const w = await viaWorker(tower, inputs);
        series.roundTripMs.push(w.end - w.start);
        series.modelMs.push(w.timing.modelMs);
        series.totalMs.push(w.timing.totalMs);
        series.sendMs.push(w.sendMs);
        series.receiveMs.push(w.receiveMs);
        series.calls.push({ side, start: w.start, end: w.end });
      } else if (side === 'echo') {
        const e = await viaEcho();
        series.echoMs.push(e.end - e.start);
        series.calls.push({ side, start: e.start, end: e.end });
      } else {
        const d = await direct(tower, inputs);
        series.directMs.push(d.end - d.start);
        series.calls.push({ side, start: d.start, end: d.end });
      }
    }
  }
  return series;
}

declare global {
  interface Window {
    bench?: { setup: typeof setup; measure: typeof measure; longEntries: () => LongEntry[] };
  }
}
window.bench = { setup, measure, longEntries: () => longEntries };
document.getElementById('log')!.textContent = 'Benchmark page ready: driven by tests/bench/run.ts';
