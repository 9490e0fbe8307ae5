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
  /** What the worker's ORT uses: the worker only overrides ORT's default when not isolated. */
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
