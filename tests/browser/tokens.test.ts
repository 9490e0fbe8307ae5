/**
 * The Token lab in headless Chromium, offline, on WASM: each golden sample tokenized to the
 * forge's codes; the codebook and the cells of a hovered code; a code edit changes that cell's
 * token alone and the decoded image only within the decoder's reach of it; each golden caption
 * drawn greedily with PyTorch's codes, with classifier-free guidance at the model's scale (the
 * lab's default) and without, its decoded image (the exported JSON's pixel values) within 1e-3
 * of PyTorch's; each golden image captioned with PyTorch's words; bad input gets a
 * message and loses nothing; a new drawing cancels the one in flight. Every expected value comes
 * from the forge's goldens.json files.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { stopAll, type Session } from './harness';
import { openLabOnSamples } from './lab';
import { NOT_AN_IMAGE } from './fixtures';

interface GoldenTensor { dims: number[]; data: number[] }
const vq = JSON.parse(readFileSync('static/models/shapes-vq/goldens.json', 'utf8')) as { outputs: Record<string, GoldenTensor> };
const cm3 = JSON.parse(readFileSync('static/models/shapes-cm3/goldens.json', 'utf8')) as {
  inputs: { captions: string[] };
  draw: { ids: number[][]; pixels: GoldenTensor };
  guided_draw: { scale: number; ids: number[][]; pixels: GoldenTensor };
  caption: { ids: number[][]; text: string[] };
};
const config = JSON.parse(readFileSync('static/models/shapes-vq/config.json', 'utf8')) as { grid: number; codebook_size: number };
const { guidance_scale: guidance } = JSON.parse(readFileSync('static/models/shapes-cm3/config.json', 'utf8')) as { guidance_scale: number };
const GRID = config.grid;
const CELLS = GRID * GRID;
const row = (t: GoldenTensor, k: number) => {
  const size = t.data.length / t.dims[0];
  return t.data.slice(k * size, (k + 1) * size);
};
const numbers = (s: string | null) => (s ? s.split(',').map(Number) : []);

async function tokenize(lab: Locator, label: string): Promise<number[]> {
  await lab.getByRole('button', { name: `Tokenize ${label}`, exact: true }).click();
  await expect.poll(() => lab.getByTestId('tokenized').getAttribute('data-label'), { timeout: 60_000 }).toBe(label);
  return numbers(await lab.getByTestId('tokenized').getAttribute('data-codes'));
}

/** Draws a caption with the guidance scale the controls show, which must be `scale`; -> the drawn ids. */
async function draw(lab: Locator, caption: string, scale = 1): Promise<number[]> {
  await lab.getByLabel('Caption to draw').fill(caption);
  await lab.getByRole('button', { name: 'Draw', exact: true }).click();
  const drawing = lab.getByTestId('drawing');
  const asked = (key: string | null) => key?.includes(JSON.stringify(caption)) && key.includes(`"guidance":${scale}`);
  await expect.poll(async () => asked(await drawing.getAttribute('data-for')) && (await drawing.getAttribute('data-status')), { timeout: 60_000 }).toBe('done');
  return numbers(await drawing.getAttribute('data-ids'));
}

async function downloaded(page: Page, button: Locator): Promise<unknown> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return JSON.parse(readFileSync(await file.path(), 'utf8'));
}

