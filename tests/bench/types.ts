/**
 * What the benchmark pages hand back to tests/bench/run.ts: raw samples only. Statistics are
 * computed in Node (stats.ts), so the pages stay small and every number can be re-derived.
 */

export type Side = 'worker' | 'direct' | 'echo';
export type Tower = 'image' | 'text';

/** One timed call, on the page's clock (performance.now(), ms). */
export interface Call {
  readonly side: Side;
  readonly start: number;
  readonly end: number;
}

/** One interleaved series on bench.html: `reps` calls each through the worker, direct ORT and the echo worker. */
export interface PipelineSeries {
  readonly tower: Tower;
  readonly batch: number;
  readonly reps: number;
  /** Main thread: `await client.run(...)`, from the call to the resolved promise. */
  readonly roundTripMs: number[];
  /** Worker's own `timing.modelMs`: the transformers.js model call only. */
  readonly modelMs: number[];
  /** Worker's own `timing.totalMs`: request arrival to result, preprocessing included. */
  readonly totalMs: number[];
  /** Main thread: `await session.run(feeds)` on the page's own ORT session. */
  readonly directMs: number[];
  /** Synchronous part of `client.run(...)` (structured clone + postMessage). */
  readonly sendMs: number[];
  /** The main-thread task that handles the worker's answer (client code + awaiting code). */
  readonly receiveMs: number[];
  /** Round trip of a tiny message to a worker that only echoes it: the hand-off floor. */
  readonly echoMs: number[];
  readonly calls: Call[];
}

export interface PipelineSetup {
  readonly crossOriginIsolated: boolean;
  readonly hardwareConcurrency: number;
  /** `ort.env.wasm.numThreads` of the page's ORT after its sessions were created. */
  readonly directThreads: number;
  /** What the worker's ORT uses: ModelInfo.threads (may differ from directThreads: see page.ts). */
  readonly workerThreads: number;
  readonly workerDevice: string;
  readonly workerLoadMs: number;
  readonly ortVersion: string;
  /** Largest |worker − direct| over the embeddings of one call each: the inputs are the same. */
  readonly maxAbsDiff: Record<string, number>;
}

/** A PerformanceObserver entry of type 'longtask' or 'long-animation-frame'. */
export interface LongEntry {
  readonly type: 'longtask' | 'long-animation-frame';
  readonly start: number;
  readonly duration: number;
  /** For long animation frames: the script that took longest, when the browser names it. */
  readonly script?: string;
  /** For long animation frames: ms from the rendering update's start to the frame's end. */
  readonly render?: number;
}

/** A main-thread span the app probe timed itself (tests/bench/app-probe.js). */
export interface Span {
  /** 'input': a caption's input event and the Svelte update it triggers; 'message': a worker answer's task. */
  readonly kind: 'input' | 'message';
  readonly detail: string;
  readonly start: number;
  readonly end: number;
}

/** One caption edit in the app, on the page's clock. */
export interface EditSample {
  readonly changed: number;
  readonly painted: number;
  /** End of the main thread's rendering of the first frame after the paint mark. */
  readonly presented: number;
  readonly changedMarks: number;
  /** Sizes of every matrix painted during the edit, e.g. ["16x15", "16x16"]. */
  readonly paints: string[];
  readonly spans: Span[];
}

// ---- per bundled model (tests/bench/models.ts, tests/bench/page-models.ts) ----

/** A folder of static/models/ with both towers as ONNX, found at run time. */
export interface BundledModel {
  /** Folder name: the bundled id; the mirror serves it as `playground/<name>`. */
  readonly name: string;
  /** config.json's model_type. */
  readonly modelType: string;
}

/**
 * How a timed load got its files:
 * - hub-cache: `{ id: 'playground/<m>', origin: 'hub' }` through the local mirror, files already
 *   in the browser's Cache Storage (the priming load put them there);
 * - bundled-cache: `{ id: <m>, origin: 'bundled' }` as the app does it on a later visit
 *   (transformers.js keeps bundled files in the same Cache Storage);
 * - bundled-server: the same, after the model's bundled entries were deleted from Cache
 *   Storage, so the files come from the app's own server (localhost).
 */
