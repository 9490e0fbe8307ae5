/**
 * A lab stays mounted once opened, and every lab reads the Contrastive lab's images. While the
 * Llip lab is hidden, dragging a composed scene in the Contrastive lab must not have it embed
 * the scene at every move (its model would take the cores the dragged row needs); once the
 * scene is still, the hidden lab catches up with the newest drawing. Watched at the page's
 * Worker: each worker's model (from its load request) and the pixels of every image request.
 */
import { afterAll, expect, it } from 'vitest';
import { openApp, stopAll, waitForModel } from './harness';
import { waitForMatrix } from './lab';

afterAll(stopAll);

interface Watch {
  /** Per worker (in creation order), the model its last load asked for. */
  models: string[];
  /** Image requests: the worker, and a hash of each image's pixels. */
  images: { worker: number; hashes: string[] }[];
}

/** Runs in the page before the app: wraps Worker to watch loads and image requests. */
function watchWorkers(): void {
  const watch: Watch = { models: [], images: [] };
  (window as unknown as { __watch: Watch }).__watch = watch;
  const hash = (data: ArrayLike<number>) => {
    let h = 2166136261;
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 16777619) >>> 0;
    return `${data.length}:${h}`;
  };
  const Native = window.Worker;
  window.Worker = class extends Native {
    readonly index = watch.models.push('') - 1;
    postMessage(message: unknown, transfer?: Transferable[] | StructuredSerializeOptions): void {
      const m = message as { type: string; model?: { id: string }; task?: { kind: string; images?: { data?: Uint8ClampedArray }[] } };
      if (m.type === 'load' && m.model) watch.models[this.index] = m.model.id;
      if (m.type === 'run' && m.task?.kind === 'image-embeds') {
        watch.images.push({ worker: this.index, hashes: (m.task.images ?? []).map((img) => (img.data ? hash(img.data) : '')) });
      }
      super.postMessage(message, transfer as Transferable[]);
    }
  };
}

it('a hidden lab does not embed a dragged scene at every move, and catches up once it is still', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await page.addInitScript(watchWorkers);
  await page.reload();
  await waitForModel(page);
  await waitForMatrix(page, 4, 4);
  // Open the Llip lab once (its model loads), then come back: it stays mounted, hidden.
  await page.evaluate(() => (location.hash = '#llip'));
  await page.locator('[data-testid="llip-lab"] [data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
  await page.evaluate(() => (location.hash = '#contrastive'));
  await page.getByRole('button', { name: 'Compose a scene…' }).click();
  await waitForMatrix(page, 5, 4);

  const watched = () => page.evaluate(() => structuredClone((window as unknown as { __watch: Watch }).__watch));
  const workerOf = (watch: Watch, model: RegExp) => watch.models.findIndex((id) => model.test(id));
  const requests = (watch: Watch, model: RegExp) => watch.images.filter((r) => r.worker === workerOf(watch, model));
  // The hidden lab first catches up with the new composed image.
  await expect.poll(async () => requests(await watched(), /llip/).length, { timeout: 30_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(1000);
  const start = await watched();
  expect(workerOf(start, /llip/)).toBeGreaterThan(workerOf(start, /clip/));

  // A real press on the circle (at x = 0.2), then 40 moves, 20 ms apart.
  const surface = page.getByTestId('composer-surface');
  await surface.scrollIntoViewIfNeeded();
  const box = (await surface.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  const during = await page.evaluate(async ({ x: left, y: top, width, height }) => {
    const svg = document.querySelector('[data-testid="composer-surface"]')!;
    for (let k = 1; k <= 40; k++) {
      svg.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: left + width * (0.2 + 0.015 * k), clientY: top + height * 0.5, pointerId: 1, buttons: 1 }));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return structuredClone((window as unknown as { __watch: Watch }).__watch);
  }, box);
  await page.mouse.up();

  // The shown lab asked for the moving scene many times; the hidden one at most twice (only
  // if the page stalled for the whole wait between two moves).
  expect(requests(during, /clip/).length - requests(start, /clip/).length).toBeGreaterThan(5);
  expect(requests(during, /llip/).length - requests(start, /llip/).length).toBeLessThanOrEqual(2);

  // Once the scene is still, the hidden lab embeds the newest drawing: the one the Contrastive lab asked for last.
  const newest = requests(during, /clip/).at(-1)!.hashes;
  await expect.poll(async () => requests(await watched(), /llip/).at(-1)!.hashes, { timeout: 30_000 }).toEqual(newest);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
