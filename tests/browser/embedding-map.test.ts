/**
 * The embedding map in the browser: its PCA coordinates, read from the page's table, equal a
 * reference computed here independently (power iteration on the covariance of the PyTorch
 * goldens' embeddings), up to the sign of each axis.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { openApp, stopAll, waitForModel } from './harness';
import { setCaptions, waitForMatrix } from './lab';
import { type GoldenTensor } from './goldens';

const goldens = JSON.parse(readFileSync('static/models/shapes-clip/goldens.json', 'utf8')) as {
  inputs: { captions: string[] };
  outputs: { image_embeds: GoldenTensor; text_embeds: GoldenTensor };
};

afterAll(stopAll);

function unitRows(t: GoldenTensor): number[][] {
  const [n, d] = t.dims;
  return Array.from({ length: n }, (_, i) => {
    const row = t.data.slice(i * d, (i + 1) * d);
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm);
  });
}

/** Top-k principal axes by power iteration with deflation (a different method from the app's). */
function referencePca(points: number[][], k: number): { scores: number[][] } {
  const dim = points[0].length;
  const mean = Array.from({ length: dim }, (_, j) => points.reduce((s, p) => s + p[j], 0) / points.length);
  const centred = points.map((p) => p.map((v, j) => v - mean[j]));
  const cov = Array.from({ length: dim }, (_, a) => Array.from({ length: dim }, (_, b) => centred.reduce((s, p) => s + p[a] * p[b], 0)));
  const axes: number[][] = [];
  for (let c = 0; c < k; c++) {
    let v = Array.from({ length: dim }, (_, j) => Math.cos(j + c));
    for (let it = 0; it < 5000; it++) {
      let w = cov.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      for (const a of axes) {
        const dot = w.reduce((s, x, j) => s + x * a[j], 0);
        w = w.map((x, j) => x - dot * a[j]);
      }
      const norm = Math.hypot(...w);
      v = w.map((x) => x / norm);
    }
    axes.push(v);
  }
  return { scores: centred.map((p) => axes.map((a) => p.reduce((s, x, j) => s + x * a[j], 0))) };
}

/** Caption labels of the map that run past its left or right edge. */
function labelsOutside(page: Page): Promise<string[]> {
  return page.getByTestId('embedding-map').evaluate((svg) => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('g.point text')]
      .filter((t) => t.getBoundingClientRect().right > box.right + 0.5 || t.getBoundingClientRect().left < box.left - 0.5)
      .map((t) => t.textContent ?? '');
  });
}

it('PCA coordinates of 8 images and 8 captions match an independent reference; labels inside the figure; CSV export; seeded UMAP', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  // The opening inputs put a caption's point near the right edge: its label is written leftwards.
  await waitForMatrix(page, 4, 4);
  expect(await labelsOutside(page)).toEqual([]);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('button', { name: 'Sample 8' }).click();
  await setCaptions(page, goldens.inputs.captions);
  await waitForMatrix(page, 8, goldens.inputs.captions);
  await page.getByTestId('embedding-table').waitFor({ state: 'attached' });
  const rows = await page.getByTestId('embedding-table').evaluate((table) =>
    [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  expect(rows.length).toBe(16);
  const app = rows.map(([kind, index, , x, y]) => ({ kind, index: Number(index), x: Number(x), y: Number(y) }));

  const points = [...unitRows(goldens.outputs.image_embeds), ...unitRows(goldens.outputs.text_embeds)];
  const { scores } = referencePca(points, 2);
  const reference = app.map((p) => scores[(p.kind === 'image' ? 0 : 8) + p.index]);
  for (const axis of [0, 1]) {
    const appAxis = app.map((p) => (axis === 0 ? p.x : p.y));
    const refAxis = reference.map((r) => r[axis]);
    const sign = Math.sign(appAxis.reduce((s, v, i) => s + v * refAxis[i], 0));
    for (let i = 0; i < appAxis.length; i++) expect(Math.abs(appAxis[i] - sign * refAxis[i])).toBeLessThan(1e-3);
  }
  expect(await labelsOutside(page)).toEqual([]);

  // The map's CSV export holds the same coordinates, at full precision.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export map CSV' }).click()]);
  const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  expect(csv.length).toBe(16);
  csv.forEach((fields, i) => {
    expect(Number(fields.at(-2))).toBeCloseTo(app[i].x, 4);
    expect(Number(fields.at(-1))).toBeCloseTo(app[i].y, 4);
  });

  // UMAP on request: seeded, so asking twice gives the same layout.
  const umapRows = async () => {
    await page.getByRole('combobox', { name: 'Projection' }).selectOption('umap');
    await expect.poll(() => page.getByTestId('embedding-table').locator('thead th').nth(3).textContent(), { timeout: 60_000 }).toBe('UMAP 1');
    return page.getByTestId('embedding-table').evaluate((table) => [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].slice(3).map((td) => Number(td.textContent))));
  };
  const first = await umapRows();
  expect(first.length).toBe(16);
  expect(first.flat().every(Number.isFinite)).toBe(true);
  await page.getByRole('combobox', { name: 'Projection' }).selectOption('pca');
  expect(await umapRows()).toEqual(first);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
