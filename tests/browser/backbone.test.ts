/**
 * The Backbone lab in headless Chromium, offline: the bundled shapes-smolvlm answers the golden
 * questions about the golden images token by token exactly as PyTorch does (greedy ids from the
 * model's goldens), with and without the image; each answer token's attention over the prompt
 * sums to 1; switching to the stage-1 model answers as stage 1's goldens say; an empty or
 * over-long question and a bad image each get a message and lose nothing; a question asked
 * while an answer streams cancels it cleanly; the same model from the hub mirror runs through
 * the same code, and a repo of another family is refused before any weights download. A copy
 * whose graphs output no attention (fixtures/shapes-smolvlm-untapped) is tapped as it loads:
 * the same answers, and the same decoder and vision attention as the bundled model's.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { openApp, startServer, stopAll, type Session } from './harness';
import { NOT_AN_IMAGE } from './fixtures';
import { keepExports, lensViews } from './lens';

interface GoldenCase { image: number | null; question: string; generated: number[] }
const goldensOf = (dir: string) => JSON.parse(readFileSync(`static/models/${dir}/goldens.json`, 'utf8')) as { cases: GoldenCase[] };
const stage2 = goldensOf('shapes-smolvlm');
const stage1 = goldensOf('shapes-smolvlm-stage1');

async function waitReady(lab: Locator, model: string): Promise<void> {
  await lab.locator(`[data-testid="runtime-panel"][data-status="ready"]`).waitFor({ timeout: 120_000 });
  await lab.getByTestId('runtime-model').filter({ hasText: new RegExp(`^${model}$`) }).waitFor({ timeout: 120_000 });
}

/** Opens the lab with the bundled model ready and the eight samples as the shared images. */
async function openLab(query: string): Promise<{ session: Session; lab: Locator }> {
  const session = await openApp(`${query}#backbone`);
  const lab = session.page.getByTestId('backbone-lab');
  await waitReady(lab, 'shapes-smolvlm');
  await lab.getByRole('button', { name: 'Clear' }).click();
  await lab.getByRole('button', { name: 'Sample 8' }).click();
  return { session, lab };
}

/** Loads a typed hub repo in fp32 (the lab's "A hub repo…" chosen): its size shown first, then its download. */
async function loadTypedRepo(lab: Locator, repo: string): Promise<void> {
  await lab.getByLabel('VLM hub repo id').fill(repo);
  await lab.getByLabel('VLM precision').selectOption('fp32');
  await lab.getByRole('button', { name: 'Check the model' }).click();
  await expect.poll(() => lab.getByTestId('vlm-inspected').textContent(), { timeout: 30_000 }).toMatch(/^smolvlm, [\d.]+ [kM]B/);
  await lab.getByRole('button', { name: /^Download .* and load$/ }).click();
  await waitReady(lab, repo);
}

/** Asks a question about a sample and waits for the finished answer: its token ids. */
async function ask(page: Page, lab: Locator, image: number, question: string): Promise<number[]> {
  await lab.getByRole('button', { name: `Ask about Sample ${image + 1}`, exact: true }).click();
  await lab.getByLabel('Question', { exact: true }).fill(question);
  await lab.getByRole('button', { name: 'Ask', exact: true }).click();
  return finishedIds(page, lab, question, `Sample ${image + 1}`);
}

/** The ids of the finished answer to `question` about the image labelled `label`. */
async function finishedIds(page: Page, lab: Locator, question: string, label: string): Promise<number[]> {
  await page.waitForFunction(
    ([q, l]) => {
      const answer = document.querySelector('[data-testid="backbone-lab"] [data-testid="answer"]');
      const key = JSON.parse(answer?.getAttribute('data-for') || '{}') as { question?: string; label?: string };
      return answer?.getAttribute('data-status') === 'done' && key.question === q && key.label === l;
    },
    [question, label] as const,
    { timeout: 60_000 },
  );
  return lab.getByTestId('answer-tokens').locator('button').evaluateAll((buttons) => buttons.map((b) => Number(b.getAttribute('data-id'))));
}

