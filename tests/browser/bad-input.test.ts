/**
 * Bad input in the Contrastive lab: each bad file gets a clear message on its own card, and
 * the other images, the captions and the matrix stay. Captions too long or empty are
 * handled in place. A drawing made with another tool (the browser's canvas) is recognised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, readMatrix, stopAll, waitForModel, type Session } from './harness';
import { captionInputs, setCaptions, setMode, waitForMatrix } from './lab';
import { animatedGif, NOT_AN_IMAGE, pngHeaderOnly, SVG } from './fixtures';

const CAPTIONS = ['a red circle', 'a blue square', 'a green triangle', 'a yellow circle'];

/** An image drawn by the browser's own 2-D canvas, encoded by the browser: a red circle on white. */
async function drawnImage(page: Page, type: 'image/png' | 'image/jpeg', scale = 1): Promise<Buffer> {
  const dataUrl = await page.evaluate(([mime, k]) => {
    const canvas = document.createElement('canvas');
    canvas.width = 240 * k;
    canvas.height = 180 * k;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = '#dd2222';
    context.beginPath();
    context.arc(120 * k, 90 * k, 50 * k, 0, 2 * Math.PI);
    context.fill();
    return canvas.toDataURL(mime, 0.9);
  }, [type, scale] as const);
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

async function cardFor(page: Page, name: string) {
  return page.getByTestId('image-card').filter({ hasText: name });
}

describe('bad input', () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    session = await openApp('?device=wasm#contrastive');
    page = session.page;
    await waitForModel(page);
    await setCaptions(page, CAPTIONS);
    await waitForMatrix(page, 4, CAPTIONS);
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('refuses each bad file with its own message and keeps everything else', async () => {
    const before = await readMatrix(page);
    const jpeg = await drawnImage(page, 'image/jpeg');
    await page.getByTestId('file-input').setInputFiles([
      { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
      { name: 'scores.png', mimeType: 'image/png', buffer: NOT_AN_IMAGE },
      { name: 'cut.jpg', mimeType: 'image/jpeg', buffer: jpeg.subarray(0, Math.floor(jpeg.length * 0.6)) },
      { name: 'huge.png', mimeType: 'image/png', buffer: pngHeaderOnly(20000, 20000) },
      { name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: SVG },
      { name: 'blink.gif', mimeType: 'image/gif', buffer: animatedGif() },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="image-card"][data-status="pending"]').length === 0);

    const expectations: [string, RegExp][] = [
      ['empty.png', /empty \(0 bytes\)/],
      ['scores.png', /not an image/],
      ['cut.jpg', /truncated/],
      ['huge.png', /too large \(20000 × 20000/],
      ['drawing.svg', /SVG drawings are not supported/],
    ];
    for (const [name, message] of expectations) {
      const card = await cardFor(page, name);
      await expect.poll(() => card.getAttribute('data-status')).toBe('error');
      expect(await card.getByRole('alert').textContent()).toMatch(message);
    }
    // The animated GIF is used, with a note that the model sees its first frame.
    const gif = await cardFor(page, 'blink.gif');
    expect(await gif.getAttribute('data-status')).toBe('ready');
    expect(await gif.textContent()).toMatch(/first frame/);

    // The earlier images and all captions are still there, with unchanged numbers.
    const after = await readMatrix(page);
    expect(after.columns).toEqual(CAPTIONS);
    expect(after.rows).toEqual([...before.rows, 'blink.gif']);
    for (let i = 0; i < before.rows.length; i++) {
      for (let j = 0; j < CAPTIONS.length; j++) expect(after.values[i][j]).toBeCloseTo(before.values[i][j], 9);
    }
    expect(session.pageErrors).toEqual([]);
  });

  it('recognises a red circle drawn by another tool (the browser canvas), as PNG, as JPEG, and as a 4800 × 3600 photo-sized JPEG', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByTestId('file-input').setInputFiles([
      { name: 'circle.png', mimeType: 'image/png', buffer: await drawnImage(page, 'image/png') },
      { name: 'circle.jpg', mimeType: 'image/jpeg', buffer: await drawnImage(page, 'image/jpeg') },
      { name: 'big-circle.jpg', mimeType: 'image/jpeg', buffer: await drawnImage(page, 'image/jpeg', 20) },
    ]);
    await setMode(page, 'Softmax over each row (image → text)');
    await waitForMatrix(page, 3, CAPTIONS);
    const { values } = await readMatrix(page);
    for (const row of values) expect(row.indexOf(Math.max(...row))).toBe(0);
  });

  it('refuses an empty caption with a message, notes an over-long one, and keeps the typing', async () => {
    await page.getByRole('button', { name: 'Sample 1' }).click();
    const inputs = await captionInputs(page);
    await inputs.nth(1).fill('   ');
    const long = 'a small red circle at the top left and a large blue square at the bottom right next to a green triangle';
    await inputs.nth(2).fill(long);
    await expect.poll(() => page.getByText('Empty caption').count()).toBe(1);
    await expect.poll(async () => (await page.getByText(/Too long for this model/).textContent()) ?? '').toMatch(/reads only “a small red circle/);
    await waitForMatrix(page, 4, [CAPTIONS[0], long, CAPTIONS[3]]);
    expect(await inputs.nth(1).inputValue()).toBe('   ');
    expect(await inputs.nth(2).inputValue()).toBe(long);
    expect(session.external).toEqual([]);
  });
});
