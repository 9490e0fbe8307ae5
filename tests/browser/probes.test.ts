/**
 * The Probe lab in the built app, offline: shapes-clip's scores on every suite equal the same
 * computation in Node (transformers.js on static/models/shapes-clip, the same seeds, images and
 * captions); a hub model from the local mirror runs the suites through the same worker path;
 * cancelling stops the run and keeps the suites already finished. No request leaves localhost.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, RawImage, env } from '@huggingface/transformers';
import { openApp, startServer, stopAll, type Session } from './harness';
import { captionInputs } from './lab';
import { generateSuite } from '../../src/lib/probes/suites';
import { pairSuiteResult, type SuiteResult } from '../../src/lib/probes/report';
import type { PairScores } from '../../src/lib/probes/scores';
import { SUITE_IDS } from '../../src/lib/probes/types';
import { renderScene } from '../../src/lib/shapes/render';
import { SAMPLE_RENDER_SIZE } from '../../src/lib/shapes/samples';
import { shrinkShortestEdge } from '../../src/lib/image/resample';

const SEED = 11;
const COUNT = 12;

interface Exported { seed: number; itemsPerSuite: number; results: (SuiteResult & { label: string })[] }

async function chooseModels(page: Page, keep: readonly string[], hub = '') {
  for (const box of await page.getByTestId('probes-lab').getByRole('checkbox').all()) {
    const label = (await box.evaluate((el) => el.parentElement?.textContent ?? '')).trim();
    await box.setChecked(keep.some((k) => label.startsWith(k)));
  }
  await page.getByRole('textbox', { name: 'Hub repo for the probes' }).fill(hub);
}

async function runAndWait(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Run the probes' }).click();
  await page.locator('[data-testid="probe-status"][data-status="done"]').waitFor({ timeout: 170_000 });
}

async function exportJson(page: Page): Promise<Exported> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  return JSON.parse(readFileSync((await download.path())!, 'utf8')) as Exported;
}

/** Each suite's four cosines per item, computed in Node as the worker does (render, area shrink, processor, towers). */
async function nodeScores(): Promise<Map<string, PairScores[]>> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = 'static/models/';
  const options = { device: 'cpu', dtype: 'fp32' } as const;
  const tokenizer = await AutoTokenizer.from_pretrained('shapes-clip');
  const processor = await AutoProcessor.from_pretrained('shapes-clip');
  const text = await CLIPTextModelWithProjection.from_pretrained('shapes-clip', options);
  const vision = await CLIPVisionModelWithProjection.from_pretrained('shapes-clip', options);
  const size = (processor as unknown as { image_processor: { config: { crop_size?: { height: number }; size?: { shortest_edge?: number } } } }).image_processor.config;
  const side = size.crop_size?.height ?? size.size?.shortest_edge ?? 32;
  const embed = async (scene: Parameters<typeof renderScene>[0]) => {
    const shrunk = shrinkShortestEdge({ ...renderScene(scene, SAMPLE_RENDER_SIZE), channels: 3 }, side);
    const { pixel_values } = await processor(new RawImage(shrunk.data, shrunk.width, shrunk.height, 3));
    return (await vision({ pixel_values })).image_embeds.data as Float32Array;
  };
  const cosine = (a: Float32Array, b: Float32Array) => {
    let dot = 0, na = 0, nb = 0;
    for (let d = 0; d < a.length; d++) {
      dot += a[d] * b[d];
      na += a[d] * a[d];
      nb += b[d] * b[d];
    }
    return dot / Math.sqrt(na * nb);
  };
  const out = new Map<string, PairScores[]>();
  for (const id of SUITE_IDS) {
    const suite = generateSuite(id, SEED, COUNT);
    const scores: PairScores[] = [];
    for (const item of suite.items) {
      const images = [await embed(item.scenes[0]), await embed(item.scenes[1])];
      const tokens = tokenizer([...item.captions], { padding: true, truncation: true });
      const t = (await text(tokens)).text_embeds;
      const dim = t.dims[1];
      const captions = [0, 1].map((c) => (t.data as Float32Array).slice(c * dim, (c + 1) * dim));
      scores.push([[cosine(images[0], captions[0]), cosine(images[0], captions[1])], [cosine(images[1], captions[0]), cosine(images[1], captions[1])]]);
    }
    out.set(id, scores);
  }
  return out;
}

