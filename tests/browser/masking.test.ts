/**
 * The Masking lab in headless Chromium, offline, used as a person would: pick an image, type
 * its caption, click patches and a word to mask them, and read the results from the page's
 * table and lists. They equal the forge's PyTorch goldens; and on the live model a fully
 * masked red circle is rebuilt redder under "red" than under "blue".
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { stopAll, type Session } from './harness';
import { openLabOnSamples } from './lab';
import { NOT_AN_IMAGE } from './fixtures';
import { type GoldenTensor } from './goldens';

const goldens = JSON.parse(readFileSync('static/models/shapes-maskvlm/goldens.json', 'utf8')) as {
  inputs: { captions: string[]; patch_mask: GoldenTensor; token_mask: GoldenTensor; input_ids: GoldenTensor };
  outputs: { reconstructed_patches: GoldenTensor; word_logits: GoldenTensor; itm_probability: GoldenTensor };
};
const GRID = 8;
const PATCH = 4;

interface PatchRow { patch: number; rgb: [number, number, number]; error: number }

async function maskedPatches(lab: Locator): Promise<PatchRow[]> {
  return lab.getByTestId('masked-patches').evaluate((table) => [...table.querySelectorAll('tbody tr')].map((tr) => ({
    patch: Number(tr.getAttribute('data-patch')),
    rgb: ['r', 'g', 'b'].map((c) => Number(tr.getAttribute(`data-${c}`))) as [number, number, number],
    error: Number(tr.getAttribute('data-error')),
  })));
}

/** Clicks patches so that exactly `wanted` are masked, as a person would. */
async function maskPatches(lab: Locator, wanted: readonly number[]): Promise<void> {
  await lab.getByRole('button', { name: 'Unmask all' }).click();
  for (const p of wanted) await lab.getByRole('button', { name: `Patch row ${Math.floor(p / GRID) + 1}, column ${(p % GRID) + 1}`, exact: true }).click();
}

/** Waits until the shown result is the model's answer for this caption, with exactly these patches masked. */
async function waitForPatches(page: Page, wanted: readonly number[], caption: string): Promise<void> {
  await page.waitForFunction(([want, text]) => {
    const section = document.querySelector('[data-testid="reconstruction"]');
    const rows = [...document.querySelectorAll('[data-testid="masked-patches"] tbody tr')].map((tr) => Number(tr.getAttribute('data-patch')));
    return section?.getAttribute('data-caption') === text && JSON.stringify(rows) === JSON.stringify(want);
  }, [[...wanted].sort((a, b) => a - b), caption] as const, { timeout: 60_000 });
}

/** The mean colour of one patch of the goldens' reconstruction, as bytes (the app's conversion written out here). */
function goldenPatchColour(pair: number, patch: number): [number, number, number] {
  const per = PATCH * PATCH * 3;
  const start = (pair * GRID * GRID + patch) * per;
  const sum = [0, 0, 0];
  for (let k = 0; k < PATCH * PATCH; k++) {
    for (let c = 0; c < 3; c++) sum[c] += Math.max(0, Math.min(255, Math.round((goldens.outputs.reconstructed_patches.data[start + k * 3 + c] * 0.5 + 0.5) * 255)));
  }
  return sum.map((s) => s / (PATCH * PATCH)) as [number, number, number];
}

