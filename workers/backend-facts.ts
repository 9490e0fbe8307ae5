/// <reference lib="webworker" />
/**
 * The worker's side of `chooseBackend`'s facts: measurements remembered in this browser
 * (IndexedDB, keyed by model, precision and adapter), and the measurement itself: one warm
 * forward of a loaded model, timed.
 */
import { Tensor } from '@huggingface/transformers';
import type { Dtype, ModelSource } from '../src/lib/runtime/protocol';
import type { AdapterFacts, Measurement } from './backend-choice';
import type { LoadedModel } from './families/dual-encoder';

export function measurementKey(source: ModelSource, dtype: Dtype, adapter: AdapterFacts): string {
  return `${source.origin}:${source.id}@${source.revision ?? 'main'}:${dtype}|${adapter.name}`;
}

const STORE = 'measurements';

function database(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('vlm-backend-choice', 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function transact<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await database();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** The measurement this browser remembers for `key`; undefined when none (or no IndexedDB). */
export async function recall(key: string): Promise<Measurement | undefined> {
  if (typeof indexedDB === 'undefined') return undefined;
  return transact<Measurement | undefined>('readonly', (s) => s.get(key)).catch(() => undefined);
}

export async function remember(key: string, measurement: Measurement): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  await transact('readwrite', (s) => s.put(measurement, key)).catch(() => undefined);
}

/**
 * Median ms of three forwards of the model's text tower (on the caption "a"), or of its image
 * tower on a blank image, after one untimed forward; null for a model with neither tower.
 */
export async function timeWarmForward(model: LoadedModel): Promise<number | null> {
  const { text, vision, tokenizer, spec, info } = model;
  let forward: (() => Promise<unknown>) | null = null;
  if (text) {
    const inputs = tokenizer(['a'], { padding: spec.padding, truncation: true }) as unknown as Record<string, unknown>;
    forward = () => text(inputs);
  } else if (vision) {
    const side = info.imageSize;
    const pixels = new Tensor('float32', new Float32Array(3 * side * side), [1, 3, side, side]);
    forward = () => vision({ pixel_values: pixels });
  }
  if (!forward) return null;
  await forward();
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    const started = performance.now();
    await forward();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1];
}