export type LoadVariant = 'hub-cache' | 'bundled-cache' | 'bundled-server' | 'hub-download';

/** One load in a fresh worker, on the page's clock. */
export interface LoadSample {
  readonly model: string;
  readonly variant: LoadVariant;
  /** `new Worker(...)` to the answer of a first request (the worker's module has run). */
  readonly workerStartMs: number;
  /** Main thread: `await client.load(...)`, from the call to the resolved promise. */
  readonly roundTripMs: number;
  /** ModelInfo.loadMs: the worker's own time, config read to warm-up forward done. */
  readonly loadMs: number;
  readonly device: string;
  readonly threads: number;
  readonly start: number;
  readonly end: number;
  /** Each progress stage the worker reported, ms after the load request (Downloading: its first report). */
  readonly stages: { readonly stage: string; readonly atMs: number }[];
  /** Model files the page and its workers requested during the load (filled in by Node). */
  readonly requests?: string[];
  /** Files the hub mirror served during the load, from its own log (filled in by Node). */
  readonly hubServed?: string[];
}

/** What the page prepared for one model's pipeline-vs-direct series. */
export interface ModelSetup {
  readonly model: string;
  readonly family: string;
  readonly embedDim: number;
  readonly imageSize: number;
  readonly maxTextTokens: number;
  readonly workerDevice: string;
  readonly workerThreads: number;
  /** Whether a second worker with `threads: 1` was measured too (when workerThreads > 1). */
  readonly singleThreadWorker: boolean;
  readonly workerLoadMs: number;
  /** `ort.env.wasm.numThreads` of the page's ORT after the direct sessions were created. */
  readonly directThreads: number;
  /** Output names read on each side (the family's spec). */
  readonly outputs: { readonly image: string; readonly text: string };
  /** Graph inputs and where the direct side's feed for each came from. */
  readonly feeds: { readonly image: Record<string, string>; readonly text: Record<string, string> };
  /** Graph inputs the direct side could not fill as the worker does (then no direct series). */
  readonly unmatched: string[];
  /** Largest |worker − direct| per series, e.g. { image8: 1e-6 }. */
  readonly maxAbsDiff: Record<string, number>;
  /** Captions of the batch of 8 (the 64 start with them). */
  readonly sampleCaptions: string[];
}

/** One interleaved worker / direct series of one model. */
export interface ModelSeries {
  readonly model: string;
  readonly tower: Tower;
  readonly batch: number;
  readonly reps: number;
  /** The app's worker (its own thread count): main-thread round trip, worker's modelMs and totalMs. */
  readonly roundTripMs: number[];
  readonly modelMs: number[];
  readonly totalMs: number[];
  /** The same model in a worker loaded with `threads: 1` (empty when the app's count is 1). */
  readonly singleRoundTripMs: number[];
  readonly singleModelMs: number[];
  readonly singleTotalMs: number[];
  /** The page's own ORT session, single-threaded, on the same feeds. */
  readonly directMs: number[];
  readonly calls: Call[];
}

/** jointMap timings on 1,000 real embeddings of one model, in the page's main thread. */
export interface ProjectionRun {
  readonly model: string;
  readonly dim: number;
  readonly images: number;
  readonly texts: number;
  /** How the embeddings were made (real, through the worker). */
  readonly source: string;
  /** Time the worker took to embed them (main-thread round trips, summed). */
  readonly embedMs: number;
  /** The first jointMap call in the page (V8 has not optimised it yet). */
  readonly firstMs: number;
  /** Untimed calls after the first, before the timed runs. */
  readonly warmup: number;
  readonly runsMs: number[];
  readonly runs: { readonly start: number; readonly end: number }[];
  readonly explainedVarianceRatio: readonly [number, number];
}
