/**
 * Compare mode: model B in its own worker, on the lab's inputs. The agreement figures the page
 * shows are recomputed here from the two tables it shows (top-1 and Spearman written out
 * independently of the app).
 */
import { afterAll, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { openApp, stopAll, waitForModel } from './harness';
import { setCaptions, waitForMatrix } from './lab';

afterAll(stopAll);

const CAPTIONS = ['a green square', 'a red triangle', 'a red circle', 'a yellow triangle'];

async function table(locator: Locator): Promise<number[][]> {
  return locator.evaluate((t) => [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value')))));
}

function rankOf(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return values.map((v) => {
    const first = sorted.indexOf(v);
    const last = sorted.lastIndexOf(v);
    return (first + last) / 2 + 1;
  });
}

function pearson(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  const cov = a.reduce((s, v, k) => s + (v - ma) * (b[k] - mb), 0);
  return cov / Math.sqrt(a.reduce((s, v) => s + (v - ma) ** 2, 0) * b.reduce((s, v) => s + (v - mb) ** 2, 0));
}

it('compares the lab model with model B on identical inputs', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  await setCaptions(page, CAPTIONS);
  await waitForMatrix(page, 4, CAPTIONS);
  await page.getByRole('button', { name: 'Compare with another model…' }).click();
  const compare = page.getByTestId('compare');
  await compare.getByTestId('compare-summary').waitFor({ timeout: 60_000 });
  await compare.getByText('The numbers of A and B').click();
  const a = await table(compare.getByTestId('compare-a-table'));
  const b = await table(compare.getByTestId('compare-b-table'));
  expect(a.length).toBe(4);
  expect(b.length).toBe(4);

  // Top-1 agreement and Spearman over all cells, recomputed from the two tables.
  const argmax = (row: number[]) => row.indexOf(Math.max(...row));
  const agreeing = a.filter((row, i) => argmax(row) === argmax(b[i])).length;
  expect(await compare.getByTestId('top1-agreement').textContent()).toBe(`${agreeing} of 4`);
  const rho = pearson(rankOf(a.flat()), rankOf(b.flat()));
  expect(Number(await compare.getByTestId('overall-spearman').textContent())).toBeCloseTo(rho, 3);
  // The same bundled model on the same backend: the same matrix, up to the float rounding of
  // different batch compositions.
  expect(agreeing).toBe(4);
  a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i][j])).toBeLessThan(1e-6)));
  // One embedding map per model.
  expect(await compare.getByTestId('compare-maps').getByTestId('embedding-map').count()).toBe(2);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});

it('compares one model in two precisions: fp32 against its 8-bit weights', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  await setCaptions(page, CAPTIONS);
  await waitForMatrix(page, 4, CAPTIONS);
  await page.getByRole('button', { name: 'Compare with another model…' }).click();
  const compare = page.getByTestId('compare');
  await compare.getByTestId('compare-summary').waitFor({ timeout: 60_000 });
  await compare.getByLabel('Precision').selectOption('q8');
  await compare.getByTestId('runtime-dtype').filter({ hasText: 'q8' }).waitFor({ timeout: 60_000 });
  await compare.getByText('The numbers of A and B').click();
  // The comparison follows B's reload: wait until B's table is labelled with its new precision.
  await compare.getByTestId('compare-b-table').filter({ hasText: 'q8' }).waitFor({ timeout: 60_000 });
  const a = await table(compare.getByTestId('compare-a-table'));
  const b = await table(compare.getByTestId('compare-b-table'));
  const differences = a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j])));
  // Different weights ran (the cells differ), and 8-bit weights stay close to fp32 and pick the
  // same caption for every image.
  expect(Math.max(...differences)).toBeGreaterThan(1e-6);
  expect(Math.max(...differences)).toBeLessThan(0.05);
  expect(await compare.getByTestId('top1-agreement').textContent()).toBe('4 of 4');
  expect(Number(await compare.getByTestId('overall-spearman').textContent())).toBeGreaterThan(0.9);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
