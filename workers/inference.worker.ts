/// <reference lib="webworker" />
/**
 * The inference worker: the only place models run. It owns transformers.js and
 * onnxruntime-web, handles one request at a time in arrival order, and answers every
 * request with a result or a typed error.
 */
import { env } from '@huggingface/transformers';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs?url';
import { transferables, type Device, type DevicePreference, type ErrorCode, type Request, type Response, type WorkerError } from '../src/lib/runtime/protocol';
import { embedImages, embedTexts, loadClip, type LoadedClip } from './families/clip';

declare const self: DedicatedWorkerGlobalScope;

// The app serves ORT's runtime itself: no CDN, works offline.
const onnxEnv = env.backends.onnx as { wasm: { wasmPaths: unknown; numThreads: number } };
onnxEnv.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };
if (!self.crossOriginIsolated) onnxEnv.wasm.numThreads = 1;
// A path, not a URL: transformers.js only looks for local files at paths.
env.localModelPath = `${import.meta.env.BASE_URL}models/`;

let model: LoadedClip | null = null;
const cancelled = new Set<number>();
let queue: Promise<void> = Promise.resolve();

function post(message: Response): void {
  self.postMessage(message, transferables(message));
}

function fail(id: number, code: ErrorCode, message: string): void {
  post({ type: 'error', id, error: { code, message } });
}

async function chooseDevice(preference: DevicePreference): Promise<{ device: Device; note?: string }> {
  if (preference === 'wasm') return { device: 'wasm' };
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (adapter) return { device: 'webgpu' };
  return { device: 'wasm', note: preference === 'webgpu' ? 'WebGPU is not available in this browser, so the model runs on WASM.' : undefined };
}

/** Sorts a thrown error into a code and a message a person can act on. */
export function classify(error: unknown, source?: string): WorkerError {
  const text = error instanceof Error ? error.message : String(error);
  if (/could not locate file|404|not found|unexpected token '<'/i.test(text)) {
    return { code: 'model-missing', message: `A file of the model "${source}" is missing (${text.slice(0, 160)}). Rebuild or re-download the model, or pick another.` };
  }
  if (/model-invalid|protobuf|invalid model|failed to load model/i.test(text)) {
    return { code: 'model-invalid', message: `The model "${source}" could not be read (${text.slice(0, 160)}). Its files may be damaged: download it again.` };
  }
  if (/device.*lost|gpudevice|webgpu.*(lost|error)|mapasync/i.test(text)) {
    return { code: 'gpu-lost', message: 'The GPU stopped answering (device lost). Switching to WASM keeps everything working.' };
  }
  if (/no available backend|backend/i.test(text)) {
    return { code: 'backend-unavailable', message: `No runtime backend could start (${text.slice(0, 160)}). Choose WASM in the runtime menu.` };
  }
  if (/failed to fetch|network|aborted/i.test(text)) {
    return { code: 'model-missing', message: `The download was cut (${text.slice(0, 160)}). Check the connection and load the model again.` };
  }
  return { code: 'internal', message: `Something went wrong inside the model runtime: ${text.slice(0, 200)}` };
}

async function handle(request: Exclude<Request, { type: 'cancel' } | { type: 'crash' }>): Promise<void> {
  const { id } = request;
  if (cancelled.delete(id)) return fail(id, 'cancelled', 'Cancelled.');
  const arrived = performance.now();
  switch (request.type) {
    case 'load': {
      try {
        const isHub = request.model.origin === 'hub';
        env.allowRemoteModels = isHub;
        env.allowLocalModels = !isHub;
        const { device, note } = await chooseDevice(request.device);
        const progress = (stage: string, fraction?: number) => post({ type: 'progress', id, stage, fraction });
        let loaded: LoadedClip;
        try {
          loaded = await loadClip(request.model, device, progress);
        } catch (error) {
          if (device !== 'webgpu') throw error;
          // WebGPU can fail where WASM works (adapter limits, a lost device): fall back.
          loaded = await loadClip(request.model, 'wasm', progress);
          loaded = { ...loaded, info: { ...loaded.info, note: `WebGPU failed (${classify(error).message.slice(0, 120)}), so the model runs on WASM.` } };
        }
        model = note ? { ...loaded, info: { ...loaded.info, note } } : loaded;
        post({ type: 'loaded', id, info: model.info });
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
        const { result, modelMs } = task.kind === 'image-embeds'
          ? await embedImages(model, [...task.images])
          : await embedTexts(model, task.texts);
        if (cancelled.delete(id)) return fail(id, 'cancelled', 'Cancelled.');
        post({ type: 'result', id, result, timing: { device: model.info.device, dtype: model.info.dtype, modelMs, totalMs: performance.now() - arrived } });
      } catch (error) {
        const e = classify(error, model.info.source.id);
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
    case 'load':
    case 'run':
      queue = queue.then(() => handle(request));
      return;
    default: {
      const unreachable: never = request;
      throw new Error(`Unknown request ${JSON.stringify(unreachable)}`);
    }
  }
};
