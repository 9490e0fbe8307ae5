/// <reference lib="webworker" />
/**
 * The inference worker: the only place models run. It owns transformers.js and
 * onnxruntime-web, handles one request at a time in arrival order, and answers every
 * request with a result or a typed error.
 */
import { env, LogLevel } from '@huggingface/transformers';
import { InferenceSession } from 'onnxruntime-web/webgpu';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import ortGpuWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortGpuMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { transferables, type RunPartial, type ModelSource, type Device, type DevicePreference, type Dtype, type ErrorCode, type Request, type Response } from '../src/lib/runtime/protocol';
import { embedImages, embedTexts, inspectDualEncoder, loadDualEncoder, runLlipHead, type LoadedModel } from './families/dual-encoder';
import { runCaption, runMasked, tokenize } from './families/forge-tasks';
import { runAnswer, type StreamContext } from './families/vlm';
import { runAnswerBatch, runCaptionLikelihood } from './families/probe-tasks';
import { decodeGrids, encodeImage, runDraw, runWriteCaption } from './families/tokens';
import type { Task, TaskResult } from '../src/lib/runtime/protocol';
import { classify, UnsupportedModelError } from './errors';
import { ModelCache } from './model-cache';
import { installAttentionTap } from './families/tap';
import { findHubModel } from '../src/lib/registry/hub-models';
import { adapterFacts, chooseBackend, SMALL_MODEL_BYTES, type AdapterFacts, type BackendChoice } from './backend-choice';
import { measurementKey, recall, remember, timeWarmForward } from './backend-facts';

declare const self: DedicatedWorkerGlobalScope;

// The app serves ORT's runtime itself: no CDN, works offline. transformers.js would copy ORT's
// glue module into a blob: URL and import that (to keep it in Cache Storage); the page's
// Content-Security-Policy runs scripts only from the page's own origin, so ORT imports the file.
const onnxEnv = env.backends.onnx as { wasm: { wasmPaths: unknown; numThreads: number } };
env.useWasmCache = false;

/**
 * ORT's WASM runtime comes in builds: the plain one (14 MB) runs the WASM backend only, the
 * asyncify one (27 MB) adds WebGPU (transformers.js falls back to the plain one itself where
 * WebGPU cannot run). ORT starts its runtime once per worker, at the first session, from the
 * build `wasmPaths` names then: the plain one unless this worker may run WebGPU. A worker that
 * started plain stays on WASM; the runtime state starts a new worker to change that.
 */
let ortBuild: Device | null = null;
function useOrtBuild(wanted: Device): Device {
  if (ortBuild) return ortBuild;
  ortBuild = wanted;
  onnxEnv.wasm.wasmPaths = wanted === 'webgpu' ? { wasm: ortGpuWasm, mjs: ortGpuMjs } : { wasm: ortWasm, mjs: ortMjs };
  return ortBuild;
}
// Graphs that do not output their attention get it tapped as their sessions are created (families/tap.ts).
installAttentionTap(InferenceSession);
// Threads need SharedArrayBuffer, which needs cross-origin isolation.
const MAX_THREADS = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
/**
 * One core stays with the page: ORT's threads spin while they wait, and on a 2-core machine a
 * second one takes the core the page renders and handles input on. A cold start gains nothing
 * clear from it here (paired cold loads, `npm run bench`: one thread 1.1–2.1× faster in a first
 * 3-round run, two threads 1.09× faster in a 5-round one, at load averages of 18–30). The panel
 * and `?threads=N` offer more.
 */
const DEFAULT_THREADS = Math.max(1, Math.min(MAX_THREADS, (navigator.hardwareConcurrency || 1) - 1));
if (!self.crossOriginIsolated) onnxEnv.wasm.numThreads = 1;
const HUB = 'https://huggingface.co/';
const modelCache = new ModelCache();
if (typeof caches !== 'undefined') {
  env.useCustomCache = true;
  env.customCache = modelCache;
}
// A path, not a URL: transformers.js only looks for local files at paths.
env.localModelPath = `${import.meta.env.BASE_URL}models/`;

let model: LoadedModel | null = null;
/** Set when the WebGPU device the runtime uses reports itself lost. */
let gpuLost = false;

/** The part of a WebGPU device this worker uses (the DOM typings here do not include WebGPU). */
interface GpuDeviceLike {
  readonly lost: Promise<unknown>;
  destroy(): void;
}
type WebGpuEnv = { webgpu?: { device?: GpuDeviceLike | Promise<GpuDeviceLike> } };

async function runtimeGpuDevice(): Promise<GpuDeviceLike | undefined> {
  return (env.backends.onnx as WebGpuEnv).webgpu?.device;
}
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

function post(message: Response): void {
  self.postMessage(message, transferables(message));
}

function fail(id: number, code: ErrorCode, message: string): void {
  post({ type: 'error', id, error: { code, message } });
}

const NO_ADAPTER: AdapterFacts = { present: false, fallback: undefined, name: '' };

