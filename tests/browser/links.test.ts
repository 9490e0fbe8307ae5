/**
 * Every view is a link, in headless Chromium, offline: a state set as a person would, its link
 * copied with "Copy link" and opened in a new browser context shows the same numbers in the
 * same tables; a malformed or outdated link opens what it can and says what it dropped; markup
 * in a linked caption is text; Back and Forward step through what the person did.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, readMatrix, stopAll, waitForModel, type Session } from './harness';
import { setCaptions, waitForMatrix } from './lab';
import { copyLink, labReady, openCopied, readings, settledHash } from './links';

const opened: Session[] = [];
async function open(query: string): Promise<Session> {
  const session = await openApp(query);
  opened.push(session);
  return session;
}
async function reopen(from: Session): Promise<Session> {
  const session = await openCopied(await copyLink(from));
  opened.push(session);
  return session;
}

afterAll(async () => {
  for (const session of opened) {
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  }
  for (const session of opened) await session.close();
  await stopAll();
});

describe('a link to each lab reopens the same view with the same numbers', () => {
  it('Contrastive lab: images (a sample, a composed scene moved), captions, model, mode, scale and a pair', async () => {
    const first = await open('?device=wasm#contrastive');
    const page = first.page;
    await waitForModel(page);
    await page.getByRole('combobox', { name: 'Model' }).selectOption('shapes-siglip');
    await expect.poll(() => page.getByTestId('runtime-model').textContent(), { timeout: 120_000 }).toBe('shapes-siglip');
    await setCaptions(page, ['a red circle', 'a blue square', 'a green triangle']);
    await page.getByRole('button', { name: 'Sample 1', exact: true }).click();
    await page.getByRole('button', { name: 'Compose a scene…' }).click();
    const surface = page.getByTestId('composer-surface');
    await surface.focus();
    for (let k = 0; k < 3; k++) await surface.press('ArrowRight');
    await page.getByRole('combobox', { name: 'Matrix mode' }).selectOption('softmax-columns');
    await page.getByRole('slider', { name: 'Logit scale (log axis)' }).fill('2.5');
    await waitForMatrix(page, 6, ['a red circle', 'a blue square', 'a green triangle']);
    await page.getByRole('button', { name: 'Change the caption paired with Sample 2' }).click();
    await page.getByRole('combobox', { name: 'Caption paired with Sample 2' }).selectOption({ label: 'a green triangle' });
    const matrix = await readMatrix(page);
    const loss = await page.getByTestId('loss-total').first().textContent();
    expect(matrix.rows).toEqual(['Sample 1', 'Sample 2', 'Sample 3', 'Sample 4', 'Sample 5', 'Composed 1']);
    const hash = await settledHash(page, /pair=1-2/);
    expect(hash).toMatch(/^#contrastive\?model=shapes-siglip&dtype=fp32&mode=softmax-columns&scale=12\.18/);
    expect(hash).toMatch(/&img=s1&img=s2&img=s3&img=s4&img=s5&img=c:circle,red,0\.2937\d*,0\.5,0\.2&cap=a\+red\+circle&cap=a\+blue\+square&cap=a\+green\+triangle$/);

    const second = await reopen(first);
    await waitForModel(second.page);
    await waitForMatrix(second.page, 6, ['a red circle', 'a blue square', 'a green triangle']);
    expect(await second.page.getByTestId('runtime-model').textContent()).toBe('shapes-siglip');
    expect(await second.page.getByRole('combobox', { name: 'Matrix mode' }).inputValue()).toBe('softmax-columns');
    expect(await second.page.getByTestId('scale-value').textContent()).toBe(await page.getByTestId('scale-value').textContent());
    expect(await readMatrix(second.page)).toEqual(matrix);
    expect(await second.page.getByTestId('loss-total').first().textContent()).toBe(loss);
  });

  it('Contrastive lab: a bundled model at another precision', async () => {
    const session = await open('?device=wasm#contrastive?model=shapes-clip&dtype=q8');
    await waitForModel(session.page);
    expect(await session.page.getByTestId('runtime-dtype').textContent()).toBe('q8');
    expect(await session.page.getByRole('combobox', { name: 'Precision' }).inputValue()).toBe('q8');
    await settledHash(session.page, /^#contrastive\?model=shapes-clip&dtype=q8&mode=softmax-rows&scale=learned&pair=&img=s1&/);
  });

  it('Llip lab: the image and the head', async () => {
    const first = await open('?device=wasm#llip');
    const lab = first.page.getByTestId('llip-lab');
    await labReady(lab);
    await lab.getByRole('button', { name: 'Show Sample 3' }).click();
    await lab.getByRole('combobox', { name: 'Cross-attention head' }).selectOption({ label: 'head 2' });
    await lab.getByRole('combobox', { name: 'Attention layer' }).selectOption('mean');
    await lab.getByTestId('llip-weights').waitFor({ state: 'attached', timeout: 60_000 });
    await settledHash(first.page, /^#llip\?image=2&head=1&layer=mean&img=/);
    const numbers = await readings(lab.getByTestId('llip-weights'));
    expect(numbers.length).toBeGreaterThan(8);

    const second = await reopen(first);
    const again = second.page.getByTestId('llip-lab');
    await labReady(again);
    await again.getByTestId('llip-weights').waitFor({ state: 'attached', timeout: 60_000 });
    expect(await again.getByRole('combobox', { name: 'Cross-attention head' }).inputValue()).toBe('1');
    await expect.poll(() => readings(again.getByTestId('llip-weights')), { timeout: 60_000 }).toEqual(numbers);
  });

  it('Masking lab: the image, caption, masked patches and word, and the patch looked at', async () => {
    const first = await open('?device=wasm#masking');
    const lab = first.page.getByTestId('masking-lab');
    await labReady(lab);
    await lab.getByRole('button', { name: 'Mask Sample 2' }).click();
    await lab.getByRole('textbox', { name: 'Masking caption' }).fill('a big blue circle');
    await lab.getByRole('button', { name: 'Unmask all' }).click();
    for (const p of [9, 10, 17, 18, 27]) await lab.getByRole('button', { name: `Patch row ${Math.floor(p / 8) + 1}, column ${(p % 8) + 1}`, exact: true }).click();
    await lab.getByRole('button', { name: /^Word \d+: blue$/ }).click();
    await first.page.waitForFunction(() => document.querySelectorAll('[data-testid="masked-patches"] tbody tr').length === 5 && document.querySelector('[data-testid="word-predictions"]'), undefined, { timeout: 60_000 });
    await lab.getByTestId('masked-patches').getByRole('button', { name: 'Attention' }).nth(2).click();
    await lab.getByTestId('patch-attention').waitFor();
    const hash = await settledHash(first.page, /patch=17/);
    expect(hash).toMatch(/^#masking\?image=1&caption=a\+big\+blue\+circle&patches=0{9}110{6}110{8}10{36}&words=0*10*&/);
    const numbers = await readings(lab);
    expect(numbers.length).toBeGreaterThan(10);

    const second = await reopen(first);
    const again = second.page.getByTestId('masking-lab');
    await labReady(again);
    await again.getByTestId('patch-attention').waitFor({ timeout: 60_000 });
    expect(await again.getByRole('textbox', { name: 'Masking caption' }).inputValue()).toBe('a big blue circle');
    await expect.poll(() => readings(again), { timeout: 60_000 }).toEqual(numbers);
  });

  it('Generative lab: the image, seeded sampling, the prefix and the token looked at', async () => {
    const first = await open('?device=wasm#generative');
    const lab = first.page.getByTestId('generative-lab');
    await labReady(lab);
    await lab.getByRole('button', { name: 'Caption Sample 3' }).click();
    await lab.getByRole('radio', { name: 'Sample' }).check();
    await lab.getByRole('slider', { name: 'Temperature' }).fill('0.7');
    await lab.getByRole('spinbutton', { name: 'Sampling seed' }).fill('5');
    await lab.getByRole('textbox', { name: 'Caption prefix' }).fill('a');
    await first.page.waitForFunction(() => document.querySelector('[data-testid="caption-result"]')?.getAttribute('data-for')?.includes('"seed":5') && document.querySelector('[data-testid="caption-result"]')?.getAttribute('data-for')?.includes('"prefix":"a"'), undefined, { timeout: 60_000 });
    await lab.getByTestId('caption-tokens').getByRole('button').nth(1).click();
    await settledHash(first.page, /token=1/);
    const caption = await lab.getByTestId('caption-text').textContent();
    const numbers = await readings(lab.getByTestId('caption-result'));
    expect(numbers.length).toBeGreaterThan(4);

    const second = await reopen(first);
    const again = second.page.getByTestId('generative-lab');
    await labReady(again);
    await again.getByTestId('alternatives').waitFor({ timeout: 60_000 });
    expect(await again.getByRole('slider', { name: 'Temperature' }).inputValue()).toBe('0.7');
    await expect.poll(() => again.getByTestId('caption-text').textContent(), { timeout: 60_000 }).toBe(caption);
    expect(await readings(again.getByTestId('caption-result'))).toEqual(numbers);
  });

  it('Backbone lab: the image, the question asked and the answer token looked at', async () => {
    const first = await open('?device=wasm#backbone');
    const lab = first.page.getByTestId('backbone-lab');
    await labReady(lab);
    await lab.getByRole('button', { name: 'Ask about Sample 2' }).click();
    const question = (await lab.getByRole('group', { name: 'Suggested questions' }).getByRole('button').nth(2).textContent()) ?? '';
    await lab.getByRole('group', { name: 'Suggested questions' }).getByRole('button').nth(2).click();
    await lab.locator('[data-testid="answer"][data-status="done"]').waitFor({ timeout: 120_000 });
    await lab.getByTestId('answer-tokens').getByRole('button').nth(1).click();
    await settledHash(first.page, /token=1/);
    expect(await first.page.evaluate(() => location.hash)).toContain(`question=${encodeURIComponent(question).replace(/%20/g, '+')}`);
    const numbers = await readings(lab.getByTestId('answer'));
    expect(numbers.length).toBeGreaterThan(4);

    const second = await reopen(first);
    const again = second.page.getByTestId('backbone-lab');
    await labReady(again);
    await again.locator('[data-testid="answer"][data-status="done"]').waitFor({ timeout: 120_000 });
    expect(await again.getByRole('textbox', { name: 'Question' }).inputValue()).toBe(question);
    expect(await readings(again.getByTestId('answer'))).toEqual(numbers);
    expect(await again.getByTestId('answer-alternatives').locator('caption').textContent()).toMatch(/^Token 2:/);
  });

  it('Token lab: the image, an edited cell, and a drawing by seeded sampling at a guidance scale', async () => {
    const first = await open('?device=wasm#tokens');
    const lab = first.page.getByTestId('tokens-lab');
    await labReady(lab);
    const codesOf = async (l: typeof lab) => ((await l.getByTestId('tokenized').getAttribute('data-codes')) ?? '').split(',').map(Number);
    await lab.getByRole('button', { name: 'Tokenize Sample 3', exact: true }).click();
    await expect.poll(() => lab.getByTestId('tokenized').getAttribute('data-label'), { timeout: 60_000 }).toBe('Sample 3');
    const encoded = await codesOf(lab);
    const other = encoded.find((c) => c !== encoded[0])!;
    await lab.getByRole('button', { name: `Cell 1,1: code ${encoded[0]}`, exact: true }).click();
    await lab.getByTestId('codebook').getByRole('button', { name: new RegExp(`^Code ${other}, used`) }).click();
    await expect.poll(async () => (await codesOf(lab))[0], { timeout: 30_000 }).toBe(other);
    await lab.getByRole('group', { name: 'Drawing decoding' }).getByRole('radio', { name: 'Sample' }).check();
    await lab.getByRole('spinbutton', { name: 'Drawing seed' }).fill('5');
    await lab.getByRole('slider', { name: 'Drawing guidance scale' }).fill('2.5');
    await lab.getByLabel('Caption to draw').fill('a blue square');
    await lab.getByRole('button', { name: 'Draw', exact: true }).click();
    const drawing = lab.getByTestId('drawing');
    await expect.poll(async () => (await drawing.getAttribute('data-for'))?.includes('"seed":5') && (await drawing.getAttribute('data-status')), { timeout: 60_000 }).toBe('done');
    expect(await drawing.getAttribute('data-guidance')).toBe('2.5');
    const hash = await settledHash(first.page, /edit=0:\d+.*draw=a\+blue\+square.*seed=5.*guidance=2\.5/);
    expect(hash).toMatch(/^#tokens\?image=2&/);
    const codes = await codesOf(lab);
    const ids = await drawing.getAttribute('data-ids');
    const numbers = await readings(lab);
    expect(numbers.length).toBeGreaterThan(4);

    const second = await reopen(first);
    const again = second.page.getByTestId('tokens-lab');
    await labReady(again);
    await expect.poll(() => again.getByTestId('tokenized').getAttribute('data-label'), { timeout: 60_000 }).toBe('Sample 3');
    await expect.poll(() => codesOf(again), { timeout: 60_000 }).toEqual(codes);
    const redrawn = again.getByTestId('drawing');
    await expect.poll(() => redrawn.getAttribute('data-status'), { timeout: 60_000 }).toBe('done');
    expect(await redrawn.getAttribute('data-ids')).toBe(ids);
    expect(await redrawn.getAttribute('data-guidance')).toBe('2.5');
    expect(await again.getByLabel('Caption to draw').inputValue()).toBe('a blue square');
    await expect.poll(() => readings(again), { timeout: 30_000 }).toEqual(numbers);
  });

  it('Image-to-token explorer: the size, the row and a knob', async () => {
    const first = await open('#budget');
    const page = first.page;
    await page.getByRole('textbox', { name: 'Width', exact: true }).fill('1000');
    await page.getByRole('textbox', { name: 'Height', exact: true }).fill('700');
    await page.getByRole('button', { name: 'Qwen2-VL', exact: true }).click();
    await page.getByRole('slider', { name: /InternVL2\.5 Max tiles/ }).fill('6');
    await settledHash(page, /^#budget\?w=1000&h=700&arch=qwen2-vl&.*maxTiles=6/);
    const numbers = await readings(page.getByTestId('budget-table'));
    expect(numbers.length).toBe(10);

    const second = await reopen(first);
    await expect.poll(() => second.page.getByTestId('budget-view').getAttribute('data-size')).toBe('1000x700');
    expect(await second.page.getByTestId('tiling-canvas').getAttribute('data-architecture')).toBe('Qwen2-VL');
    expect(await readings(second.page.getByTestId('budget-table'))).toEqual(numbers);
  });
});

describe('a link is data', () => {
  it('opens what it can of a malformed or outdated link, says what it dropped, and keeps working', async () => {
    const session = await open('?device=wasm#masking?image=9&seed=abc&ratio=0.3&patches=0102&layer=40&colour=red&img=c:hexagon,red,1,1,1&img=s3&img=s9999999999&cap=a+red+circle&cap=%E0%A4%A&caption=a+red+circle');
    const lab = session.page.getByTestId('masking-lab');
    await labReady(lab);
    const notices = session.page.getByTestId('link-notice');
    await expect.poll(() => notices.allTextContents(), { timeout: 60_000 }).toEqual(expect.arrayContaining([
      expect.stringMatching(/^img=“c:hexagon,red,1,1,1”: not a sample/),
      expect.stringMatching(/^img=“s9999999999”: not a sample/),
      expect.stringMatching(/^seed=“abc”: not a whole number/),
      expect.stringMatching(/^patches=“0102”: not 0s and 1s/),
      expect.stringMatching(/^colour: not a setting of this view/),
      expect.stringMatching(/^image=9: the link has no image at that place/),
      expect.stringMatching(/^Cross-attention layer 40: this model has layers 0 to \d+; the mean is shown\.$/),
    ]));
    // What was good was used: one sample, its two captions (a broken escape read as a replacement character), the ratio.
    expect(await lab.getByRole('button', { name: /^Mask Sample/ }).count()).toBe(1);
    expect(await lab.getByRole('slider', { name: 'Mask ratio' }).inputValue()).toBe('0.3');
    expect(await lab.getByRole('combobox', { name: 'Cross-attention layer' }).inputValue()).toBe('mean');
    await settledHash(session.page, /^#masking\?image=0&caption=a\+red\+circle&.*ratio=0\.3&seed=1&.*layer=mean&.*img=s3&cap=a\+red\+circle&cap=[^&]+$/);
    // The page goes on working: a random mask is rebuilt.
    await lab.getByRole('button', { name: 'Random mask' }).click();
    await session.page.waitForFunction(() => document.querySelectorAll('[data-testid="masked-patches"] tbody tr').length > 0, undefined, { timeout: 60_000 });
  });

  it('says so for a view that does not exist, and for a garbled hash opens the first page', async () => {
    const session = await open('#nosuchlab?x=%ZZ&&==&img');
    await expect.poll(() => session.page.getByTestId('link-notice').allTextContents()).toEqual(['There is no view named “nosuchlab”; the link opened the first page instead.']);
    const garbled = await open(`#contrastive?${'cap=' + 'x'.repeat(300)}&mode=${'%'.repeat(50)}&scale=1e999&scale=NaN&pair=7-7`);
    await waitForModel(garbled.page);
    await expect.poll(() => garbled.page.getByTestId('link-notice').allTextContents()).toEqual(expect.arrayContaining([
      expect.stringMatching(/^cap=“x{40}…”: not text of at most 200 characters/),
      expect.stringMatching(/^mode=“%{40}…”: not one of/),
      expect.stringMatching(/^scale=“1e999”: not learned or a number from 1 to 200/),
      expect.stringMatching(/^pair=7-7: the link has no such image or caption/),
    ]));
    expect(await garbled.page.getByTestId('scale-value').textContent()).toBe(await garbled.page.evaluate(() => document.querySelector('[data-testid="runtime-panel"]')?.textContent?.match(/logit scale ([\d.]+)/)?.[1] ?? ''));
  });

  it('shows a caption with markup in a link as text: no element is made, no script runs', async () => {
    const markup = '<img src=x onerror="window.__ran=1"><b>bold</b>';
    const session = await open(`?device=wasm#contrastive?cap=${encodeURIComponent(markup)}&cap=a+red+circle`);
    let dialogs = 0;
    session.page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await waitForModel(session.page);
    await waitForMatrix(session.page, 4, [markup, 'a red circle']);
    expect(await session.page.getByRole('textbox', { name: 'Caption 1' }).inputValue()).toBe(markup);
    expect((await readMatrix(session.page)).columns[0]).toBe(markup);
    expect(await session.page.evaluate(() => ({ images: document.querySelectorAll('img[src="x"]').length, bold: document.querySelectorAll('main b').length, ran: 'ran' in window || '__ran' in window }))).toEqual({ images: 0, bold: 0, ran: false });
    expect(dialogs).toBe(0);
  });
});

describe('history', () => {
  it('adds an entry per step the person takes, one for a caption typed, and Back and Forward restore each', async () => {
    const session = await open('?device=wasm#contrastive');
    const page = session.page;
    await waitForModel(page);
    await waitForMatrix(page, 4, 4);
    const start = await settledHash(page, /^#contrastive\?model=/);
    const length = () => page.evaluate(() => history.length);
    const before = await length();
    const modeBox = page.getByRole('combobox', { name: 'Matrix mode' });

    await modeBox.selectOption('cosine');
    const afterMode = await settledHash(page, /mode=cosine/);
    await page.getByRole('textbox', { name: 'Caption 2' }).fill('');
    await page.getByRole('textbox', { name: 'Caption 2' }).pressSequentially('a big red square', { delay: 30 });
    const afterCaption = await settledHash(page, /cap=a\+big\+red\+square/);
    const slider = page.getByRole('slider', { name: 'Logit scale (log axis)' });
    for (const value of ['2.0', '2.2', '2.4']) await slider.fill(value);
    const afterScale = await settledHash(page, /scale=11\.02/);
    expect(await length()).toBe(before + 3);

    await page.goBack();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(afterCaption);
    await expect.poll(() => page.getByTestId('scale-value').textContent()).not.toBe('11.02');
    await page.goBack();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(afterMode);
    await expect.poll(() => page.getByRole('textbox', { name: 'Caption 2' }).inputValue()).not.toBe('a big red square');
    await page.goBack();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe(start);
    await expect.poll(() => modeBox.inputValue()).toBe('softmax-rows');
    await page.goForward();
    await expect.poll(() => modeBox.inputValue()).toBe('cosine');
    await page.goForward();
    await expect.poll(() => page.getByRole('textbox', { name: 'Caption 2' }).inputValue()).toBe('a big red square');
    await page.goForward();
    await expect.poll(() => page.getByTestId('scale-value').textContent()).toBe('11.02');
    await waitForMatrix(page, 4, (await readMatrix(page)).columns);
    // Walking the history added nothing to it.
    expect(await length()).toBe(before + 3);
  });
});

/** For a failing test's message: where the page is. */
export async function where(page: Page): Promise<string> {
  return page.evaluate(() => location.href);
}
