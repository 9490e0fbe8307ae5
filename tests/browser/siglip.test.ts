/**
 * The bundled SigLIP in the Contrastive lab, offline: picked from the model list, its matrices
 * (cosine, logits with the learned bias, sigmoid per pair) equal the forge's PyTorch goldens,
 * the loss panel shows the sigmoid loss (recomputed here from the goldens), and compare mode
 * sets CLIP against SigLIP on the same inputs.
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { openApp, readMatrix, stopAll, waitForModel } from './harness';
import { setCaptions, setMode, waitForMatrix } from './lab';
import { type GoldenTensor, worstDifference } from './goldens';

const goldens = JSON.parse(readFileSync('static/models/shapes-siglip/goldens.json', 'utf8')) as {
  inputs: { captions: string[]; seeds: number[] };
  outputs: { similarity: GoldenTensor; logits_per_image: GoldenTensor; probabilities: GoldenTensor; logit_scale: number; logit_bias: number };
};

afterAll(stopAll);

/** SigLIP's loss with image i paired to caption i, from the goldens' logits, written out here. */
function goldenSigmoidLoss(): number {
  const [rows, columns] = goldens.outputs.logits_per_image.dims;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const z = i === j ? 1 : -1;
      sum += Math.log1p(Math.exp(-z * goldens.outputs.logits_per_image.data[i * columns + j]));
    }
  }
  return sum / rows;
}

it('runs the bundled SigLIP: the matrices equal PyTorch, and the loss is the sigmoid loss', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  await page.getByRole('combobox', { name: 'Model', exact: true }).selectOption('shapes-siglip');
  await page.getByTestId('runtime-model').filter({ hasText: 'shapes-siglip' }).waitFor({ timeout: 60_000 });
  await waitForModel(page);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByRole('button', { name: 'Sample 8' }).click();
  await setCaptions(page, goldens.inputs.captions);
  await setMode(page, 'Cosine similarity');
  await waitForMatrix(page, 8, goldens.inputs.captions);
  expect(worstDifference((await readMatrix(page)).values, goldens.outputs.similarity)).toBeLessThan(1e-4);

  // The learned scale and bias come from the graph: logits = t · cos + b, as PyTorch's.
  await setMode(page, 'Logits (cosine × scale + bias)');
  expect(worstDifference((await readMatrix(page)).values, goldens.outputs.logits_per_image)).toBeLessThan(1e-4 * goldens.outputs.logit_scale);
  await setMode(page, 'Sigmoid per pair (SigLIP)');
  expect(worstDifference((await readMatrix(page)).values, goldens.outputs.probabilities)).toBeLessThan(1e-4);

  const loss = page.getByTestId('loss-panel');
  await expect.poll(() => loss.getByRole('heading').first().textContent()).toBe('Pairwise sigmoid loss (SigLIP)');
  expect(Number(await loss.getByTestId('loss-total').textContent())).toBeCloseTo(goldenSigmoidLoss(), 3);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});

it('compares CLIP with SigLIP on identical inputs', async () => {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  await waitForModel(page);
  const captions = goldens.inputs.captions.slice(0, 4);
  await setCaptions(page, captions);
  await waitForMatrix(page, 4, captions);
  await page.getByRole('button', { name: 'Compare with another model…' }).click();
  const compare = page.getByTestId('compare');
  await compare.getByTestId('compare-summary').waitFor({ timeout: 60_000 });
  await compare.getByRole('combobox', { name: 'Model', exact: true }).selectOption('shapes-siglip');
  await compare.getByText('The numbers of A and B').click();
  await compare.getByTestId('compare-b-table').filter({ hasText: 'shapes-siglip' }).waitFor({ state: 'attached', timeout: 60_000 });
  const values = (testid: string) => compare.getByTestId(testid).evaluate((t) =>
    [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value')))));
  const a = await values('compare-a-table');
  const b = await values('compare-b-table');
  // Each model's probabilities in its own family's form: CLIP's rows are softmax distributions,
  // SigLIP's cells are independent sigmoids (a row need not sum to 1).
  for (const row of a) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  for (const row of b) for (const v of row) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
  const argmax = (row: number[]) => row.indexOf(Math.max(...row));
  const agreeing = a.filter((row, i) => argmax(row) === argmax(b[i])).length;
  expect(await compare.getByTestId('top1-agreement').textContent()).toBe(`${agreeing} of ${a.length}`);
  // Two different models: their numbers differ.
  expect(Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i][j]))))).toBeGreaterThan(1e-3);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});
