/**
 * The cache transformers.js keeps downloaded model files in: the browser's Cache Storage,
 * under the same name it uses itself, but with failed writes (a full disk, a storage quota)
 * counted instead of only logged, so the person can be told the model was not kept.
 */
import { MODEL_CACHE } from '../src/lib/registry/cache';

export class ModelCache {
  /** Writes that failed since the last reset (each a file that will download again). */
  failedWrites = 0;
  /** Fault injection: every write fails as with a full quota. */
  simulateFullStorage = false;

  async match(request: RequestInfo | URL): Promise<Response | undefined> {
    return (await caches.open(MODEL_CACHE)).match(request);
  }

  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    try {
      if (this.simulateFullStorage) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      await (await caches.open(MODEL_CACHE)).put(request, response);
    } catch {
      this.failedWrites++;
    }
  }
}
