/**
 * The image-to-token explorer in headless Chromium, offline: the link opens its size, the rows
 * and the drawing follow typed sizes and the link follows them, an upload uses its real size,
 * absurd sizes and bad files get a message and change nothing, and transformers.js's own
 * processors run in the page's worker, agreeing or disagreeing as the sweep test lists.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { openApp, stopAll, type Session } from './harness';
import { NOT_AN_IMAGE, pngHeaderOnly } from './fixtures';

async function tokens(page: Page, id: string): Promise<number> {
  return Number(await page.locator(`[data-testid="budget-table"] tr[data-id="${id}"]`).getAttribute('data-tokens'));
}

async function typeSize(page: Page, width: string, height: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Width', exact: true }).fill(width);
  await page.getByRole('textbox', { name: 'Height', exact: true }).fill(height);
}

describe('the image-to-token explorer', () => {
  let session: Session;
  let page: Page;
  let view: Locator;

  beforeAll(async () => {
    session = await openApp('#budget?w=1920&h=1080');
    page = session.page;
    view = page.getByTestId('budget-view');
    await view.waitFor();
  });

  afterAll(async () => {
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await session.close();
    await stopAll();
  });

  it('opens on the size in the link, one row per architecture', async () => {
    await expect.poll(() => view.getAttribute('data-size')).toBe('1920x1080');
    expect(await page.getByRole('textbox', { name: 'Width', exact: true }).inputValue()).toBe('1920');
    expect(await page.locator('[data-testid="budget-table"] tbody tr').count()).toBe(10);
    expect(await tokens(page, 'idefics3')).toBe(13 * 169);
    expect(await tokens(page, 'qwen2-vl')).toBe(2691);
    expect(await tokens(page, 'internvl2.5')).toBe(9 * 256);
    expect(await page.getByTestId('tiling-canvas').getAttribute('data-resized')).toBe('1456x1092');
  });

  it('updates the rows, the drawing, the prompt and the link as the size changes', async () => {
    await page.getByRole('button', { name: 'InternVL2.5', exact: true }).click();
    const canvas = page.getByTestId('tiling-canvas');
    await expect.poll(() => canvas.getAttribute('data-architecture')).toBe('InternVL2.5');
    expect(await canvas.getAttribute('data-resized')).toBe('1792x896');
    const before = await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
    await typeSize(page, '640', '480');
    await expect.poll(() => view.getAttribute('data-size')).toBe('640x480');
    expect(await tokens(page, 'qwen2-vl')).toBe(391); // 644 × 476: 46 × 34 patches / 4
    expect(await canvas.getAttribute('data-resized')).toBe('1792x1344');
    expect(await canvas.getAttribute('data-tiles')).toBe('12');
    expect(await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL())).not.toBe(before);
    expect(await page.getByTestId('token-sequence').textContent()).toBe('<img><IMG_CONTEXT>×3328</img>');
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#budget\?w=640&h=480&arch=internvl2\.5&/);
    // Dragging the width slider moves the size too.
    await page.getByRole('slider', { name: 'Width slider' }).fill('1000');
    await expect.poll(() => view.getAttribute('data-size')).toBe('1000x480');
  });

  it('runs transformers.js in a worker and says where it differs from the Python reference', async () => {
    await typeSize(page, '70', '70');
    await expect.poll(() => page.getByTestId('tjs-status').textContent(), { timeout: 60_000 }).toMatch(/pipeline/);
    const row = (id: string) => page.locator(`tr[data-id="${id}"] [data-testid="tjs-count"]`);
    expect(await row('llava-1.5').textContent()).toBe('577 ≠');
    expect(await row('qwen2-vl').textContent()).toBe('9 ≠'); // 70 / 28 = 2.5: Math.round gives 3, Python's round 2
    expect(await tokens(page, 'qwen2-vl')).toBe(4);
    expect(await row('paligemma').textContent()).toBe('256');
    expect(await row('idefics3').textContent()).toBe(String(await tokens(page, 'idefics3')));
    const differences = await page.getByTestId('tjs-differences').textContent();
    expect(differences).toMatch(/Qwen2-VL.*round goes to even/);
    expect(differences).toMatch(/LLaVA-1\.5.*577.*576/);
  });

  it('an upload uses the image\'s real size', async () => {
    const png = await sharp({ create: { width: 301, height: 157, channels: 3, background: '#d32f2f' } }).png().toBuffer();
    await page.getByLabel('Upload an image').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => view.getAttribute('data-size')).toBe('301x157');
    expect(await page.getByTestId('size-source').textContent()).toContain('wide.png');
    expect(await page.getByRole('textbox', { name: 'Height', exact: true }).inputValue()).toBe('157');
    // An image of the shared inputs: a ShapesWorld sample is drawn at 128 × 128.
    await page.getByTestId('budget-view').getByRole('button', { name: 'Sample 1', exact: true }).click();
    await expect.poll(() => view.getAttribute('data-size')).toBe('128x128');
    expect(await page.getByTestId('size-source').textContent()).toContain('Sample 1');
    await page.getByLabel('Upload an image').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => view.getAttribute('data-size')).toBe('301x157');
  });

  it('absurd sizes and bad files get a message and change nothing', async () => {
    const qwen = await tokens(page, 'qwen2-vl');
    for (const [w, h, pattern] of [['0', '100', /at least 1 pixel/], ['-5', '100', /at least 1 pixel/], ['100000', '1', /larger than 16384/], ['wide', '100', /not a number/], ['', '100', /empty/], ['12.5', '100', /whole number/]] as const) {
      await typeSize(page, w, h);
      await expect.poll(() => page.getByTestId('size-message').textContent()).toMatch(pattern);
      expect(await view.getAttribute('data-size')).toBe('301x157');
      expect(await tokens(page, 'qwen2-vl')).toBe(qwen);
    }
    await page.getByLabel('Upload an image').setInputFiles({ name: 'scores.csv', mimeType: 'text/csv', buffer: NOT_AN_IMAGE });
    await expect.poll(() => page.getByTestId('file-message').textContent()).toContain('scores.csv');
    await page.getByLabel('Upload an image').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: pngHeaderOnly(640, 480) });
    await expect.poll(() => page.getByTestId('file-message').textContent()).toContain('broken.png');
    expect(await view.getAttribute('data-size')).toBe('301x157');
    // Qwen2-VL's own refusal (aspect ratio above 200) is a row message, not a lost table.
    await typeSize(page, '10000', '20');
    await expect.poll(() => view.getAttribute('data-size')).toBe('10000x20');
    expect(await page.locator('tr[data-id="qwen2-vl"] .refusal').textContent()).toMatch(/aspect ratio must be smaller than 200/);
    expect(await tokens(page, 'paligemma')).toBe(256);
  });
});
