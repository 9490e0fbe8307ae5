/** A VLM's streamed parts reach the run that asked for them, and a cancelled run's parts are dropped. */
import { describe, expect, it } from 'vitest';
import { InferenceClient, type WorkerLike } from '../../src/lib/runtime/client';
import type { AnswerPartial, AnswerStep, Request, Response } from '../../src/lib/runtime/protocol';

class FakeWorker implements WorkerLike {
  readonly posted: Request[] = [];
  onmessage: ((event: MessageEvent<Response>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: Request): void { this.posted.push(message); }
  terminate(): void {}
  answer(response: Response): void { this.onmessage?.({ data: response } as MessageEvent<Response>); }
}

const step = (id: number): AnswerStep => ({ id, piece: `t${id}`, probability: 0.5, alternatives: [], at: id, attention: null });
const task = { kind: 'answer', image: null, question: 'What colour is the circle?', sampling: { kind: 'greedy' }, alternatives: 3, maxNewTokens: 4 } as const;

describe('streamed parts of a run', () => {
  it('go to the run that asked, in order, before its result', async () => {
    const worker = new FakeWorker();
    const client = new InferenceClient(() => worker);
    const parts: AnswerPartial[] = [];
    const running = client.run(task, 'answer', (p) => parts.push(p));
    const id = worker.posted[0].id;
    worker.answer({ type: 'partial', id, partial: { kind: 'token', index: 0, step: step(5) } });
    worker.answer({ type: 'partial', id, partial: { kind: 'token', index: 1, step: step(6) } });
    expect(parts.map((p) => (p.kind === 'token' ? p.step.id : -1))).toEqual([5, 6]);
    worker.answer({ type: 'error', id, error: { code: 'internal', message: 'x' } });
    await expect(running).rejects.toThrow('x');
  });

  it('of a cancelled run are dropped, and the next run gets its own', async () => {
    const worker = new FakeWorker();
    const client = new InferenceClient(() => worker);
    const first: AnswerPartial[] = [];
    const second: AnswerPartial[] = [];
    const cancelled = client.run(task, 'answer', (p) => first.push(p));
    const firstId = worker.posted[0].id;
    client.cancel('answer');
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    expect(worker.posted.some((m) => m.type === 'cancel' && m.id === firstId)).toBe(true);
    void client.run(task, 'answer', (p) => second.push(p)).catch(() => undefined);
    const secondId = worker.posted.filter((m) => m.type === 'run').at(-1)!.id;
    worker.answer({ type: 'partial', id: firstId, partial: { kind: 'token', index: 3, step: step(9) } });
    worker.answer({ type: 'partial', id: secondId, partial: { kind: 'token', index: 0, step: step(1) } });
    expect(first).toEqual([]);
    expect(second).toHaveLength(1);
  });
});
