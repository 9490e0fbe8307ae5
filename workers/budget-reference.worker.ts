/// <reference lib="webworker" />
/**
 * Runs transformers.js's own processors (Idefics3/SmolVLM, Qwen2-VL, LLaVA, PaliGemma) on a
 * blank image of the asked size, off the main thread: a big image takes them a second or more.
 * Only the newest size waits while one runs; older ones are dropped.
 */
import { env } from '@huggingface/transformers';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import { blankImage, pipelineCounts, sizeCounts, TJS_FAMILIES, type TjsCount, type TjsFamily } from './budget-reference';

declare const self: DedicatedWorkerGlobalScope;

// Idefics3's resize runs as a small ONNX graph: the app serves ORT's runtime itself (no CDN).
const onnx = env.backends.onnx as { wasm: { wasmPaths: unknown; numThreads: number } };
onnx.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };
// Not through a blob: URL: the page's Content-Security-Policy runs scripts only from the page itself.
env.useWasmCache = false;
onnx.wasm.numThreads = 1;

/** Above this many pixels the full pipelines are not run (memory); the size functions answer. */
const MAX_PIPELINE_PIXELS = 16_777_216;

export interface ReferenceRequest {
  readonly id: number;
  readonly width: number;
  readonly height: number;
}

export interface ReferenceAnswer {
  readonly id: number;
  readonly width: number;
  readonly height: number;
  /** 'pipeline': the full processors ran; 'size functions': only their size rules (image too big). */
  readonly how: 'pipeline' | 'size functions';
  readonly counts: Record<TjsFamily, TjsCount | { readonly error: string }>;
  readonly ms: number;
}

let waiting: ReferenceRequest | null = null;
let running = false;

async function run(request: ReferenceRequest): Promise<void> {
  const started = performance.now();
  const size = { width: request.width, height: request.height };
  const pipeline = size.width * size.height <= MAX_PIPELINE_PIXELS;
  const counts = {} as Record<TjsFamily, TjsCount | { readonly error: string }>;
  const image = pipeline ? blankImage(size) : null;
  for (const family of TJS_FAMILIES) counts[family] = image ? await pipelineCounts(family, image) : sizeCounts(family, size);
  const answer: ReferenceAnswer = { ...request, how: pipeline ? 'pipeline' : 'size functions', counts, ms: performance.now() - started };
  self.postMessage(answer);
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  while (waiting) {
    const next = waiting;
    waiting = null;
    await run(next);
  }
  running = false;
}

self.onmessage = (event: MessageEvent<ReferenceRequest>) => {
  waiting = event.data;
  void drain();
};