describe('the Token lab', () => {
  let session: Session;
  let page: Page;
  let lab: Locator;

  beforeAll(async () => {
    ({ session, page, lab } = await openLabOnSamples('tokens'));
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('tokenizes each golden sample into the forge\'s codes', async () => {
    for (let k = 0; k < vq.outputs.codes.dims[0]; k++) expect(await tokenize(lab, `Sample ${k + 1}`)).toEqual(row(vq.outputs.codes, k));
    const error = Number(await lab.getByTestId('tokenized').getAttribute('data-error'));
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(255);
    expect(session.external).toEqual([]);
  });

  it('shows every code of the codebook with its use, and every cell of a hovered code', async () => {
    const codes = await tokenize(lab, 'Sample 3');
    const entries = lab.getByTestId('codebook').getByRole('button');
    await expect.poll(() => entries.count(), { timeout: 30_000 }).toBe(config.codebook_size);
    const usage = await entries.evaluateAll((b) => b.map((x) => Number(x.getAttribute('data-usage'))));
    expect(usage.reduce((a, n) => a + n, 0)).toBe(CELLS);
    expect(usage[codes[0]]).toBe(codes.filter((c) => c === codes[0]).length);
    await lab.getByTestId('code-grid').getByRole('button').first().hover();
    await expect.poll(() => lab.locator('[data-testid="code-grid"] button.marked').count()).toBe(codes.filter((c) => c === codes[0]).length);
  });

  it('changes one cell\'s code: that token alone, and the image only within the decoder\'s reach of it', async () => {
    const before = await tokenize(lab, 'Sample 2');
    // A corner cell gets the code the image uses least (a shape's, not the background's).
    const cell = 0;
    const uses = (code: number) => before.filter((c) => c === code).length;
    const other = before.filter((c) => c !== before[cell]).sort((a, b) => uses(a) - uses(b))[0];
    await lab.getByRole('button', { name: `Cell 1,1: code ${before[cell]}`, exact: true }).click();
    await lab.getByTestId('codebook').getByRole('button', { name: new RegExp(`^Code ${other}, used`) }).click();
    await expect.poll(async () => numbers(await lab.getByTestId('tokenized').getAttribute('data-codes'))[cell], { timeout: 30_000 }).toBe(other);
    const after = numbers(await lab.getByTestId('tokenized').getAttribute('data-codes'));
    expect(after.flatMap((c, i) => (c !== before[i] ? [i] : []))).toEqual([cell]);
    await expect.poll(() => lab.getByTestId('edit-difference').count(), { timeout: 30_000 }).toBe(1);
    const change = numbers(await lab.getByTestId('edit-difference').getAttribute('data-cell-change'));
    expect(change).toHaveLength(CELLS);
    expect(change[cell]).toBeGreaterThan(0);
    expect(change[cell]).toBe(Math.max(...change));
    // The decoder's convolutions reach three cells: every cell farther away is unchanged.
    const far = change.filter((_, i) => Math.max(Math.floor(i / GRID), i % GRID) > 3);
    expect(far.length).toBeGreaterThan(0);
    expect(far.every((v) => v === 0)).toBe(true);
    await lab.getByRole('button', { name: 'Undo all edits' }).click();
    await expect.poll(async () => numbers(await lab.getByTestId('tokenized').getAttribute('data-codes'))).toEqual(before);
    // Paint: the chosen code over the bottom row's first two cells, dragged across them.
    await lab.getByRole('radio', { name: /^Paint with the chosen code/ }).check();
    await lab.getByTestId('codebook').getByRole('button', { name: new RegExp(`^Code ${other}, used`) }).click();
    const edited = lab.getByLabel('The edited codes decoded');
    await edited.scrollIntoViewIfNeeded();
    const box = (await edited.boundingBox())!;
    const cellSide = box.width / GRID;
    const y = box.y + (GRID - 0.5) * cellSide;
    await page.mouse.move(box.x + 0.5 * cellSide, y);
    await page.mouse.down();
    await page.mouse.move(box.x + 1.5 * cellSide, y, { steps: 4 });
    await page.mouse.up();
    const painted = [CELLS - GRID, CELLS - GRID + 1];
    await expect.poll(async () => numbers(await lab.getByTestId('tokenized').getAttribute('data-codes')).flatMap((c, i) => (c !== before[i] ? [i] : [])), { timeout: 30_000 })
      .toEqual(painted.filter((i) => before[i] !== other));
    for (const i of painted) expect(numbers(await lab.getByTestId('tokenized').getAttribute('data-codes'))[i]).toBe(other);
    await lab.getByRole('button', { name: 'Undo all edits' }).click();
    await lab.getByRole('radio', { name: /^Select a cell/ }).check();
  });

  it('draws each golden caption greedily with PyTorch\'s codes, guided and not, decoded within 1e-3 of PyTorch\'s pixels', async () => {
    // The lab draws with the model's own guidance scale until another is picked.
    expect(cm3.guided_draw.scale).toBe(guidance);
    expect(await lab.getByTestId('guidance-scale').textContent()).toBe(guidance.toFixed(2));
    const checkAll = async (scale: number, golden: { ids: number[][]; pixels: GoldenTensor }) => {
      for (const [k, caption] of cm3.inputs.captions.entries()) {
        expect(await draw(lab, caption, scale), `${caption} at guidance ${scale}`).toEqual(golden.ids[k]);
        const json = (await downloaded(page, lab.getByRole('button', { name: 'Export tokens (JSON)' }).first())) as { ids: number[]; pixel_values: GoldenTensor; caption: string; guidance: number };
        expect(json.caption).toBe(caption);
        expect(json.guidance).toBe(scale);
        expect(json.ids.slice(-golden.ids[k].length)).toEqual(golden.ids[k]);
        const expected = row(golden.pixels, k);
        expect(json.pixel_values.data).toHaveLength(expected.length);
        const worst = json.pixel_values.data.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
        expect(worst, caption).toBeLessThan(1e-3);
      }
    };
    await checkAll(guidance, cm3.guided_draw);
    // Plain decoding from here on (the tests below compare with the unguided goldens).
    await lab.getByRole('button', { name: 'No guidance (1)' }).click();
    await checkAll(1, cm3.draw);
    // Every step has a distribution of attention and a probability for its code.
    const sum = Number(await lab.getByTestId('draw-step').getAttribute('data-sum'));
    expect(sum).toBeCloseTo(1, 4);
    const [image] = await Promise.all([page.waitForEvent('download'), lab.getByRole('button', { name: 'Export PNG' }).click()]);
    expect(readFileSync(await image.path()).subarray(1, 4).toString()).toBe('PNG');
    expect(session.external).toEqual([]);
  });

  it('captions each golden image with PyTorch\'s words', async () => {
    for (let k = 0; k < cm3.caption.ids.length; k++) {
      await tokenize(lab, `Sample ${k + 1}`);
      await lab.getByRole('button', { name: `Caption Sample ${k + 1}`, exact: true }).click();
      const written = lab.getByTestId('written-caption');
      await expect.poll(async () => (await written.getAttribute('data-for'))?.includes(`"label":"Sample ${k + 1}"`) && (await written.getAttribute('data-status')), { timeout: 60_000 }).toBe('done');
      expect(numbers(await written.getAttribute('data-ids'))).toEqual(cm3.caption.ids[k]);
      expect(await lab.getByTestId('written-caption-text').textContent()).toBe(cm3.caption.text[k]);
    }
    const sum = Number(await lab.getByTestId('caption-step').getAttribute('data-sum'));
    expect(sum).toBeCloseTo(1, 4);
  });

  it('refuses an empty caption, unknown words and a bad image with a message, losing nothing', async () => {
    const drawing = lab.getByTestId('drawing');
    const drawnFor = await drawing.getAttribute('data-for');
    const ids = await drawing.getAttribute('data-ids');
    for (const [caption, said] of [['   ', /Type a caption first/], ['a purple blob', /“purple”, “blob”/]] as const) {
      await lab.getByLabel('Caption to draw').fill(caption);
      await lab.getByRole('button', { name: 'Draw', exact: true }).click();
      await expect.poll(() => lab.getByTestId('draw-error').textContent(), { timeout: 30_000 }).toMatch(said);
      expect(await drawing.getAttribute('data-for')).toBe(drawnFor);
      expect(await drawing.getAttribute('data-ids')).toBe(ids);
    }
    const shown = await lab.getByTestId('tokenized').getAttribute('data-codes');
    const label = await lab.getByTestId('tokenized').getAttribute('data-label');
    await lab.getByTestId('file-input').setInputFiles([{ name: 'scores.png', mimeType: 'image/png', buffer: NOT_AN_IMAGE }]);
    await lab.getByRole('button', { name: 'Tokenize scores.png', exact: true }).click();
    await expect.poll(() => lab.getByTestId('tokenize-error').textContent(), { timeout: 30_000 }).toMatch(/not an image|could not|not a/i);
    expect(await lab.getByTestId('tokenized').getAttribute('data-codes')).toBe(shown);
    expect(await lab.getByTestId('tokenized').getAttribute('data-label')).toBe(label);
  });

  it('draws again with another seed, and the same seed draws the same image', async () => {
    const drawing = lab.getByTestId('drawing');
    const settled = async (seed: number) => {
      await expect.poll(async () => (await drawing.getAttribute('data-for'))?.includes(`"seed":${seed}`) && (await drawing.getAttribute('data-status')), { timeout: 60_000 }).toBe('done');
      return drawing.getAttribute('data-ids');
    };
    await lab.getByLabel('Caption to draw').fill(cm3.inputs.captions[0]);
    await lab.getByRole('button', { name: 'Draw again with another seed' }).click();
    const seeded = await settled(2);
    expect(numbers(seeded)).toHaveLength(cm3.draw.ids[0].length);
    await lab.getByLabel('Drawing seed').fill('2');
    await lab.getByRole('button', { name: 'Draw', exact: true }).click();
    await lab.getByLabel('Drawing seed').fill('3');
    await lab.getByRole('button', { name: 'Draw', exact: true }).click();
    await settled(3);
    await lab.getByLabel('Drawing seed').fill('2');
    await lab.getByRole('button', { name: 'Draw', exact: true }).click();
    expect(await settled(2)).toBe(seeded);
    await lab.getByRole('radio', { name: 'Greedy' }).first().check();
  });

  it('cancels the drawing in flight when a new one starts', async () => {
    const [first, second] = cm3.inputs.captions;
    // The second drawing starts from inside the page the moment the first has drawn three codes.
    await page.evaluate(([a, b]) => {
      const root = document.querySelector('[data-testid="tokens-lab"]')!;
      const input = root.querySelector<HTMLInputElement>('input[aria-label="Caption to draw"]')!;
      const button = [...root.querySelectorAll<HTMLButtonElement>('button')].find((x) => x.textContent?.trim() === 'Draw')!;
      const ask = (caption: string) => {
        input.value = caption;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        button.click();
      };
      const observer = new MutationObserver(() => {
        const drawing = root.querySelector('[data-testid="drawing"]');
        if (drawing?.getAttribute('data-status') !== 'streaming' || !drawing.getAttribute('data-for')?.includes(JSON.stringify(a))) return;
        if ((drawing.getAttribute('data-ids') ?? '').split(',').length < 3) return;
        observer.disconnect();
        ask(b);
      });
      observer.observe(root, { subtree: true, attributes: true, childList: true });
      ask(a);
    }, [first, second]);
    const drawing = lab.getByTestId('drawing');
    await expect.poll(async () => (await drawing.getAttribute('data-for'))?.includes(JSON.stringify(second)) && (await drawing.getAttribute('data-status')), { timeout: 60_000 }).toBe('done');
    expect(numbers(await drawing.getAttribute('data-ids'))).toEqual(cm3.draw.ids[1]);
    const stoppedAt = Number(await lab.getByTestId('draw-interrupted').getAttribute('data-at'));
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(stoppedAt).toBeLessThan(cm3.draw.ids[0].length);
    expect(await lab.getByTestId('draw-error').count()).toBe(0);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
