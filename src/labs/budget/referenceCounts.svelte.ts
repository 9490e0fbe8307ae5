/**
 * The page's bridge to the worker that runs transformers.js's processors: the size is sent once
 * it has rested for a moment (a dragged slider would otherwise keep a core busy with sizes
 * already gone), and the answer kept (`for` says whether it is the current size's).
 */
import type { Size } from '../../lib/budget/types';
import type { ReferenceAnswer } from '../../../workers/budget-reference.worker';

export class ReferenceCounts {
  answer = $state.raw<ReferenceAnswer | null>(null);
  failure = $state<string | null>(null);
  private worker: Worker | null = null;
  private nextId = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  request(size: Size, restMs = 250): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.send(size), restMs);
  }

  private send(size: Size): void {
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
    clearTimeout(this.timer);
    this.worker?.terminate();
    this.worker = null;
  }
}
