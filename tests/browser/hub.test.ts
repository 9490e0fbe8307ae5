/**
 * Loading from the hub, with the hub played by the app's local mirror (`/__hub/`, bundled
 * models under hub-shaped URLs): the real remote path runs (fetch, byte progress, the browser
 * cache) with no network. Each failure ends in a clear message and a working app.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, readMatrix, startServer, stopAll, waitForModel, type Session } from './harness';
import { captionInputs, loadRepo, setCaptions, setMode, waitForMatrix } from './lab';
import { type GoldenTensor } from './goldens';

const goldens = JSON.parse(readFileSync('static/models/shapes-clip/goldens.json', 'utf8')) as {
  inputs: { captions: string[] };
  outputs: { similarity: GoldenTensor };
};

const TOWERS = ['onnx/text_model.onnx', 'onnx/vision_model.onnx'].reduce((n, f) => n + readFileSync(`static/models/shapes-clip/${f}`).length, 0);

async function mirror(path: 'stats' | 'reset' | 'heal'): Promise<{ served: string[] }> {
  return (await fetch(`${await startServer()}__hub/${path}`)).json() as Promise<{ served: string[] }>;
}

describe('hub models through the local mirror', () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    await mirror('reset');
    session = await openApp('?device=wasm&hub=/__hub/#contrastive');
    page = session.page;
    await waitForModel(page);
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('checks a typed repo first: its family and download size, before any weights download', async () => {
    await page.getByRole('combobox', { name: 'Model' }).selectOption({ label: 'A hub repo…' });
    await page.getByRole('textbox', { name: 'Hub repo id' }).fill('playground/shapes-clip');
    await page.getByRole('combobox', { name: 'Precision' }).selectOption('fp32');
    await page.getByRole('button', { name: 'Check the model' }).click();
    await expect.poll(async () => (await page.getByTestId('inspected').textContent()) ?? '', { timeout: 60_000 }).toBe(`clip, ${(TOWERS / 1e6).toPrecision(3)} MB`);
    // The check read the config and asked for sizes with one-byte ranges: no weights downloaded.
    const { served } = await mirror('stats');
    expect(served).toContain('playground/shapes-clip/config.json');
    expect(served.filter((f) => f.endsWith('.onnx (bytes=0-0)'))).toHaveLength(2);
    expect(served.filter((f) => f.endsWith('.onnx'))).toEqual([]);
  });

  it('downloads a repo through the remote path and gives the same matrix as PyTorch', async () => {
    await loadRepo(page, 'playground/shapes-clip');
    await expect.poll(() => page.getByTestId('runtime-model').textContent(), { timeout: 60_000 }).toBe('playground/shapes-clip');
    const { served } = await mirror('stats');
    expect(served).toEqual(expect.arrayContaining(['playground/shapes-clip/onnx/text_model.onnx', 'playground/shapes-clip/onnx/vision_model.onnx']));
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Sample 8' }).click();
    await setCaptions(page, goldens.inputs.captions);
    await setMode(page, 'Cosine similarity');
    await waitForMatrix(page, 8, goldens.inputs.captions);
    const { values } = await readMatrix(page);
    const [rows, columns] = goldens.outputs.similarity.dims;
    for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) expect(Math.abs(values[i][j] - goldens.outputs.similarity.data[i * columns + j])).toBeLessThan(1e-4);
  });

  it('loads a cached repo again without downloading its weights', async () => {
    await mirror('reset');
    await page.reload();
    await waitForModel(page);
    await loadRepo(page, 'playground/shapes-clip');
    await expect.poll(() => page.getByTestId('runtime-model').textContent(), { timeout: 60_000 }).toBe('playground/shapes-clip');
    const { served } = await mirror('stats');
    expect(served.filter((f) => f.endsWith('.onnx'))).toEqual([]);
  });

  it('lists the cached repo with its size, and deletes it', async () => {
    await page.getByText('Downloaded models', { exact: true }).click();
    const row = page.getByTestId('cache-table').getByRole('row').filter({ hasText: 'playground/shapes-clip' });
    const bytes = Number(await row.locator('[data-bytes]').getAttribute('data-bytes'));
    const onDisk = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx']
      .reduce((n, f) => n + readFileSync(`static/models/shapes-clip/${f}`).length, 0);
    expect(bytes).toBe(onDisk);
    await row.getByRole('button', { name: 'Delete playground/shapes-clip from this browser' }).click();
    await expect.poll(() => page.getByTestId('cache-table').getByRole('row').filter({ hasText: 'playground/shapes-clip' }).count()).toBe(0);
    // Loading it now downloads the weights again.
    await mirror('reset');
    await loadRepo(page, 'playground/shapes-clip');
    await expect.poll(async () => (await mirror('stats')).served.filter((f) => f.endsWith('.onnx')).length, { timeout: 60_000 }).toBe(2);
    await page.getByText('Downloaded models', { exact: true }).click();
  });

  const failures: [string, RegExp][] = [
    ['faults/missing-file', /missing/],
    ['faults/html-config', /web page/],
    ['faults/unsupported', /is a bert model/],
    ['faults/cut-download', /was cut/],
  ];
  for (const [repo, message] of failures) {
    it(`${repo}: a clear message, and the loaded model keeps working`, async () => {
      await loadRepo(page, repo);
      // Refused at the check (config problems) or at the load (weights problems).
      const read = async (id: string) => ((await page.getByTestId(id).count()) ? ((await page.getByTestId(id).textContent()) ?? '') : '');
      const text = async () => `${await read('runtime-error')} ${await read('inspect-error')}`;
      await expect.poll(text, { timeout: 60_000 }).toMatch(message);
      expect(await page.getByTestId('runtime-model').textContent()).toBe('playground/shapes-clip');
      // The lab still answers: a new caption is embedded by the model that was already loaded.
      const caption = `a red circle ${repo.length % 2 ? 'on the left' : 'on the right'}`;
      await (await captionInputs(page)).nth(0).fill(caption);
      await expect.poll(async () => (await readMatrix(page)).columns[0]).toBe(caption);
    });
  }

  it('after a cut download, trying again loads the whole file (no broken cache entry)', async () => {
    await mirror('heal');
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => page.getByTestId('runtime-model').textContent(), { timeout: 60_000 }).toBe('faults/cut-download');
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});

it('full storage: the model still loads, with a note that it was not kept', async () => {
  const session = await openApp('?device=wasm&hub=/__hub/&debug=1#contrastive');
  const { page } = session;
  await waitForModel(page);
  await page.getByRole('button', { name: 'Simulate full storage' }).click();
  await loadRepo(page, 'playground/shapes-clip');
  await expect.poll(() => page.getByTestId('runtime-model').textContent(), { timeout: 60_000 }).toBe('playground/shapes-clip');
  expect(await page.getByTestId('runtime-panel').textContent()).toMatch(/Storage is full, so \d+ files of this model could not be kept/);
  await page.getByText('Downloaded models', { exact: true }).click();
  await expect.poll(() => page.getByText('No hub model is stored in this browser.').count()).toBe(1);
  await (await captionInputs(page)).nth(0).fill('a blue circle');
  await expect.poll(async () => (await readMatrix(page)).columns[0]).toBe('a blue circle');
  expect(session.external).toEqual([]);
  await session.close();
});
