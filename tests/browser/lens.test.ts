/**
 * The attention lens in the Contrastive lab, offline: the class token's attention of the first
 * golden image, exported as CSV from the page, equals PyTorch's; every row of a layer and of
 * the rollout is a distribution.
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { openApp, readMatrix, stopAll, waitForModel } from './harness';
import { composeOnCaptions, dragInOneTask, setCaptions, waitForMatrix } from './lab';
import { type GoldenTensor } from './goldens';

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

/** Runs in the page before the app: notes, for every image request, whether it asks for attention. */
function noteAttentionAsks(): void {
  const asked: boolean[] = [];
  (window as unknown as { __asked: boolean[] }).__asked = asked;
  const Native = window.Worker;
  window.Worker = class extends Native {
    postMessage(message: unknown, transfer?: Transferable[] | StructuredSerializeOptions): void {
      const m = message as { type: string; task?: { kind: string; attentions?: boolean } };
      if (m.type === 'run' && m.task?.kind === 'image-embeds') asked.push(m.task.attentions !== false);
      super.postMessage(message, transfer as Transferable[]);
    }
  };
}

it('a drag with the lens closed asks for no attention; opening the lens brings the dragged scene\'s', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await page.addInitScript(noteAttentionAsks);
  await page.reload();
  await waitForModel(page);
  await composeOnCaptions(page, ['a red circle on the left', 'a red circle on the right']);
  const asked = () => page.evaluate(() => [...(window as unknown as { __asked: boolean[] }).__asked]);
  const before = (await asked()).length;

  await dragInOneTask(page, 10);
  await waitForMatrix(page, 1, 2);
  const duringDrag = (await asked()).slice(before);
  expect(duringDrag.length).toBeGreaterThan(0);
  expect(duringDrag.every((withAttention) => !withAttention)).toBe(true);

  const withoutAttention = await readMatrix(page);

  // Opened, the lens has the dragged scene embedded again with its attention, and lists it; the
  // embedding fetched alone equals the one fetched with the attention, number for number.
  await page.getByText('Attention lens: where each encoder').click();
  const lens = page.getByTestId('attention-lens');
  const items = () => lens.getByLabel('Attention of').locator('option').allTextContents();
  await expect.poll(items, { timeout: 30_000 }).toContain('🖼 Composed 1');
  expect((await asked()).slice(before + duringDrag.length)).toEqual([true]);
  await waitForMatrix(page, 1, 2);
  expect(await readMatrix(page)).toEqual(withoutAttention);
  await lens.getByLabel('Attention of').selectOption({ label: '🖼 Composed 1' });
  const sums = await lens.getByTestId('lens-row-sums').evaluate((t) => [...t.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value'))));
  expect(sums.length).toBeGreaterThan(1);
  for (const s of sums) expect(s).toBeCloseTo(1, 4);

  // With the lens open, a drag asks for attention at every request, and the scene stays listed.
  const opened = (await asked()).length;
  await dragInOneTask(page, 10);
  await waitForMatrix(page, 1, 2);
  const openDrag = (await asked()).slice(opened);
  expect(openDrag.length).toBeGreaterThan(0);
  expect(openDrag.every((withAttention) => withAttention)).toBe(true);
  expect(await items()).toContain('🖼 Composed 1');
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