describe('the Masking lab', () => {
  let session: Session;
  let page: Page;
  let lab: Locator;

  beforeAll(async () => {
    ({ session, page, lab } = await openLabOnSamples('masking'));
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('masks patches and a word by clicking, and shows what PyTorch computes', async () => {
    await lab.getByRole('button', { name: 'Mask Sample 1' }).click();
    await lab.getByLabel('Masking caption').fill(goldens.inputs.captions[0]);
    const patches = goldens.inputs.patch_mask.data.slice(0, GRID * GRID).flatMap((m, p) => (m ? [p] : []));
    await maskPatches(lab, patches);
    const [, length] = goldens.inputs.token_mask.dims;
    const word = goldens.inputs.token_mask.data.slice(0, length).indexOf(1);
    await lab.getByRole('button', { name: new RegExp(`^Word ${word}: `) }).click();
    await waitForPatches(page, patches, goldens.inputs.captions[0]);
    await lab.getByTestId('word-predictions').locator(`li[data-position="${word}"]`).waitFor({ timeout: 60_000 });

    const rows = await maskedPatches(lab);
    for (const row of rows) {
      goldenPatchColour(0, row.patch).forEach((v, c) => expect(Math.abs(row.rgb[c] - v)).toBeLessThan(0.5));
    }
    // The masked word: the top candidates and their probabilities are PyTorch's softmax of word_logits.
    const vocabulary = goldens.outputs.word_logits.dims[2];
    const logits = goldens.outputs.word_logits.data.slice(word * vocabulary, (word + 1) * vocabulary);
    const max = Math.max(...logits);
    const z = logits.reduce((s, l) => s + Math.exp(l - max), 0);
    const best = logits.indexOf(max);
    const top = lab.getByTestId('word-predictions').locator(`li[data-position="${word}"] .candidate`).first();
    expect(Number(await top.getAttribute('data-probability'))).toBeCloseTo(Math.exp(logits[best] - max) / z, 4);
    expect(Number(await lab.getByTestId('itm').textContent())).toBeCloseTo(goldens.outputs.itm_probability.data[0], 3);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('shows a masked word\'s attention over the patches and a patch\'s over the words', async () => {
    const prediction = lab.getByTestId('word-predictions').locator('li').first();
    await prediction.getByRole('button').click();
    await lab.getByTestId('word-attention').waitFor();
    await lab.getByTestId('masked-patches').getByRole('button', { name: 'Attention' }).first().click();
    const weights = await lab.getByTestId('patch-attention').evaluate((el) => [...el.querySelectorAll('[data-value]')].map((e) => Number(e.getAttribute('data-value'))));
    // The mean over layers and heads of softmax rows is still a distribution over the words.
    expect(weights.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
  });

  it('has the attention lens over both encoders: every row of a layer is a distribution', async () => {
    await lab.getByText('Attention lens: the image and text encoders').click();
    const lens = lab.getByTestId('attention-lens');
    const sums = () => lens.getByTestId('lens-row-sums').evaluate((t) => [...t.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value'))));
    expect((await sums()).length).toBe(65);
    for (const s of await sums()) expect(s).toBeCloseTo(1, 4);
    await lens.getByLabel('Attention of').selectOption({ index: 1 });
    await lens.getByLabel('Lens layer').selectOption('rollout');
    for (const s of await sums()) expect(s).toBeCloseTo(1, 4);
  });

  it('rebuilds a masked red circle redder under "red" than under "blue"', async () => {
    await lab.getByRole('button', { name: /^Compose/ }).first().click();
    const composed = lab.getByRole('button', { name: /^Mask Composed/ }).last();
    await composed.click();
    // The composer's first scene: a red circle at x = 0.2, y = 0.5, radius 0.2, on white:
    // the patches it covers.
    const covered: number[] = [];
    for (let p = 0; p < GRID * GRID; p++) {
      const cx = ((p % GRID) + 0.5) / GRID;
      const cy = (Math.floor(p / GRID) + 0.5) / GRID;
      if (Math.hypot(cx - 0.2, cy - 0.5) < 0.2) covered.push(p);
    }
    await maskPatches(lab, covered);
    const redness = async (caption: string) => {
      await lab.getByLabel('Masking caption').fill(caption);
      await waitForPatches(page, covered, caption);
      const rows = await maskedPatches(lab);
      return rows.reduce((s, r) => s + (r.rgb[0] - r.rgb[2]), 0) / rows.length;
    };
    const red = await redness('a red circle at the centre left');
    const blue = await redness('a blue circle at the centre left');
    console.log(`mean R − B of the masked circle patches: under "red" ${red.toFixed(1)}, under "blue" ${blue.toFixed(1)}`);
    expect(red - blue).toBeGreaterThan(30);
  });

  it('gives a bad file a message and keeps the result', async () => {
    const before = await maskedPatches(lab);
    await lab.getByTestId('file-input').setInputFiles([{ name: 'scores.png', mimeType: 'image/png', buffer: NOT_AN_IMAGE }]);
    await expect.poll(() => lab.getByTestId('image-card').filter({ hasText: 'scores.png' }).getByRole('alert').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await maskedPatches(lab)).toEqual(before);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});