/** Bundled models are the forge's tiny ones; a hub model is small when the registry says so. */
function isSmall(source: ModelSource, dtype: Dtype): boolean {
  if (source.origin === 'bundled') return true;
  const sizes = findHubModel(source.id)?.files[dtype];
  return sizes ? sizes.text + sizes.vision <= SMALL_MODEL_BYTES : false;
}

/** The backend for a load (see backend-choice.ts), within what this worker's ORT build can run. */
async function chooseDevice(source: ModelSource, preference: DevicePreference, dtype: Dtype, given?: AdapterFacts): Promise<BackendChoice & { key: string; adapter: AdapterFacts }> {
  const adapter = preference === 'wasm' ? NO_ADAPTER : (given ?? (await adapterFacts()));
  const key = measurementKey(source, dtype, adapter);
  const measured = preference === 'auto' && adapter.present ? await recall(key) : undefined;
  const choice = chooseBackend({ preference, adapter, small: isSmall(source, dtype), measured });
  const wanted: Device = choice.device === 'webgpu' || choice.measure ? 'webgpu' : 'wasm';
  if (useOrtBuild(wanted) === wanted) return { ...choice, key, adapter };
  return {
    device: 'wasm',
    key,
    adapter,
    reason: 'This runtime started with the WASM-only build of ORT, so WASM.',
    note: preference === 'webgpu' ? 'This runtime started on WASM; choose WebGPU again to start one that can run it.' : undefined,
  };
}

type LoadArgs = Parameters<typeof loadDualEncoder>[0];

/**
 * A small model, where the adapter may be a real GPU: loads it on both backends, times one
 * warm forward on each, keeps the faster and remembers the numbers for later loads.
 */
async function loadMeasured(args: LoadArgs, key: string, adapter: AdapterFacts, progress: Parameters<typeof loadDualEncoder>[1]): Promise<{ loaded: LoadedModel; reason: string }> {
  const onWasm = await loadDualEncoder({ ...args, device: 'wasm' }, progress);
  const wasmMs = await timeWarmForward(onWasm);
  if (wasmMs === null) return { loaded: onWasm, reason: 'Auto: a small model whose graphs cannot be timed one by one, so WASM.' };
  progress('Timing the model on WebGPU');
  const onGpu = await loadDualEncoder({ ...args, device: 'webgpu' }, progress).catch(() => null);
  const webgpuMs = onGpu ? ((await timeWarmForward(onGpu).catch(() => null)) ?? Infinity) : Infinity;
  await remember(key, { wasmMs, webgpuMs });
  const choice = chooseBackend({ preference: 'auto', adapter, small: true, measured: { wasmMs, webgpuMs } });
  const [kept, dropped] = choice.device === 'webgpu' && onGpu ? [onGpu, onWasm] : [onWasm, onGpu];
  await dropped?.dispose().catch(() => undefined);
  return { loaded: kept, reason: choice.reason };
}

/** Points transformers.js at the bundled models or at the hub (or a mirror of it). */
function useSource(source: ModelSource, hubHost: string | undefined): void {
  const isHub = source.origin === 'hub';
  env.allowRemoteModels = isHub;
  env.allowLocalModels = !isHub;
  env.remoteHost = hubHost ?? HUB;
  // The bundled models' warnings are expected ones (the forge's own model types load through the
  // encoder-only fallback; the app's server may send compressed files without a length): only
  // errors reach the console. A hub model's warnings all show.
  env.logLevel = isHub ? LogLevel.WARNING : LogLevel.ERROR;
}

