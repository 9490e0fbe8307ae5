/**
 * The Llip lab in headless Chromium, offline: the golden images and captions, the weights
 * read from the accessible table equal the forge's PyTorch goldens (and each caption's
 * weights sum to 1 in every head), typing a caption adds its row, hovering a weight finds its
 * token's map, the image appears once per caption on the map, Llip's matrix sits beside
 * CLIP's, and a bad file gets a message while everything else stays.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { openApp, stopAll, type Session } from './harness';
import { NOT_AN_IMAGE, pngHeaderOnly, SVG } from './fixtures';
import { type GoldenTensor } from './goldens';

const goldens = JSON.parse(readFileSync('static/models/shapes-llip/goldens.json', 'utf8')) as {
  inputs: { captions: string[]; seeds: number[] };
  outputs: { mixture_weights: GoldenTensor };
};

async function weightsTable(lab: Locator): Promise<{ caption: string; head: number; values: number[] }[]> {
  return lab.getByTestId('llip-weights').evaluate((table) => [...table.querySelectorAll('tbody tr')].map((tr) => ({
    caption: tr.querySelector('th')?.textContent ?? '',
    head: Number(tr.querySelectorAll('td')[0].textContent),
    values: [...tr.querySelectorAll('td')].slice(1).map((td) => Number(td.getAttribute('data-value'))),
  })));
}

async function setLlipCaptions(lab: Locator, captions: readonly string[]): Promise<void> {
  let inputs = lab.getByRole('textbox', { name: /^Caption \d+$/ });
  while ((await inputs.count()) > captions.length) await lab.getByRole('button', { name: `Remove caption ${await inputs.count()}` }).click();
  while ((await inputs.count()) < captions.length) await lab.getByRole('button', { name: '+ Add caption' }).click();
  inputs = lab.getByRole('textbox', { name: /^Caption \d+$/ });
  for (let k = 0; k < captions.length; k++) await inputs.nth(k).fill(captions[k]);
}

/** Waits until the weights table holds these captions (each in every head). */
async function waitForWeights(page: Page, captions: readonly string[], heads: number): Promise<void> {
  await page.waitForFunction(([want, h]) => {
    const rows = [...document.querySelectorAll('[data-testid="llip-weights"] tbody tr')].map((tr) => tr.querySelector('th')?.textContent);
    return JSON.stringify(rows) === JSON.stringify(want.flatMap((c) => Array(h).fill(c)));
  }, [captions, heads] as const, { timeout: 120_000 });
}

