/**
 * The moment the composer exists for: drag a red circle from left to right and watch the
 * numbers change. And a crashed worker: restarted, the view recovers, nothing typed is lost.
 */
import { afterAll, expect, it } from 'vitest';
import { openApp, readMatrix, stopAll, waitForModel } from './harness';
import { captionInputs, setCaptions, setMode, waitForMatrix } from './lab';

afterAll(stopAll);

const CAPTIONS = ['a red circle on the left', 'a red circle on the right', 'a blue square'];

it('dragging a red circle from left to right moves the matrix', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  await page.getByRole('button', { name: 'Clear' }).click();
  await setCaptions(page, CAPTIONS);
  await setMode(page, 'Softmax over each row (image → text)');
  await page.getByRole('button', { name: 'Compose a scene…' }).click();
  await waitForMatrix(page, 1, CAPTIONS);
  const left = await readMatrix(page);
  expect(left.rows[0]).toMatch(/^Composed/);
  expect(left.values[0][0]).toBeGreaterThan(left.values[0][1]);

  // Drag the circle (it starts on the left, at x = 0.2) to the right, as a mouse would.
  const surface = page.getByTestId('composer-surface');
  const box = (await surface.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  for (let k = 1; k <= 10; k++) await page.mouse.move(box.x + box.width * (0.2 + 0.06 * k), box.y + box.height * 0.5);
  await page.mouse.up();
  await expect.poll(async () => {
    const { values } = await readMatrix(page);
    return values[0][1] > values[0][0];
  }, { timeout: 30_000 }).toBe(true);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});

it('a crashed worker is restarted and the view recovers with everything kept', async () => {
  const session = await openApp('?device=wasm&debug=1#contrastive');
  const { page } = session;
  await waitForModel(page);
  await setCaptions(page, ['a red circle', 'a blue square']);
  await setMode(page, 'Cosine similarity');
  await waitForMatrix(page, 4, ['a red circle', 'a blue square']);
  const before = await readMatrix(page);
  await page.getByRole('button', { name: 'Simulate a worker crash' }).click();
  await expect.poll(() => page.getByText(/inference worker crashed/).count()).toBeGreaterThan(0);
  await waitForModel(page);
  // Edit a caption after the restart: it is embedded by the new worker.
  await (await captionInputs(page)).nth(1).fill('a green triangle');
  await expect.poll(async () => (await readMatrix(page)).columns).toEqual(['a red circle', 'a green triangle']);
  const after = await readMatrix(page);
  expect(after.rows).toEqual(before.rows);
  for (let i = 0; i < before.rows.length; i++) expect(after.values[i][0]).toBeCloseTo(before.values[i][0], 6);
  expect(session.external).toEqual([]);
  await session.close();
});

it('a lost GPU: the model reloads on WASM with a notice, and the numbers shown stay', async () => {
  const session = await openApp('?device=webgpu&debug=1#contrastive');
  const { page } = session;
  expect(await waitForModel(page)).toBe('webgpu');
  await setCaptions(page, ['a red circle', 'a blue square']);
  await setMode(page, 'Cosine similarity');
  await waitForMatrix(page, 4, ['a red circle', 'a blue square']);
  const before = await readMatrix(page);
  await page.getByRole('button', { name: 'Simulate a lost GPU' }).click();
  // The next inference meets the lost device: a new caption forces one.
  await (await captionInputs(page)).nth(1).fill('a green triangle');
  await expect.poll(() => page.getByText(/GPU device was lost/).count(), { timeout: 60_000 }).toBeGreaterThan(0);
  await expect.poll(() => page.getByTestId('runtime-device').textContent(), { timeout: 60_000 }).toBe('wasm');
  await expect.poll(async () => (await readMatrix(page)).columns, { timeout: 60_000 }).toEqual(['a red circle', 'a green triangle']);
  const after = await readMatrix(page);
  expect(after.rows).toEqual(before.rows);
  // WASM and WebGPU agree to 1e-3 on the column both computed.
  for (let i = 0; i < before.rows.length; i++) expect(Math.abs(after.values[i][0] - before.values[i][0])).toBeLessThan(1e-3);
  expect(session.external).toEqual([]);
  await session.close();
});
