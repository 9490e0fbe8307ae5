/**
 * While a shape is dragged, the composed image is embedded with at most one request in flight,
 * and the newest drawing is the one answered: moves that come while a request is in the worker
 * wait as one (the newest replaces the older), never as a queue. Watched at the page's Worker:
 * every request posted and every answer received.
 */
import { afterAll, expect, it } from 'vitest';
import { openApp, readMatrix, stopAll, waitForModel } from './harness';
import { composeOnCaptions, dragInOneTask, setMode, waitForMatrix } from './lab';
import { drawnInput } from '../../src/labs/contrastive/embedRequests';

afterAll(stopAll);

interface Watch {
  /** Image-embedding requests posted, in order: id and a hash of the pixels of each image. */
  posted: { id: number; images: string[] }[];
  answered: number[];
  cancels: number;
  inFlight: number;
  maxInFlight: number;
}

/** Runs in the page before the app: wraps Worker to watch the image-embedding requests. */
function watchWorker(): void {
  const watch: Watch = { posted: [], answered: [], cancels: 0, inFlight: 0, maxInFlight: 0 };
  (window as unknown as { __watch: Watch }).__watch = watch;
  const hash = (data: ArrayLike<number>) => {
    let h = 2166136261;
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 16777619) >>> 0;
    return `${data.length}:${h}`;
  };
  const ids = new Set<number>();
  const Native = window.Worker;
  window.Worker = class extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('message', (event: MessageEvent) => {
        const { id, type } = event.data ?? {};
        if ((type === 'result' || type === 'error') && ids.delete(id)) {
          watch.answered.push(id);
          watch.inFlight--;
        }
      });
    }
    postMessage(message: unknown, transfer?: Transferable[] | StructuredSerializeOptions): void {
      const m = message as { type: string; id: number; task?: { kind: string; images?: { kind: string; data?: Uint8ClampedArray }[] } };
      if (m.type === 'run' && m.task?.kind === 'image-embeds') {
        ids.add(m.id);
        watch.posted.push({ id: m.id, images: (m.task.images ?? []).map((img) => (img.data ? hash(img.data) : img.kind)) });
        watch.maxInFlight = Math.max(watch.maxInFlight, ++watch.inFlight);
      }
      if (m.type === 'cancel') watch.cancels++;
      super.postMessage(message, transfer as Transferable[]);
    }
  };
}

it('dragging: one embed request in flight, the newest drawing waiting as one and answered last', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await page.addInitScript(watchWorker);
  await page.reload();
  await waitForModel(page);
  await composeOnCaptions(page, ['a red circle on the left', 'a red circle on the right']);
  await setMode(page, 'Softmax over each row (image → text)');
  const before = await readMatrix(page);
  expect(before.values[0][0]).toBeGreaterThan(before.values[0][1]);
  const watched = () => page.evaluate(() => structuredClone((window as unknown as { __watch: Watch }).__watch));
  const start = await watched();
  expect(start.inFlight).toBe(0);

  // A real press on the circle (at x = 0.2), then ten moves in one task: none of the worker's
  // answers can come in between, so the first move's request is in flight for all the others.
  const during = await dragInOneTask<Watch>(page, 10, '__watch');
  // Ten moves, one request posted and in flight, nothing cancelled.
  expect(during.posted.length - start.posted.length).toBe(1);
  expect(during.inFlight).toBe(1);

  await expect.poll(async () => (await watched()).inFlight, { timeout: 30_000 }).toBe(0);
  await waitForMatrix(page, 1, 2);
  const after = await watched();
  // The nine later moves waited as one request (the newest), sent once the first answered.
  const sent = after.posted.slice(start.posted.length);
  expect(sent).toHaveLength(2);
  expect(after.maxInFlight).toBe(1);
  expect(after.cancels).toBe(start.cancels);
  expect(after.answered.slice(-2)).toEqual(sent.map((s) => s.id));
  // The last request carried the newest drawing: the composer's own pixels after the last move,
  // shrunk to the bundled model's 32 px as the worker would shrink them (3 KB, not 49 KB).
  const drawing = await page.getByLabel('The composed scene').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const rgb: number[] = [];
    for (let i = 0; i < data.length; i += 4) rgb.push(data[i], data[i + 1], data[i + 2]);
    return { width: canvas.width, height: canvas.height, rgb };
  });
  expect(drawing.width).toBe(128);
  const small = drawnInput({ width: drawing.width, height: drawing.height, data: Uint8ClampedArray.from(drawing.rgb) }, 32);
  if (small.kind !== 'pixels') throw new Error('a drawing is sent as pixels');
  let h = 2166136261;
  for (let i = 0; i < small.data.length; i++) h = Math.imul(h ^ small.data[i], 16777619) >>> 0;
  const shown = `${32 * 32 * 3}:${h}`;
  expect(small.data.length).toBe(32 * 32 * 3);
  expect(sent[1].images).toEqual([shown]);
  expect(sent[0].images).not.toEqual([shown]);
  // And the matrix row is that answer's: the circle, now at x = 0.8, is on the right.
  const matrix = await readMatrix(page);
  expect(matrix.values[0][1]).toBeGreaterThan(matrix.values[0][0]);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
