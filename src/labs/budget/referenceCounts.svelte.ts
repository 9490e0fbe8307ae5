/**
 * The page's bridge to the worker that runs transformers.js's processors: the newest size is
 * sent, the answer for it kept (an answer for an older size is kept too, but `for` says which).
 */
import type { Size } from '../../lib/budget/types';
import type { ReferenceAnswer } from '../../../workers/budget-reference.worker';

export class ReferenceCounts {
  answer = $state.raw<ReferenceAnswer | null>(null);
  failure = $state<string | null>(null);
  private worker: Worker | null = null;
  private nextId = 0;

  request(size: Size): void {
    if (!this.worker) {
      this.worker = new Worker(new URL('../../../workers/budget-reference.worker.ts', import.meta.url), { type: 'module', name: 'budget-reference' });
      this.worker.onmessage = (event: MessageEvent<ReferenceAnswer>) => (this.answer = event.data);
      this.worker.onerror = (event) => (this.failure = event.message || 'The transformers.js worker failed.');
    }
    this.worker.postMessage({ id: ++this.nextId, width: size.width, height: size.height });
  }

  /** The answer if it is for this size. */
  for(size: Size): ReferenceAnswer | null {
    const a = this.answer;
    return a && a.width === size.width && a.height === size.height ? a : null;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}
