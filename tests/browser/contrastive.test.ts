/**
 * The Contrastive lab in headless Chromium, offline: sample 8 images, type the golden
 * captions, and read the matrix from the accessible table; it must equal PyTorch's goldens,
 * on WASM and on WebGPU (a software adapter here).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openApp, readMatrix, stopAll, waitForModel } from './harness';
import { setCaptions, setMode, waitForMatrix } from './lab';
import { type GoldenTensor, worstDifference } from './goldens';

const goldens = JSON.parse(readFileSync('static/models/shapes-clip/goldens.json', 'utf8')) as {
  inputs: { captions: string[]; seeds: number[] };
  outputs: { similarity: GoldenTensor; logits_per_image: GoldenTensor; logit_scale: number };
};

afterAll(stopAll);

// WebGPU on SwiftShader computes in a different order than PyTorch's CPU kernels.
const TOLERANCE = { wasm: 1e-4, webgpu: 1e-3 } as const;

describe.each(['wasm', 'webgpu'] as const)('the matrix on %s equals the PyTorch goldens', (device) => {
  it('sample 8 images, type the golden captions, read the table', async () => {
    const session = await openApp(`?device=${device}#contrastive`);
    const { page } = session;
    expect(await waitForModel(page)).toBe(device);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Sample 8' }).click();
    await setCaptions(page, goldens.inputs.captions);
    await setMode(page, 'Cosine similarity');
    await waitForMatrix(page, 8, goldens.inputs.captions);

    const cosine = await readMatrix(page);
    expect(cosine.rows).toEqual(goldens.inputs.seeds.map((_, k) => `Sample ${k + 1}`));
    expect(cosine.columns).toEqual(goldens.inputs.captions);
    expect(worstDifference(cosine.values, goldens.outputs.similarity)).toBeLessThan(TOLERANCE[device]);

    // Logits at the learned scale are the full model graph's logits_per_image.
    await setMode(page, 'Logits (cosine × scale)');
    const logits = await readMatrix(page);
    expect(worstDifference(logits.values, goldens.outputs.logits_per_image)).toBeLessThan(TOLERANCE[device] * goldens.outputs.logit_scale);

    // Softmax over rows: each row is a distribution.
    await setMode(page, 'Softmax over each row (image → text)');
    const rowsSoftmax = await readMatrix(page);
    for (const row of rowsSoftmax.values) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);

    await expect.poll(() => page.getByTestId('backend').textContent()).toBe(device);
    expect(session.pageErrors).toEqual([]);
    expect(session.external).toEqual([]);
    await session.close();
  });
});
