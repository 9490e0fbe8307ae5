/**
 * The first page: what VLMs are, the article's families as a map pointing to the labs, live
 * thumbnails drawn from the models' outputs (the same numbers the labs show), and the lessons.
 * Offline; the default model starts in the background, the others only when asked.
 */
import { afterAll, expect, it } from 'vitest';
import { budgetTable } from '../../src/lib/budget/registry';
import { LESSONS } from '../../src/labs/lessons/catalogue';
import { openApp, readMatrix, stopAll } from './harness';

afterAll(stopAll);

const thumbValues = (page: import('playwright-core').Page, lab: string) =>
  page.locator(`[data-testid="thumb-${lab}"] [data-value]`).evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));

it('opens on the front door: the families map, live thumbnails, the lessons; every lab one click away', async () => {
  const session = await openApp('?device=wasm');
  const { page } = session;
  const door = page.getByTestId('front-door');
  await door.waitFor();
  expect(await page.locator('main#contrastive').isVisible()).toBe(false);
  const text = (await door.textContent()) ?? '';
  for (const model of ['CLIP', 'SigLIP', 'Llip', 'FLAVA', 'MaskVLM', 'CoCa', 'CM3leon', 'Idefics', 'InternVL', 'Qwen2-VL', 'MiniCPM-V', 'SmolVLM']) expect(text).toContain(model);
  const families = await door.locator('article.family').evaluateAll((els) => els.map((e) => e.getAttribute('data-family')));
  expect(families).toEqual(['contrastive', 'masking', 'generative', 'backbones', 'failures']);
  const labs = await door.locator('.family a[href^="#"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(labs).toEqual(['#contrastive', '#llip', '#masking', '#generative', '#tokens', '#backbone', '#budget', '#probes']);
  expect(await door.getByTestId('lesson-list').locator('li').count()).toBe(LESSONS.length);
  expect(LESSONS.length).toBeGreaterThanOrEqual(8);

  // The default model was started before the page mounted: the Contrastive thumbnail turns live
  // with the very numbers of the lab's own (hidden) matrix table.
  await page.locator('[data-testid="thumb-contrastive"][data-live="true"]').waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="image-card"][data-status="pending"]') && document.querySelectorAll('[data-testid="thumb-contrastive"] td[data-value]').length === 16, undefined, { timeout: 120_000 });
  const matrix = await readMatrix(page);
  expect(await thumbValues(page, 'contrastive')).toEqual(matrix.values.flat());
  // Its row winners are the diagonal, as in the lab.
  expect(matrix.values.map((row) => row.indexOf(Math.max(...row)))).toEqual([0, 1, 2, 3]);
  // The explorer's thumbnail needs no model: its bars are the processors' rules for 1920 × 1080.
  const rules = budgetTable({ width: 1920, height: 1080 }).filter((r) => r.budget).map((r) => r.budget!.visualTokens);
  expect(await thumbValues(page, 'budget')).toEqual(rules);
  // Only the default model runs so far; the other thumbnails say they are not live.
  expect(page.workers().filter((w) => w.url().includes('inference.worker'))).toHaveLength(1);
  for (const lab of ['llip', 'masking', 'generative', 'backbone', 'tokens', 'probes']) {
    const thumb = page.getByTestId(`thumb-${lab}`);
    expect(await thumb.getAttribute('data-live')).toBe('false');
    expect(await thumb.textContent()).toMatch(/Not live/);
  }

  // Asked for, the other labs mount in the background and their thumbnails turn live from their tables.
  await page.getByRole('button', { name: 'Make every thumbnail live' }).click();
  for (const lab of ['llip', 'masking', 'generative', 'backbone', 'tokens']) {
    await page.locator(`[data-testid="thumb-${lab}"][data-live="true"]`).waitFor({ timeout: 180_000 });
  }
  expect(await door.isVisible()).toBe(true);
  const itm = Number(await page.locator('#masking [data-testid="itm"]').textContent());
  expect(await thumbValues(page, 'masking')).toEqual([expect.closeTo(itm, 4)]);
  expect(await page.getByTestId('thumb-generative').textContent()).toContain((await page.locator('#generative [data-testid="caption-text"]').textContent())!);
  expect(await page.getByTestId('thumb-backbone').textContent()).toContain((await page.locator('#backbone [data-testid="answer-text"]').textContent())!);
  const weights = await page.locator('#llip [data-testid="llip-weights"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value')))));
  const llip = await thumbValues(page, 'llip');
  expect(llip.length % 8).toBe(0);
  // Each thumbnail row is the mean of one caption's heads: it sums to 1 like every row of the table.
  for (let r = 0; r < llip.length / 8; r++) expect(llip.slice(r * 8, r * 8 + 8).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
  expect(weights.length).toBeGreaterThanOrEqual(llip.length / 8);
  expect(await thumbValues(page, 'tokens')).toEqual([Number(await page.locator('#tokens [data-testid="tokenized"]').getAttribute('data-error'))]);

  // A family's link opens its lab.
  await door.getByRole('link', { name: 'Llip lab →' }).click();
  await page.getByTestId('llip-lab').waitFor({ state: 'visible' });
  expect(await page.getByTestId('front-door').count()).toBe(0);
  await page.getByRole('link', { name: 'VLM Playground' }).click();
  await page.getByTestId('front-door').waitFor();
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});

it('an unknown route opens the front door', async () => {
  const session = await openApp('?device=wasm#nowhere');
  await session.page.getByTestId('front-door').waitFor();
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
