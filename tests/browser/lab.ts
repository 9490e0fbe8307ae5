/** What a person does in the Contrastive lab, as test steps. */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { openApp, type Session } from './harness';

export async function captionInputs(page: Page) {
  return page.getByRole('textbox', { name: /^Caption \d+$/ });
}

/** Replaces the caption list with `captions`, typing as a person would. */
export async function setCaptions(page: Page, captions: readonly string[]): Promise<void> {
  let inputs = await captionInputs(page);
  while ((await inputs.count()) > captions.length) {
    await page.getByRole('button', { name: `Remove caption ${await inputs.count()}` }).click();
  }
  while ((await inputs.count()) < captions.length) await page.getByRole('button', { name: '+ Add caption' }).click();
  inputs = await captionInputs(page);
  for (let k = 0; k < captions.length; k++) await inputs.nth(k).fill(captions[k]);
}

export async function setMode(page: Page, label: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Matrix mode' }).selectOption({ label });
}

/**
 * Waits until the accessible table has this many rows and these columns (a count, or the
 * exact caption texts: a column keeps its previous text until the new one is embedded), and
 * every image has settled.
 */
export async function waitForMatrix(page: Page, rows: number, columns: number | readonly string[]): Promise<void> {
  await page.waitForFunction(
    ([r, c]) => {
      const table = document.querySelector('[data-testid="matrix-table"]');
      if (!table) return false;
      const body = table.querySelectorAll('tbody tr');
      const headers = [...table.querySelectorAll('thead th')].slice(1).map((th) => th.textContent);
      const columnsMatch = typeof c === 'number' ? headers.length === c : JSON.stringify(headers) === JSON.stringify(c);
      return body.length === r && columnsMatch
        && document.querySelectorAll('[data-testid="image-card"][data-status="pending"]').length === 0;
    },
    [rows, columns] as const,
    { timeout: 120_000 },
  );
}

/** Types a hub repo id, has it checked (config and sizes), then confirms the download. */
export async function loadRepo(page: Page, repo: string, dtype = 'fp32'): Promise<void> {
  await page.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'A hub repo…' });
  await page.getByRole('textbox', { name: 'Hub repo id' }).fill(repo);
  await page.getByRole('combobox', { name: 'Precision' }).selectOption(dtype);
  // A repo checked before (same id and precision) goes straight to its confirmation.
  const check = page.getByRole('button', { name: 'Check the model' });
  if (await check.count()) await check.click();
  // The picker's own button: a link naming a hub model may offer its download beside it.
  const confirm = page.locator('form.repo').getByRole('button', { name: /^Download .* and load$/ });
  const refused = page.getByTestId('inspect-error');
  await expect.poll(async () => (await confirm.count()) + (await refused.count()), { timeout: 60_000 }).toBeGreaterThan(0);
  if (await confirm.count()) await confirm.click();
}

/**
 * Opens a lab (`#<route>`, WASM) once its model is ready, with the shared images set to the
 * eight golden samples (Clear, then Sample 8 adds samples 1–8).
 */
export async function openLabOnSamples(route: string): Promise<{ session: Session; page: Page; lab: Locator }> {
  const session = await openApp(`?device=wasm#${route}`);
  const page = session.page;
  const lab = page.getByTestId(`${route}-lab`);
  await lab.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
  await lab.getByRole('button', { name: 'Clear' }).click();
  await lab.getByRole('button', { name: 'Sample 8' }).click();
  return { session, page, lab };
}

/** Starts over with one composed scene (a red circle at the left) and these captions, its matrix drawn. */
export async function composeOnCaptions(page: Page, captions: readonly string[]): Promise<void> {
  await page.getByRole('button', { name: 'Clear' }).click();
  await setCaptions(page, captions);
  await page.getByRole('button', { name: 'Compose a scene…' }).click();
  await waitForMatrix(page, 1, captions.length);
}

/**
 * A real press on the composed circle (at x = 0.2), then `moves` pointer moves to the right in
 * one task, so none of the worker's answers can come in between, then the release. `watched`
 * names a page global to read (a copy) right after the moves, in the same task.
 */
export async function dragInOneTask<T = null>(page: Page, moves: number, watched?: string): Promise<T> {
  const surface = page.getByTestId('composer-surface');
  await surface.scrollIntoViewIfNeeded();
  const box = (await surface.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  const during = await page.evaluate(({ box: { x: left, y: top, width, height }, moves: count, watched: name }) => {
    const svg = document.querySelector('[data-testid="composer-surface"]')!;
    for (let k = 1; k <= count; k++) {
      svg.dispatchEvent(new PointerEvent('pointermove', { bubbles: true, clientX: left + width * (0.2 + (0.6 * k) / count), clientY: top + height * 0.5, pointerId: 1, buttons: 1 }));
    }
    return name ? structuredClone((window as unknown as Record<string, unknown>)[name]) : null;
  }, { box, moves, watched });
  await page.mouse.up();
  return during as T;
}