async function handle(request: Extract<Request, { type: 'load' | 'run' | 'inspect' }>): Promise<void> {
  const { id } = request;
  if (cancelled.delete(id)) return fail(id, 'cancelled', 'Cancelled.');
  const arrived = performance.now();
  switch (request.type) {
    case 'load': {
      const source = request.model;
      try {
        const isHub = source.origin === 'hub';
        useSource(source, request.options?.hubHost);
        const threads = Math.max(1, Math.min(MAX_THREADS, request.options?.threads ?? DEFAULT_THREADS));
        onnxEnv.wasm.numThreads = threads;
        const dtype = request.options?.dtype ?? 'fp32';
        const choice = await chooseDevice(source, request.device, dtype, request.options?.adapter);
        const { device, note: deviceNote } = choice;
        let backendReason = choice.reason;
        modelCache.failedWrites = 0;
        const progress: Parameters<typeof loadDualEncoder>[1] = (stage, detail) => post({ type: 'progress', id, stage, ...detail });
        // The previous model keeps working until the new one has loaded: a failed load loses nothing.
        const previous = model;
        const published = isHub ? findHubModel(source.id)?.published : undefined;
        const families = request.options?.families;
        const args: LoadArgs = { source, device, dtype, threads, published, families };
        let loaded: LoadedModel;
        try {
          if (choice.measure) ({ loaded, reason: backendReason } = await loadMeasured(args, choice.key, choice.adapter, progress));
          else loaded = await loadDualEncoder(args, progress);
        } catch (error) {
          if (device !== 'webgpu' || error instanceof UnsupportedModelError) throw error;
          // WebGPU can fail where WASM works (adapter limits, a lost device): fall back.
          loaded = await loadDualEncoder({ ...args, device: 'wasm' }, progress);
          loaded = { ...loaded, info: { ...loaded.info, note: `WebGPU failed (${classify(error).message.slice(0, 120)}), so the model runs on WASM.` } };
          backendReason = 'WebGPU failed to load the model, so WASM.';
        }
        const storageNote = modelCache.failedWrites > 0
          ? `Storage is full, so ${modelCache.failedWrites} file${modelCache.failedWrites === 1 ? '' : 's'} of this model could not be kept: it works now, but will download again next time. Free space under "Downloaded models".`
          : undefined;
        const note = [deviceNote, loaded.info.note, storageNote].filter(Boolean).join(' ') || undefined;
        model = { ...loaded, info: { ...loaded.info, ...(note ? { note } : {}), backendReason, ortBuild: ortBuild ?? 'wasm' } };
        // Sessions on a lost device may never finish releasing: don't wait for them.
        if (gpuLost) void previous?.dispose().catch(() => undefined);
        else await previous?.dispose().catch(() => undefined);
        gpuLost = false;
        if (model.info.device === 'webgpu') {
          void runtimeGpuDevice().then((gpu) => gpu?.lost.then(() => (gpuLost = true)));
        }
        post({ type: 'loaded', id, info: model.info });
      } catch (error) {
        const e = classify(error, source.id);
        fail(id, e.code, e.message);
      }
      return;
    }
    case 'inspect': {
      try {
        useSource(request.model, request.options?.hubHost);
        const report = await inspectDualEncoder(request.model, request.options?.dtype ?? 'fp32', request.options?.families);
        post({ type: 'inspected', id, report });
      } catch (error) {
        const e = classify(error, request.model.id);
        fail(id, e.code, e.message);
      }
      return;
    }
    case 'run': {
      if (!model) return fail(id, 'not-loaded', 'No model is loaded yet: load one first.');
      try {
        const { task } = request;
        const stream: StreamContext<RunPartial> = { emit: (partial) => post({ type: 'partial', id, partial }), cancelled: () => cancelled.has(id) };
        const { result, modelMs } = await runTask(model, task, stream);
        if (cancelled.delete(id)) return fail(id, 'cancelled', 'Cancelled.');
        post({ type: 'result', id, result, timing: { device: model.info.device, dtype: model.info.dtype, modelMs, totalMs: performance.now() - arrived } });
      } catch (error) {
        const e = gpuLost && model.info.device === 'webgpu'
          ? { code: 'gpu-lost' as const, message: 'The GPU device was lost (a driver reset, or the system took it back).' }
          : classify(error, model.info.source.id);
        fail(id, e.code, e.message);
      }
      return;
    }
    default: {
      const unreachable: never = request;
      throw new Error(`Unhandled request ${JSON.stringify(unreachable)}`);
    }
  }
}

async function runTask(loaded: LoadedModel, task: Task, stream: StreamContext<RunPartial>): Promise<{ result: TaskResult; modelMs: number }> {
  switch (task.kind) {
    case 'image-embeds':
      return embedImages(loaded, [...task.images], task.attentions !== false);
    case 'text-embeds':
      return embedTexts(loaded, task.texts, task.attentions !== false);
    case 'llip-head':
      return runLlipHead(loaded, task.mixture, task.texts);
    case 'tokenize':
      return { result: { kind: 'tokenize', tokens: task.texts.map((t) => tokenize(loaded, t)) }, modelMs: 0 };
    case 'masked':
      return runMasked(loaded, task);
    case 'caption':
      return runCaption(loaded, task);
    case 'caption-likelihood':
      return runCaptionLikelihood(loaded, task);
    case 'answer':
      return runAnswer(loaded, task, stream);
    case 'answer-batch':
      return runAnswerBatch(loaded, task, stream.cancelled);
    case 'vq-encode':
      return encodeImage(loaded, task.image);
    case 'vq-decode':
      return decodeGrids(loaded, task.grids);
    case 'draw':
      return runDraw(loaded, task, stream);
    case 'write-caption':
      return runWriteCaption(loaded, task, stream);
    default: {
      const unreachable: never = task;
      throw new Error(`Unknown task ${JSON.stringify(unreachable)}`);
    }
  }
}

self.onmessage = (event: MessageEvent<Request>) => {
  const request = event.data;
  switch (request.type) {
    case 'cancel':
      cancelled.add(request.id);
      return;
    case 'crash':
      setTimeout(() => {
        throw new Error('Injected crash');
      });
      return;
    case 'lose-gpu':
      void runtimeGpuDevice().then((gpu) => gpu?.destroy());
      return;
    case 'fill-storage':
      modelCache.simulateFullStorage = true;
      return;
    case 'load':
    case 'run':
    case 'inspect':
      queue = queue.then(() => handle(request));
      return;
    default: {
      const unreachable: never = request;
      throw new Error(`Unknown request ${JSON.stringify(unreachable)}`);
    }
  }
};
