/**
 * Reading the attention lens as a person can: every view (layer × head, their mean, the rollout)
 * of one item, as the CSV the lens exports.
 */
import type { Page } from 'playwright-core';

/** Every view of the lens for one item, as its exported CSV: `layer/head` (or `rollout`) → values. */
export async function lensViews(page: Page, item: number): Promise<Map<string, number[]>> {
  const lens = page.getByTestId('attention-lens');
  await lens.getByLabel('Attention of').selectOption({ index: item });
  const layers = (await lens.getByLabel('Lens layer').locator('option').count()) - 1;
  const heads = await lens.getByLabel('Lens head').locator('option').count();
  const views = new Map<string, number[]>();
  const read = async (key: string) => {
    const before = await page.evaluate(() => (window as unknown as Kept).keptCsv.length);
    await lens.getByRole('button', { name: 'Export CSV' }).click();
    await page.waitForFunction((n) => (window as unknown as Kept).keptCsv.length > n, before);
    const csv = await page.evaluate(() => (window as unknown as Kept).keptCsv.at(-1) ?? '');
    views.set(key, csv.trim().split('\n').slice(2).flatMap((line) => line.split(',').slice(1).map(Number)));
  };
  for (let l = 0; l < layers; l++) {
    await lens.getByLabel('Lens layer').selectOption({ index: l });
    for (let h = 0; h < heads; h++) {
      await lens.getByLabel('Lens head').selectOption({ index: h });
      await read(`${l}/${h === 0 ? 'mean' : h - 1}`);
    }
  }
  await lens.getByLabel('Lens layer').selectOption({ index: layers });
  await read('rollout');
  return views;
}

interface Kept { keptCsv: string[] }

/**
 * Keeps each exported file's text in the page instead of downloading it: dozens of downloads
 * in a row from one page are not all delivered by the browser.
 */
export async function keepExports(page: Page): Promise<void> {
  await page.evaluate(() => {
    const kept = window as unknown as Kept & { exportsKept?: boolean };
    if (kept.exportsKept) return;
    kept.exportsKept = true;
    kept.keptCsv = [];
    // The blob behind each object URL, read directly: the page's Content-Security-Policy does not
    // let it fetch blob: URLs (connections go only to the page's origin and the hub).
    const blobs = new Map<string, Blob>();
    const createObjectURL = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (object: Blob | MediaSource) => {
      const url = createObjectURL(object);
      if (object instanceof Blob) blobs.set(url, object);
      return url;
    };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      const blob = blobs.get(this.href);
      if (!this.download.endsWith('.csv') || !blob) return click.call(this);
      void blob.text().then((text) => kept.keptCsv.push(text));
    };
  });
}
