/**
 * The attention lens in the Contrastive lab, offline: the class token's attention of the first
 * golden image, exported as CSV from the page, equals PyTorch's; every row of a layer and of
 * the rollout is a distribution.
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { openApp, stopAll, waitForModel } from './harness';
import { setCaptions, waitForMatrix } from './lab';

interface GoldenTensor { dims: number[]; data: number[] }
const goldens = JSON.parse(readFileSync('static/models/shapes-clip/goldens.json', 'utf8')) as {
  inputs: { captions: string[] };
  outputs: { vision_attentions_image0: GoldenTensor };
};

afterAll(stopAll);

it('shows each encoder layer and head, and the rollout, from the graph attention', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('button', { name: 'Sample 8' }).click();
  await setCaptions(page, goldens.inputs.captions.slice(0, 2));
  await waitForMatrix(page, 8, goldens.inputs.captions.slice(0, 2));
  await page.getByText('Attention lens: where each encoder').click();
  const lens = page.getByTestId('attention-lens');
  await lens.getByLabel('Attention of').selectOption({ label: '🖼 Sample 1' });
  await lens.getByLabel('Lens layer').selectOption('1');
  await lens.getByLabel('Lens head').selectOption('1');

  const sums = () => lens.getByTestId('lens-row-sums').evaluate((t) => [...t.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value'))));
  const tokens = goldens.outputs.vision_attentions_image0.dims[3];
  expect((await sums()).length).toBe(tokens);
  for (const s of await sums()) expect(s).toBeCloseTo(1, 4);

  // The CSV the page exports holds layer 2, head 1 (chosen below): its class-token row is PyTorch's.
  await lens.getByLabel('Lens layer').selectOption('2');
  const [download] = await Promise.all([page.waitForEvent('download'), lens.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(csv[0]).toContain('layer 2, head 1');
  const classRow = csv[2].split(',').slice(1).map(Number);
  const [, layers, headCount, t] = goldens.outputs.vision_attentions_image0.dims;
  expect(layers).toBeGreaterThan(1);
  const golden = goldens.outputs.vision_attentions_image0.data.slice(((1 * headCount + 0) * t + 0) * t, ((1 * headCount + 0) * t + 1) * t);
  expect(classRow.length).toBe(t);
  classRow.forEach((v, k) => expect(Math.abs(v - golden[k])).toBeLessThan(1e-4));

  await lens.getByLabel('Lens layer').selectOption('rollout');
  for (const s of await sums()) expect(s).toBeCloseTo(1, 4);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
