/**
 * While a shape is dragged, the composed image's card says "pending" until its newest drawing
 * is answered: an answer for a drawing the drag has already replaced shows its numbers in the
 * matrix, but does not mark the card ready (it used to, and the card then flipped between
 * pending and ready at every move and answer). The page's Worker is wrapped so the test decides
 * when each image request reaches the worker.
 */
import { afterAll, expect, it } from 'vitest';
import { openApp, stopAll, waitForModel } from './harness';
import { composeOnCaptions, dragInOneTask, waitForMatrix } from './lab';

afterAll(stopAll);

interface Held {
  hold: boolean;
  held: (() => void)[];
  answers: number;
  /** The composed card's data-status values, each time it was written with a new value. */
  statuses: string[];
}

/** Runs in the page before the app: holds image requests while `hold` is set; counts answers. */
function holdImageRequests(): void {
  const state: Held = { hold: false, held: [], answers: 0, statuses: [] };
  (window as unknown as { __held: Held }).__held = state;
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('message', (event: MessageEvent) => {
        if (event.data?.type === 'result' && event.data.result?.kind === 'image-embeds') state.answers++;
      });
    }
    postMessage(message: unknown, transfer?: Transferable[] | StructuredSerializeOptions): void {
      const m = message as { type: string; task?: { kind: string } };
      const send = () => super.postMessage(message, transfer as Transferable[]);
      if (state.hold && m.type === 'run' && m.task?.kind === 'image-embeds') state.held.push(send);
      else send();
    }
  };
}

it('a dragged card stays pending through answers for replaced drawings, and is ready once the newest is answered', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await page.addInitScript(holdImageRequests);
  await page.reload();
  await waitForModel(page);
  await composeOnCaptions(page, ['a red circle on the left', 'a red circle on the right']);
  const held = () => page.evaluate(() => {
    const { held: waiting, answers, statuses } = (window as unknown as { __held: Held }).__held;
    return { held: waiting.length, answers, statuses: [...statuses] };
  });
  const card = page.getByTestId('image-card').first();
  expect(await card.getAttribute('data-status')).toBe('ready');
  await card.evaluate((li) => {
    const state = (window as unknown as { __held: Held }).__held;
    new MutationObserver(() => state.statuses.push(li.getAttribute('data-status') ?? '')).observe(li, { attributes: true, attributeFilter: ['data-status'] });
    state.hold = true;
  });

  // Ten moves in one task: the first one's request is held (in flight for the page), the
  // newest drawing waits behind it.
  await dragInOneTask(page, 10);
  await expect.poll(async () => (await held()).held).toBe(1);
  const start = await held();
  const marks = () => page.evaluate(() => performance.getEntriesByName('vlm:image-answered').length);
  const answeredBefore = await marks();

  // The first move's drawing answered: its numbers reach the matrix, the card stays pending.
  await page.evaluate(() => (window as unknown as { __held: Held }).__held.held.shift()!());
  await expect.poll(marks, { timeout: 30_000 }).toBe(answeredBefore + 1);
  // The newest drawing's request follows at once (held in its turn).
  await expect.poll(async () => (await held()).held, { timeout: 30_000 }).toBe(1);
  expect((await held()).answers).toBe(start.answers + 1);
  expect(await card.getAttribute('data-status')).toBe('pending');

  // The newest drawing answered: ready, and the status was written twice in all.
  await page.evaluate(() => {
    const state = (window as unknown as { __held: Held }).__held;
    state.hold = false;
    state.held.shift()!();
  });
  await expect.poll(() => card.getAttribute('data-status'), { timeout: 30_000 }).toBe('ready');
  expect((await held()).statuses).toEqual(['pending', 'ready']);
  await waitForMatrix(page, 1, 2);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