describe('the Backbone lab', () => {
  let session: Session;
  let page: Page;
  let lab: Locator;

  beforeAll(async () => {
    ({ session, lab } = await openLab('?device=wasm'));
    page = session.page;
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('answers every golden question about every golden image exactly as PyTorch does', async () => {
    for (const c of stage2.cases.filter((g) => g.image !== null)) {
      expect(await ask(page, lab, c.image!, c.question), `${c.question} (image ${c.image})`).toEqual(c.generated);
    }
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('answers without the image as PyTorch\'s language model alone does, beside the answer with it', async () => {
    for (const c of stage2.cases.filter((g) => g.image === null)) {
      await lab.getByLabel('Question', { exact: true }).fill(c.question);
      await lab.getByRole('button', { name: 'Compare on this question' }).click();
      const without = lab.getByTestId('compare-without');
      await page.waitForFunction((q) => {
        const panel = document.querySelector('[data-testid="compare-panel"]');
        const row = document.querySelector('[data-testid="compare-without"] [data-testid="compare-text"]');
        return JSON.parse(panel?.getAttribute('data-for') || '{}').question === q && row?.getAttribute('data-status') === 'done';
      }, c.question, { timeout: 60_000 });
      const ids = JSON.parse((await without.getByTestId('compare-text').getAttribute('data-ids')) ?? '[]');
      expect(ids, c.question).toEqual(c.generated);
    }
  });

  it('shows where each answer token looked: its attention over the prompt sums to 1, split into visual and text tokens', async () => {
    const longest = stage2.cases.filter((g) => g.image !== null).reduce((a, b) => (b.generated.length > a.generated.length ? b : a));
    await ask(page, lab, longest.image!, longest.question);
    const tokens = lab.getByTestId('answer-tokens').locator('button');
    const count = await tokens.count();
    for (let k = 0; k < count; k++) {
      await tokens.nth(k).click();
      const split = lab.getByTestId('attention-split');
      const sum = Number(await split.getAttribute('data-sum'));
      const visual = Number(await split.getAttribute('data-visual'));
      const text = Number(await split.getAttribute('data-text'));
      expect(sum).toBeCloseTo(1, 4);
      expect(visual + text).toBeCloseTo(1, 4);
      expect(visual).toBeGreaterThan(0);
    }
    // The prompt's counts: 2 × 2 tiles and the global image, each frame's visual tokens between markers.
    const counts = lab.getByTestId('prompt-counts');
    expect(Number(await counts.getAttribute('data-frames'))).toBe(5);
    expect(Number(await counts.getAttribute('data-visual')) % 5).toBe(0);
  });

  it('switches to the stage-1 model and answers as stage 1 does, then back', async () => {
    const c = stage1.cases.find((g) => g.image !== null)!;
    await lab.getByLabel('VLM', { exact: true }).selectOption('shapes-smolvlm-stage1');
    await waitReady(lab, 'shapes-smolvlm-stage1');
    expect(await ask(page, lab, c.image!, c.question)).toEqual(c.generated);
    await lab.getByLabel('VLM', { exact: true }).selectOption('shapes-smolvlm');
    await waitReady(lab, 'shapes-smolvlm');
    const back = stage2.cases.find((g) => g.image === c.image && g.question === c.question)!;
    expect(await ask(page, lab, c.image!, c.question)).toEqual(back.generated);
  });

  it('refuses an empty or over-long question with a message, keeping the answer shown', async () => {
    const c = stage2.cases.find((g) => g.image !== null)!;
    await ask(page, lab, c.image!, c.question);
    const answeredFor = await lab.getByTestId('answer').getAttribute('data-for');
    for (const question of ['   ', 'is there a red circle '.repeat(20)]) {
      await lab.getByLabel('Question', { exact: true }).fill(question);
      await lab.getByRole('button', { name: 'Ask', exact: true }).click();
      await expect.poll(() => lab.getByTestId('question-error').textContent()).toMatch(question.trim() ? /at most 300/ : /Type a question first/);
      expect(await lab.getByTestId('answer').getAttribute('data-for')).toBe(answeredFor);
      expect(await lab.getByTestId('answer-tokens').locator('button').count()).toBe(c.generated.length);
    }
  });

  it('gives a bad image its message and loses nothing', async () => {
    const before = await lab.getByRole('button', { name: /^Ask about / }).count();
    const answeredFor = await lab.getByTestId('answer').getAttribute('data-for');
    await lab.getByTestId('file-input').setInputFiles([{ name: 'scores.png', mimeType: 'image/png', buffer: NOT_AN_IMAGE }]);
    await expect.poll(() => lab.getByText(/not an image|could not|not a/i).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await lab.getByRole('button', { name: /^Ask about / }).count()).toBe(before);
    expect(await lab.getByTestId('answer').getAttribute('data-for')).toBe(answeredFor);
  });

  it('cancels an answer cleanly when a new question is asked while it streams', async () => {
    const [first, second] = stage2.cases.filter((g) => g.image === 0);
    await lab.getByRole('button', { name: 'Ask about Sample 1', exact: true }).click();
    // Both questions in one task: the second arrives while the first is being answered.
    await page.evaluate(([q1, q2]) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="backbone-lab"] input[aria-label="Question"]')!;
      const button = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="backbone-lab"] button')].find((b) => b.textContent?.trim() === 'Ask')!;
      for (const q of [q1, q2]) {
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        button.click();
      }
    }, [first.question, second.question]);
    expect(await finishedIds(page, lab, second.question, 'Sample 1')).toEqual(second.generated);
    expect(await lab.getByTestId('answer-error').count()).toBe(0);
    // Stop keeps the tokens so far and says so.
    await lab.getByLabel('Question', { exact: true }).fill(first.question);
    await lab.getByRole('button', { name: 'Ask', exact: true }).click();
    await lab.getByRole('button', { name: 'Stop', exact: true }).click({ timeout: 2000 }).catch(() => undefined);
    await expect.poll(() => lab.getByTestId('answer').getAttribute('data-status')).toMatch(/^(stopped|done)$/);
    const shown = await lab.getByTestId('answer-tokens').locator('button').evaluateAll((b) => b.map((x) => Number(x.getAttribute('data-id'))));
    expect(first.generated.slice(0, shown.length)).toEqual(shown);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});

describe('SmolVLM from the hub, through the same code (the hub played by the local mirror)', () => {
  let session: Session;
  let lab: Locator;
  const mirror = async (path: 'stats' | 'reset') => (await fetch(`${await startServer()}__hub/${path}`)).json() as Promise<{ served: string[] }>;

  beforeAll(async () => {
    ({ session, lab } = await openLab('?device=wasm&hub=/__hub/'));
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('refuses a repo of another family from its config, before any weights download', async () => {
    await mirror('reset');
    await lab.getByLabel('VLM', { exact: true }).selectOption('__other__');
    await lab.getByLabel('VLM hub repo id').fill('playground/shapes-clip');
    await lab.getByRole('button', { name: 'Check the model' }).click();
    await expect.poll(() => lab.getByTestId('vlm-refusal').textContent(), { timeout: 30_000 }).toMatch(/clip model, which this lab cannot show/);
    expect((await mirror('stats')).served.filter((f) => f.endsWith('.onnx'))).toEqual([]);
  });

  it('loads a typed SmolVLM-layout repo after showing its size, and answers as PyTorch does', async () => {
    await loadTypedRepo(lab, 'playground/shapes-smolvlm');
    const c = stage2.cases.find((g) => g.image !== null)!;
    expect(await ask(session.page, lab, c.image!, c.question)).toEqual(c.generated);
    expect((await mirror('stats')).served.some((f) => f === 'playground/shapes-smolvlm/onnx/decoder_model_merged.onnx')).toBe(true);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('taps a typed repo whose graphs output no attention: the same answer, the bundled model\'s decoder and vision attention within 1e-6 on WASM', async () => {
    const { page } = session;
    // The model shown first: the bundled graphs, which output their attention (served by the mirror, or bundled).
    const c = stage2.cases.filter((g) => g.image !== null).reduce((a, b) => (b.generated.length > a.generated.length ? b : a));
    expect(await ask(page, lab, c.image!, c.question)).toEqual(c.generated);
    const decoder = await decoderViews(lab);
    const vision = await visionViews(page, lab);
    // Layers 3 and heads 4, with their means; three layers of four heads, their means, the rollout.
    expect(decoder.size).toBe(c.generated.length * 4 * 5);
    expect(vision.size).toBe(2 * (3 * 5 + 1));

    await lab.getByLabel('VLM', { exact: true }).selectOption('__other__');
    await loadTypedRepo(lab, 'fixtures/shapes-smolvlm-untapped');

    expect(await ask(page, lab, c.image!, c.question)).toEqual(c.generated);
    expect(await lab.getByTestId('no-attentions').count()).toBe(0);
    expect(await lab.getByTestId('no-vision-attentions').count()).toBe(0);
    expectSame(await decoderViews(lab), decoder, 1e-6);
    expectSame(await visionViews(page, lab), vision, 1e-6);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});

/**
 * Every answer token's decoder attention as the lab shows it, for every layer × head choice
 * (means included): the shares on the visual and on the text tokens.
 */
async function decoderViews(lab: Locator): Promise<Map<string, number[]>> {
  const views = new Map<string, number[]>();
  const tokens = lab.getByTestId('answer-tokens').locator('button');
  const layerSelect = lab.getByLabel('Decoder attention layer');
  const headSelect = lab.getByLabel('Decoder attention head');
  for (let k = 0; k < (await tokens.count()); k++) {
    await tokens.nth(k).click();
    const layers = await layerSelect.locator('option').count();
    const heads = await headSelect.locator('option').count();
    for (let l = 0; l < layers; l++) {
      await layerSelect.selectOption({ index: l });
      for (let h = 0; h < heads; h++) {
        await headSelect.selectOption({ index: h });
        const split = lab.getByTestId('attention-split');
        views.set(`${k}:${l}/${h}`, [Number(await split.getAttribute('data-visual')), Number(await split.getAttribute('data-text'))]);
      }
    }
  }
  return views;
}

const VISION_LENS = "Attention lens: the vision encoder's self-attention on each frame";

/** The vision lens's every view of the first tile and of the global image. */
async function visionViews(page: Page, lab: Locator): Promise<Map<string, number[]>> {
  await keepExports(page);
  const details = lab.locator('details').filter({ has: page.getByText(VISION_LENS) });
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await lab.getByText(VISION_LENS).click();
  const views = new Map<string, number[]>();
  for (const frame of [0, 4]) for (const [key, values] of await lensViews(page, frame)) views.set(`${frame}:${key}`, values);
  return views;
}

function expectSame(actual: Map<string, number[]>, expected: Map<string, number[]>, tolerance: number): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [key, values] of expected) {
    const got = actual.get(key) ?? [];
    expect(got.length, key).toBe(values.length);
    expect(Math.max(...values.map((v, i) => Math.abs(v - got[i]))), key).toBeLessThanOrEqual(tolerance);
  }
}
