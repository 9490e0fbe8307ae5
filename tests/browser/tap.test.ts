/**
 * The attention lens on hub graphs that do not output their attention, offline through the hub
 * mirror: shapes-clip's graphs without their attention outputs (fixtures/shapes-clip-untapped)
 * are tapped as they load, and the lens shows what it shows for the bundled shapes-clip, which
 * exports its attention: every layer, head, mean and rollout, within 1e-6 on WASM and 1e-3 on
 * WebGPU. The file stays in the browser's cache as downloaded and is tapped again on each load.
 * A fused graph and a graph with no Softmax get a message; a corrupt file the usual error.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, startServer, stopAll, waitForModel } from './harness';
import { loadRepo, setCaptions, waitForMatrix } from './lab';
import { keepExports, lensViews } from './lens';

const goldens = JSON.parse(readFileSync('static/models/shapes-clip/goldens.json', 'utf8')) as { inputs: { captions: string[] } };
const CAPTIONS = goldens.inputs.captions.slice(0, 2);
const UNTAPPED = 'fixtures/shapes-clip-untapped';
/** The lens items compared: the first and fourth sample image, the first caption. */
const ITEMS = [0, 3, 8];

async function mirror(path: 'stats' | 'reset'): Promise<{ served: string[] }> {
  return (await fetch(`${await startServer()}__hub/${path}`)).json() as Promise<{ served: string[] }>;
}

async function showSamples(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('button', { name: 'Sample 8' }).click();
  await setCaptions(page, CAPTIONS);
  await waitForMatrix(page, 8, CAPTIONS);
}

async function useRepo(page: Page, repo: string): Promise<void> {
  await loadRepo(page, repo);
  await expect.poll(() => page.getByTestId('runtime-model').textContent(), { timeout: 120_000 }).toBe(repo);
  await waitForMatrix(page, 8, CAPTIONS);
}

async function openLens(page: Page): Promise<void> {
  const details = page.locator('details').filter({ has: page.getByText("Attention lens: where each encoder's tokens look") });
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await page.getByText("Attention lens: where each encoder's tokens look").click();
}

async function allViews(page: Page): Promise<Map<string, number[]>> {
  await keepExports(page);
  await openLens(page);
  const out = new Map<string, number[]>();
  for (const item of ITEMS) for (const [key, values] of await lensViews(page, item)) out.set(`${item}:${key}`, values);
  return out;
}

function expectSameViews(actual: Map<string, number[]>, expected: Map<string, number[]>, tolerance: number): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  // Three layers of four heads and two of four, each with its mean, and a rollout per item.
  expect(actual.size).toBe(2 * (3 * 5 + 1) + (2 * 5 + 1));
  for (const [key, values] of expected) {
    const got = actual.get(key) ?? [];
    expect(got.length, key).toBe(values.length);
    // The CSV holds 6 significant digits; the margin covers the decimal text, not the model.
    const worst = Math.max(...values.map((v, k) => Math.abs(v - got[k])));
    expect(worst, key).toBeLessThanOrEqual(tolerance + 1e-12);
  }
}

afterAll(stopAll);

let bundled: Map<string, number[]>;

describe('a hub graph without attention outputs, tapped on load', () => {
  it('WASM: the lens shows the bundled model’s exported attention, every layer, head, mean and rollout', async () => {
    await mirror('reset');
    const session = await openApp('?device=wasm&hub=/__hub/#contrastive');
    const { page } = session;
    await waitForModel(page);
    await showSamples(page);
    bundled = await allViews(page);
    await useRepo(page, UNTAPPED);
    expectSameViews(await allViews(page), bundled, 1e-6);

    // Cached as downloaded: the browser holds the mirror's bytes, not the tapped ones.
    const cachedHash = await page.evaluate(async () => {
      const cache = await caches.open('transformers-cache');
      const key = (await cache.keys()).find((r) => r.url.endsWith('fixtures/shapes-clip-untapped/resolve/main/onnx/vision_model.onnx'));
      const body = key ? await (await cache.match(key))?.arrayBuffer() : undefined;
      return body ? [...new Uint8Array(await crypto.subtle.digest('SHA-256', body))].map((b) => b.toString(16).padStart(2, '0')).join('') : null;
    });
    expect(cachedHash).toBe(createHash('sha256').update(readFileSync('tests/fixtures/hub/shapes-clip-untapped/onnx/vision_model.onnx')).digest('hex'));

    // Loaded again from the cache (no weights downloaded), it is tapped again.
    await page.reload();
    await waitForModel(page);
    await showSamples(page);
    await mirror('reset');
    await useRepo(page, UNTAPPED);
    expect((await mirror('stats')).served.filter((f) => f.endsWith('.onnx'))).toEqual([]);
    expectSameViews(await allViews(page), bundled, 1e-6);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await session.close();
  });

  it('WebGPU: the same views within 1e-3', async () => {
    const session = await openApp('?device=webgpu&hub=/__hub/#contrastive');
    const { page } = session;
    await waitForModel(page);
    await showSamples(page);
    await useRepo(page, UNTAPPED);
    expect(await page.getByTestId('runtime-device').textContent()).toMatch(/webgpu/i);
    expectSameViews(await allViews(page), bundled, 1e-3);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await session.close();
  });
});

describe('graphs whose attention cannot be tapped', () => {
  it('fused attention, no Softmax, corrupt bytes: a message each, and the lab keeps working', async () => {
    const session = await openApp('?device=wasm&hub=/__hub/#contrastive');
    const { page } = session;
    await waitForModel(page);
    await showSamples(page);
    const reasons = () => page.getByTestId('lens-unavailable').allTextContents();

    await useRepo(page, 'fixtures/shapes-clip-fused');
    await openLens(page);
    await expect.poll(reasons).toEqual([expect.stringMatching(/^The image encoder computes attention in one fused operator \(com\.microsoft\.Attention\).*not available/)]);
    // Its text tower is unfused: the captions' attention is tapped and shown, the images' is not.
    const options = await page.getByTestId('attention-lens').getByLabel('Attention of').locator('option').allTextContents();
    expect(options).toEqual(CAPTIONS.map((c) => `“${c}”`));

    await useRepo(page, 'fixtures/shapes-clip-nosoftmax');
    await openLens(page);
    await expect.poll(reasons).toEqual(['The image encoder has no Softmax node, so it has no attention probabilities to show.', 'The text encoder has no Softmax node, so it has no attention probabilities to show.']);
    expect(await page.getByTestId('attention-lens').count()).toBe(0);

    await loadRepo(page, 'fixtures/shapes-clip-corrupt');
    await expect.poll(async () => (await page.getByTestId('runtime-error').count()) ? await page.getByTestId('runtime-error').textContent() : '', { timeout: 60_000 })
      .toMatch(/could not be read .*Its files may be damaged/);
    expect(await page.getByTestId('runtime-model').textContent()).toBe('fixtures/shapes-clip-nosoftmax');
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await session.close();
  });
});