describe('Probe lab', () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    await fetch(`${await startServer()}__hub/reset`);
    session = await openApp(`?device=wasm&hub=/__hub/#probes?seed=${SEED}&n=${COUNT}`);
    page = session.page;
    await page.getByTestId('probes-lab').waitFor();
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it("shapes-clip's scores on every suite equal transformers.js in Node on the same seeds", async () => {
    await chooseModels(page, ['shapes-clip']);
    await runAndWait(page);
    const exported = await exportJson(page);
    expect(exported.seed).toBe(SEED);
    expect(exported.itemsPerSuite).toBe(COUNT);
    const expected = await nodeScores();
    expect(exported.results.map((r) => r.suite)).toEqual([...SUITE_IDS]);
    for (const r of exported.results) {
      if (r.kind !== 'pairs') throw new Error('shapes-clip scores pairs');
      const scores = expected.get(r.suite)!;
      r.items.forEach((item, k) => item.scores.flat().forEach((s, j) => expect(Math.abs(s - scores[k].flat()[j])).toBeLessThan(1e-5)));
      // The same item outcomes give the same estimates: the bootstrap is seeded by the probe seed.
      const node = pairSuiteResult(r.model, generateSuite(r.suite, SEED, COUNT), scores, { unknownWords: r.unknownWords, ms: 0 });
      if (node.kind !== 'pairs') throw new Error('pairs');
      expect(r.items.map((i) => i.outcome)).toEqual(node.items.map((i) => i.outcome));
      for (const metric of ['text', 'image', 'group'] as const) expect(r[metric]).toEqual(node[metric]);
    }
    // The page's table shows the same group scores.
    for (const r of exported.results) {
      if (r.kind !== 'pairs') continue;
      const cell = page.locator(`[data-testid="probe-table"] td[data-model="shapes-clip"][data-suite="${r.suite}"]`);
      expect(Number(await cell.getAttribute('data-group'))).toBe(r.group.value);
    }
    // Counting words the tokenizer never saw are named.
    expect(exported.results.find((r) => r.suite === 'counting')).toMatchObject({ unknownWords: expect.arrayContaining(['one']) });
    expect(session.external).toEqual([]);
  });

  it('exports the table as CSV and the chart as SVG and PNG, from the same numbers', async () => {
    const exported = await exportJson(page);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const lines = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('model,suite,metric,value,low,high,n,chance');
    expect(lines).toHaveLength(1 + SUITE_IDS.length * 3);
    const spatial = exported.results.find((r) => r.suite === 'spatial')!;
    if (spatial.kind !== 'pairs') throw new Error('pairs');
    expect(lines).toContain(`"shapes-clip (cosine)",spatial,group,${spatial.group.value.toFixed(4)},${spatial.group.low.toFixed(4)},${spatial.group.high.toFixed(4)},${COUNT},${(1 / 6).toFixed(4)}`);
    await page.getByRole('combobox', { name: 'Chart metric' }).selectOption('text');
    const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export SVG' }).click()]);
    const drawn = readFileSync((await svg.path())!, 'utf8');
    expect(drawn.startsWith('<svg')).toBe(true);
    const values = [...drawn.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(values).toEqual(exported.results.map((r) => (r.kind === 'pairs' ? r.text.value : NaN)));
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PNG' }).click()]);
    expect([...readFileSync((await png.path())!).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('shows the items a model got wrong, and opens one in its lab with its inputs', async () => {
    const exported = await exportJson(page);
    const spatial = exported.results.find((r) => r.suite === 'spatial')!;
    if (spatial.kind !== 'pairs') throw new Error('pairs');
    const wrong = spatial.items.filter((i) => i.outcome.group === false).length;
    await page.locator('[data-testid="probe-table"] td[data-model="shapes-clip"][data-suite="spatial"] button').click();
    // shapes-clip is near chance on spatial relations: some items are wrong.
    expect(wrong).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('probe-failure').count()).toBe(Math.min(wrong, 24));
    const first = page.getByTestId('probe-failure').first();
    const captions = await first.locator('thead th').allTextContents();
    await first.getByRole('button', { name: 'Open in its lab' }).click();
    await expect.poll(() => page.evaluate(() => location.hash.split('?')[0])).toBe('#contrastive');
    const typed = await (await captionInputs(page)).evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(typed).toEqual(captions.slice(1).map((c) => c.replace(/[“”]/g, '')));
    await page.evaluate(() => (location.hash = '#probes'));
  });

  it('runs a hub model from the mirror through the same worker path', async () => {
    await chooseModels(page, [], 'playground/shapes-siglip');
    await runAndWait(page);
    const exported = await exportJson(page);
    expect(exported.results.map((r) => r.model)).toEqual(SUITE_IDS.map(() => 'hub:playground/shapes-siglip'));
    for (const r of exported.results) {
      if (r.kind !== 'pairs') throw new Error('a SigLIP scores pairs');
      expect(r.group.n).toBe(COUNT);
      expect(r.items.every((i) => i.scores.flat().every(Number.isFinite))).toBe(true);
    }
    const { served } = (await (await fetch(`${await startServer()}__hub/stats`)).json()) as { served: string[] };
    expect(served).toEqual(expect.arrayContaining(['playground/shapes-siglip/onnx/text_model.onnx', 'playground/shapes-siglip/onnx/vision_model.onnx']));
    expect(session.external).toEqual([]);
  });

  it('asks a hub SmolVLM from the mirror the questions, through the same worker path', async () => {
    await chooseModels(page, [], 'fixtures/shapes-smolvlm-untapped');
    await page.getByRole('spinbutton', { name: 'Items per suite' }).fill('3');
    await runAndWait(page);
    const exported = await exportJson(page);
    expect(exported.itemsPerSuite).toBe(3);
    expect(exported.results.map((r) => r.model)).toEqual(SUITE_IDS.map(() => 'hub:fixtures/shapes-smolvlm-untapped'));
    for (const r of exported.results) {
      if (r.kind !== 'answers') throw new Error('a SmolVLM answers');
      expect(r.accuracy.n).toBe(6);
      expect(r.items.flatMap((i) => i.answers).every((a) => a.answer.length > 0)).toBe(true);
    }
    expect(session.external).toEqual([]);
    await page.getByRole('spinbutton', { name: 'Items per suite' }).fill(String(COUNT));
  });

  it('cancelling stops the work and keeps the suites already finished', async () => {
    await chooseModels(page, ['shapes-smolvlm']);
    await page.getByRole('button', { name: 'Run the probes' }).click();
    const cells = page.locator('[data-testid="probe-table"] td[data-accuracy]');
    await expect.poll(() => cells.count(), { timeout: 170_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('probe-status').getAttribute('data-status')).toBe('cancelled');
    const kept = await cells.count();
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(SUITE_IDS.length);
    // The model's worker is gone and nothing more arrives.
    await page.waitForTimeout(3000);
    expect(await cells.count()).toBe(kept);
    // A kept suite's wrong answers open in the Backbone lab, asking the question that was missed.
    await cells.first().locator('button').click();
    const failure = page.getByTestId('probe-failure').first();
    await failure.waitFor();
    const asked = (await failure.locator('.answers li').first().textContent())!.match(/“(.+?)”/)![1];
    await failure.getByRole('button', { name: 'Open in its lab' }).click();
    await expect.poll(() => page.evaluate(() => location.hash.split('?')[0])).toBe('#backbone');
    const query = new URLSearchParams(await page.evaluate(() => location.hash.split('?')[1] ?? ''));
    expect(query.get('question')).toBe(asked);
    expect(query.get('model')).toBe('shapes-smolvlm');
    expect(session.pageErrors).toEqual([]);
    expect(session.external).toEqual([]);
  });
});
