/**
 * The runtime's own behaviour: which backend `auto` picks and why, unloading a lab's model
 * (which must end its worker), and a quiet console while the bundled models load. This
 * machine's Chromium offers WebGPU only as SwiftShader, an adapter it reports as a fallback.
 */
import { afterAll, expect, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import { openApp, stopAll, waitForModel } from './harness';

afterAll(stopAll);

const inferenceWorkers = (page: Page): Worker[] => page.workers().filter((w) => w.url().includes('inference.worker'));

it('auto runs WASM on a software adapter and the panel says why', async () => {
  const { page, external, pageErrors, close } = await openApp('#contrastive');
  expect(await page.getByRole('combobox', { name: 'Backend' }).inputValue()).toBe('auto');
  expect(await waitForModel(page)).toBe('wasm');
  expect(await page.getByTestId('runtime-reason').textContent()).toMatch(/^Auto: the browser's WebGPU adapter \(.*swiftshader.*\) is a software fallback, slower than WASM, so WASM\.$/i);
  // The matrix is live on that backend.
  await page.locator('[data-testid="matrix-table"] tbody td[data-value]').first().waitFor();
  expect(external).toEqual([]);
  expect(pageErrors).toEqual([]);
  await close();
});

it('an explicit WASM choice says so', async () => {
  const { page, close } = await openApp('?device=wasm#contrastive');
  expect(await waitForModel(page)).toBe('wasm');
  expect(await page.getByTestId('runtime-reason').textContent()).toBe('WASM, as chosen.');
  await close();
});

it("unloading a lab's model ends its worker; loading again starts one", async () => {
  const { page, external, pageErrors, close } = await openApp('?device=wasm#masking');
  const lab = page.getByTestId('masking-lab');
  const panel = lab.getByTestId('runtime-panel');
  await panel.and(page.locator('[data-status="ready"]')).waitFor({ timeout: 120_000 });
  await waitForModel(page);
  // The Contrastive lab's runtime (always there) and the Masking lab's.
  await expect.poll(() => inferenceWorkers(page).length, { timeout: 30_000 }).toBe(2);
  const before = inferenceWorkers(page);
  const closed: string[] = [];
  for (const w of before) w.on('close', () => closed.push(w.url()));

  await panel.getByRole('button', { name: 'Unload model' }).click();
  await expect.poll(() => closed.length, { timeout: 30_000 }).toBe(1);
  expect(inferenceWorkers(page)).toHaveLength(1);
  expect(await panel.getAttribute('data-status')).toBe('unloaded');
  await expect.poll(() => panel.getByRole('status').textContent()).toContain('Model unloaded');
  // The Contrastive lab's runtime keeps its worker and its model.
  await page.getByRole('link', { name: 'Contrastive lab' }).click();
  expect(await page.locator('header [data-testid="runtime-panel"]').getAttribute('data-status')).toBe('ready');
  await page.getByRole('link', { name: 'Masking lab' }).click();

  await panel.getByRole('button', { name: 'Load again' }).click();
  await panel.and(page.locator('[data-status="ready"]')).waitFor({ timeout: 120_000 });
  expect(inferenceWorkers(page)).toHaveLength(2);
  expect(closed).toHaveLength(1);
  expect(external).toEqual([]);
  expect(pageErrors).toEqual([]);
  await close();
});

it("the bundled models load with nothing on the console: no warning, no error", async () => {
  const { page, url, external, pageErrors, close } = await openApp('');
  const messages: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' || message.type() === 'error') messages.push(`${message.type()}: ${message.text()}`);
  });
  // The Token lab's models are of the forge's own types (transformers.js knows neither), and the
  // Contrastive lab's is the one the front door shows.
  await page.goto(`${url.replace(/[?#].*$/, '')}?device=wasm#tokens`);
  expect(await waitForModel(page)).toBe('wasm');
  await page.evaluate(() => (location.hash = '#contrastive'));
  await page.locator('main#contrastive [data-testid="matrix-table"] tbody td[data-value]').first().waitFor({ timeout: 120_000 });
  expect(messages).toEqual([]);
  expect(external).toEqual([]);
  expect(pageErrors).toEqual([]);
  await close();
});
