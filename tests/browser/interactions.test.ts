/**
 * The Contrastive lab's controls as a person uses them: drop and paste images, the
 * temperature, hover, the loss beside the matrix, and the CSV and PNG exports.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, readMatrix, stopAll, waitForModel, type Session } from './harness';
import { setCaptions, setMode, waitForMatrix } from './lab';

const CAPTIONS = ['a red circle', 'a blue square', 'a green triangle'];

/** Sends a canvas-drawn PNG to the page as a drop on the image tray, or as a paste. */
async function deliverDrawing(page: Page, how: 'drop' | 'paste', name: string): Promise<void> {
  await page.evaluate(async ({ how, name }) => {
    const canvas = new OffscreenCanvas(100, 100);
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, 100, 100);
    context.fillStyle = '#2554dc';
    context.fillRect(25, 25, 50, 50);
    const file = new File([await canvas.convertToBlob({ type: 'image/png' })], name, { type: 'image/png' });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    if (how === 'drop') {
      document.querySelector('[data-testid="image-tray"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    } else {
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    }
  }, { how, name });
}

/** InfoNCE written out independently of the app: mean of row and column cross-entropies on the diagonal. */
function infoNceByHand(logits: number[][]): number {
  const n = logits.length;
  const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
  let rows = 0;
  let columns = 0;
  for (let i = 0; i < n; i++) {
    rows += lse(logits[i]) - logits[i][i];
    columns += lse(logits.map((r) => r[i])) - logits[i][i];
  }
  return (rows / n + columns / n) / 2;
}

describe('lab interactions', () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    session = await openApp('?device=wasm#contrastive');
    page = session.page;
    await waitForModel(page);
    await page.getByRole('button', { name: 'Clear' }).click();
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('takes images dropped on the tray and pasted into the page', async () => {
    await setCaptions(page, CAPTIONS);
    await deliverDrawing(page, 'drop', 'dropped.png');
    await deliverDrawing(page, 'paste', 'pasted.png');
    await page.getByRole('button', { name: 'Sample 1' }).click();
    await waitForMatrix(page, 3, CAPTIONS);
    const { rows, values } = await readMatrix(page);
    expect(rows).toEqual(['dropped.png', 'pasted.png', 'Sample 1']);
    // A blue square drawn by the canvas reads as "a blue square".
    for (const row of values.slice(0, 2)) expect(row.indexOf(Math.max(...row))).toBe(1);
  });

  it('shows the symmetric InfoNCE loss of the logits in the table', async () => {
    await setMode(page, 'Logits (cosine × scale)');
    const { values } = await readMatrix(page);
    const shown = Number(await page.getByTestId('loss-total').textContent());
    expect(shown).toBeCloseTo(infoNceByHand(values), 3);
  });

  it('the temperature control rescales logits and resets to the learned scale', async () => {
    const learned = Number(await page.getByTestId('scale-value').textContent());
    const before = await readMatrix(page);
    const slider = page.getByRole('slider', { name: 'Logit scale (log axis)' });
    await slider.fill(String(Math.log(5)));
    await expect.poll(async () => Number(await page.getByTestId('scale-value').textContent())).toBeCloseTo(5, 2);
    const after = await readMatrix(page);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(after.values[i][j]).toBeCloseTo((before.values[i][j] / learned) * 5, 2);
    await page.getByRole('button', { name: 'Reset to learned' }).click();
    expect(Number(await page.getByTestId('scale-value').textContent())).toBe(learned);
  });

  it('hovering a cell shows its exact value, image and caption', async () => {
    await setMode(page, 'Cosine similarity');
    const { values } = await readMatrix(page);
    const canvas = page.getByTestId('heatmap');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const [left, top, cell] = await Promise.all(['data-left', 'data-top', 'data-cell'].map(async (a) => Number(await canvas.getAttribute(a))));
    // The centre of row 2 (Sample 1), column 2 ("a green triangle").
    await page.mouse.move(box.x + left + 2.5 * cell, box.y + top + 2.5 * cell);
    const tooltip = page.getByRole('status').filter({ hasText: '“' });
    const text = (await tooltip.textContent()) ?? '';
    expect(text).toContain('“a green triangle”');
    expect(text).toContain('Sample 1');
    expect(text).toContain(values[2][2].toFixed(4));
  });

  it('exports the matrix as CSV (the table’s numbers) and as PNG', async () => {
    const { rows, columns, values } = await readMatrix(page);
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = (await readFile((await csvDownload.path())!, 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(['image', ...columns].join(','));
    csv.slice(1).forEach((line, i) => {
      const [label, ...numbers] = line.split(',');
      expect(label).toBe(rows[i]);
      expect(numbers.map(Number)).toEqual(values[i]);
    });
    const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    const png = await readFile((await pngDownload.path())!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(300); // width in pixels, from the IHDR chunk
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('the WASM thread count can be set, and the runtime says what it uses', async () => {
    await page.getByRole('combobox', { name: 'WASM threads' }).selectOption('1');
    await expect.poll(async () => (await page.getByTestId('runtime-panel').textContent()) ?? '', { timeout: 60_000 }).toMatch(/wasm,\s*fp32, 1 thread,/);
    await expect.poll(async () => (await readMatrix(page)).rows.length, { timeout: 60_000 }).toBe(3);
  });
});
