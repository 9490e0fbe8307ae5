/// <reference lib="webworker" />
/**
 * Answers every message at once. Its round trip is the floor any worker pipeline pays on this
 * machine (two thread hand-offs); under CPU contention that floor grows, and the benchmark
 * reports it next to the pipeline so the two can be told apart.
 */
declare const self: DedicatedWorkerGlobalScope;
export {};

self.onmessage = (event: MessageEvent<number>) => self.postMessage(event.data);
