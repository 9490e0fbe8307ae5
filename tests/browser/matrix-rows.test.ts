/**
 * While a shape is dragged, an answer for the composed image redraws only the matrix rows it
 * changed. After a drag, the canvas and the table must be what a fresh drawing of the whole
 * figure gives: no row left stale (a number, a colour, a moved argmax mark, a thumbnail).
 */
import { afterAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, readMatrix, stopAll, waitForModel } from './harness';
import { setCaptions, setMode, waitForMatrix } from './lab';

afterAll(stopAll);

const CAPTIONS = ['a red circle on the left', 'a red circle on the right', 'a blue square'];
const ROWS = 'Softmax over each row (image → text)';

/** A hash of the heatmap's pixels, whole and per matrix row (the strip from the left edge). */
function heatmapPixels(page: Page): Promise<{ whole: string; rows: string[] }> {
  return page.getByTestId('heatmap').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d')!;
    const hash = (data: Uint8ClampedArray) => {
      let h = 2166136261;
      for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 16777619) >>> 0;
      return `${data.length}:${h}`;
    };
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const [top, cell] = [Number(canvas.dataset.top), Number(canvas.dataset.cell)];
    const rows = [...document.querySelectorAll('[data-testid="matrix-table"] tbody tr')].map((_, i) =>
      hash(context.getImageData(0, Math.round((top + i * cell) * ratio), canvas.width, Math.round(cell * ratio)).data),
    );
    return { whole: hash(context.getImageData(0, 0, canvas.width, canvas.height).data), rows };
  });
}

/** The table's cells as shown: the numbers and the argmax marks. */
const tableText = (page: Page) => page.getByTestId('matrix-table').evaluate((t) => [...t.querySelectorAll('tbody td')].map((td) => td.textContent?.trim()));

/** What each paint of the matrix redrew: 'all', or the rows drawn alone. */
const paints = (page: Page) =>
  page.evaluate(() => performance.getEntriesByName('vlm:matrix-painted').map((m) => (m as PerformanceMark).detail?.redrawn as number[] | 'all'));

it('after a drag, every row of the heatmap and the table is what a full redraw shows', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  await setCaptions(page, CAPTIONS);
  await setMode(page, ROWS);
  await waitForMatrix(page, 4, CAPTIONS);
  await page.getByRole('button', { name: 'Compose a scene…' }).click();
  await waitForMatrix(page, 5, CAPTIONS);
  const before = await readMatrix(page);
  expect(before.rows[4]).toMatch(/^Composed/);
  const paintsBefore = (await paints(page)).length;

  // Drag the circle from the left (x = 0.2) to the right, as a mouse would.
  const surface = page.getByTestId('composer-surface');
  await surface.scrollIntoViewIfNeeded();
  const box = (await surface.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  for (let k = 1; k <= 12; k++) await page.mouse.move(box.x + box.width * (0.2 + 0.05 * k), box.y + box.height * 0.5);
  await page.mouse.up();
  await expect.poll(async () => {
    const { values } = await readMatrix(page);
    return values[4][1] > values[4][0];
  }, { timeout: 30_000 }).toBe(true);
  await waitForMatrix(page, 5, CAPTIONS);
  const dragged = await readMatrix(page);
  // Only the composed row's numbers moved; the answers were drawn as row redraws.
  expect(dragged.values.slice(0, 4)).toEqual(before.values.slice(0, 4));
  expect(dragged.values[4]).not.toEqual(before.values[4]);
  const during = (await paints(page)).slice(paintsBefore);
  expect(during.length).toBeGreaterThan(0);
  expect(during.filter((p) => p !== 'all').length).toBeGreaterThan(0);
  for (const p of during) if (p !== 'all') expect(p).toContain(4);
  const afterDrag = { pixels: await heatmapPixels(page), table: await tableText(page), matrix: dragged };

  // A fresh drawing of the whole figure: another mode and back.
  await setMode(page, 'Cosine similarity');
  await expect.poll(async () => (await heatmapPixels(page)).whole).not.toBe(afterDrag.pixels.whole);
  const fullBefore = (await paints(page)).length;
  await setMode(page, ROWS);
  await expect.poll(async () => (await paints(page)).length).toBeGreaterThan(fullBefore);
  expect((await paints(page)).at(-1)).toBe('all');
  const fresh = { pixels: await heatmapPixels(page), table: await tableText(page), matrix: await readMatrix(page) };
  expect(afterDrag.pixels.rows).toEqual(fresh.pixels.rows);
  expect(afterDrag.pixels.whole).toBe(fresh.pixels.whole);
  expect(afterDrag.table).toEqual(fresh.table);
  expect(afterDrag.matrix).toEqual(fresh.matrix);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
