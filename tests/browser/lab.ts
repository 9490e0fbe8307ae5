/** What a person does in the Contrastive lab, as test steps. */
import type { Page } from 'playwright-core';

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