describe('the Llip lab', () => {
  let session: Session;
  let page: Page;
  let lab: Locator;
  const [, captionCount, heads, k] = goldens.outputs.mixture_weights.dims;

  beforeAll(async () => {
    session = await openApp('?device=wasm#llip');
    page = session.page;
    lab = page.getByTestId('llip-lab');
    await lab.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await lab.getByRole('button', { name: 'Clear' }).click();
    await lab.getByRole('button', { name: 'Sample 8' }).click();
    await setLlipCaptions(lab, goldens.inputs.captions);
    await lab.getByText(/The weights, per head/).click();
    await waitForWeights(page, goldens.inputs.captions, heads);
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('shows the weights PyTorch computes, each a distribution over the mixture tokens', async () => {
    expect(goldens.inputs.captions.length).toBe(captionCount);
    for (const [image, label] of [[0, 'Sample 1'], [5, 'Sample 6']] as const) {
      await lab.getByRole('button', { name: `Show ${label}` }).click();
      await expect.poll(() => lab.getByTestId('llip-weights').locator('caption').textContent()).toContain(label);
      const rows = await weightsTable(lab);
      expect(rows.length).toBe(captionCount * heads);
      let worst = 0;
      rows.forEach((row, r) => {
        const t = Math.floor(r / heads);
        expect(row.caption).toBe(goldens.inputs.captions[t]);
        expect(row.head).toBe((r % heads) + 1);
        expect(row.values.length).toBe(k);
        expect(row.values.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        row.values.forEach((v, m) => {
          const golden = goldens.outputs.mixture_weights.data[((image * captionCount + t) * heads + (r % heads)) * k + m];
          worst = Math.max(worst, Math.abs(v - golden));
        });
      });
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('adds a caption as it is typed, and finds a token map from its weight', async () => {
    const captions = [...goldens.inputs.captions, 'a shape at the top'];
    await lab.getByRole('button', { name: '+ Add caption' }).click();
    await lab.getByRole('textbox', { name: `Caption ${captions.length}` }).fill(captions.at(-1)!);
    await waitForWeights(page, captions, heads);
    for (const row of (await weightsTable(lab)).slice(-heads)) expect(row.values.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);

    const maps = lab.getByTestId('token-maps').locator('figure');
    expect(await maps.count()).toBe(k);
    await lab.getByTestId('llip-weights-figure').locator('rect').nth(2).hover();
    await expect.poll(() => maps.nth(2).getAttribute('class')).toContain('highlighted');
    expect(await lab.locator('figure.highlighted').count()).toBe(1);
  });

  it('puts each image on the map once per caption, and Llip beside CLIP', async () => {
    const points = await lab.getByTestId('embedding-map').evaluate((svg) => svg.querySelectorAll('[data-kind="image"]').length);
    const inputs = await lab.getByRole('textbox', { name: /^Caption \d+$/ }).count();
    expect(points).toBe(8 * inputs);
    await expect.poll(() => lab.getByRole('heading', { name: 'Llip and CLIP on the same inputs' }).count()).toBe(1);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('has the attention lens over both encoders: every row of a layer is a distribution', async () => {
    await lab.getByText('Attention lens: the Llip encoders').click();
    const lens = lab.getByTestId('attention-lens');
    const sums = () => lens.getByTestId('lens-row-sums').evaluate((t) => [...t.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value'))));
    await lens.getByLabel('Attention of').selectOption({ label: '🖼 Sample 1' });
    expect((await sums()).length).toBe(goldens.outputs.mixture_weights.dims[3] + 64);
    for (const s of await sums()) expect(s).toBeCloseTo(1, 4);
    await lens.getByLabel('Attention of').selectOption({ label: `“${goldens.inputs.captions[0]}”` });
    await lens.getByLabel('Lens layer').selectOption('rollout');
    for (const s of await sums()) expect(s).toBeCloseTo(1, 4);
  });

  it('gives each bad file its own message and keeps the rest', async () => {
    const before = await weightsTable(lab);
    const bad = [
      { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) },
      { name: 'scores.png', mimeType: 'image/png', buffer: NOT_AN_IMAGE },
      { name: 'huge.png', mimeType: 'image/png', buffer: pngHeaderOnly(20000, 20000) },
      { name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: SVG },
    ];
    await lab.getByTestId('file-input').setInputFiles(bad);
    // The Llip model's own runtime read each file and says why it cannot use it.
    for (const file of bad) {
      await expect.poll(() => lab.locator('p[role="alert"]').filter({ hasText: `${file.name}:` }).count(), { timeout: 30_000 }).toBe(1);
    }
    expect(await weightsTable(lab)).toEqual(before);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});

describe('the Llip lab on WebGPU (a software adapter here)', () => {
  it('shows the same weights as PyTorch', async () => {
    const session = await openApp('?device=webgpu#llip');
    const { page } = session;
    const lab = page.getByTestId('llip-lab');
    await lab.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
    expect(await lab.getByTestId('runtime-device').textContent()).toBe('webgpu');
    const [, captionCount, heads, k] = goldens.outputs.mixture_weights.dims;
    await lab.getByRole('button', { name: 'Clear' }).click();
    await lab.getByRole('button', { name: 'Sample 8' }).click();
    await setLlipCaptions(lab, goldens.inputs.captions);
    await lab.getByText(/The weights, per head/).click();
    await waitForWeights(page, goldens.inputs.captions, heads);
    const rows = await weightsTable(lab);
    let worst = 0;
    rows.forEach((row, r) => row.values.forEach((v, m) => {
      worst = Math.max(worst, Math.abs(v - goldens.outputs.mixture_weights.data[(Math.floor(r / heads) * heads + (r % heads)) * k + m]));
    }));
    expect(rows.length).toBe(captionCount * heads);
    expect(worst).toBeLessThan(1e-3);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await session.close();
  });
});
