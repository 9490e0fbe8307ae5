/**
 * The Backbone lab's worker task against PyTorch: the bundled shapes-smolvlm answers each golden
 * question (about each golden image, and without an image) through `runAnswer` — the app's
 * image path, the processor, AutoModelForVision2Seq's generate with the key/value cache — with
 * the same prompt ids and the same greedy ids as the forge's goldens, streaming every token
 * before the result; its attention rows are the goldens' and sum to 1. MODEL_DIR points
 * elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnswerPartial, Device, TaskResult } from '../../src/lib/runtime/protocol.ts';
import { sampleImage } from '../../src/lib/shapes/index.ts';
import { loadDualEncoder, type LoadedModel } from '../../workers/families/dual-encoder.ts';
import { runAnswer } from '../../workers/families/vlm.ts';
import { modelUnderTest, readModelJson, type GoldenTensor } from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-smolvlm');

interface GoldenCase {
  image: number | null;
  question: string;
  input_ids: number[];
  generated: number[];
  attention_rows?: GoldenTensor[][];
}
const goldens = readModelJson<{ max_new_tokens: number; cases: GoldenCase[]; vision_attentions_image0_global: GoldenTensor }>(modelDir, 'goldens.json');
type Answer = Extract<TaskResult, { kind: 'answer' }>;

describe('bundled shapes-smolvlm: the worker answers as PyTorch does', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadDualEncoder({ source: { id: modelId, origin: 'bundled' }, device: 'cpu' as Device, dtype: 'fp32', threads: 1, families: ['smolvlm'] }, () => undefined);
  });

  async function answer(c: GoldenCase): Promise<{ result: Answer; partials: AnswerPartial[] }> {
    const image = c.image === null ? null : (() => {
      const pixels = sampleImage(c.image);
      return { kind: 'pixels' as const, width: pixels.width, height: pixels.height, channels: 3 as const, data: pixels.data };
    })();
    const partials: AnswerPartial[] = [];
    const { result } = await runAnswer(model, { image, question: c.question, sampling: { kind: 'greedy' }, alternatives: 3, maxNewTokens: goldens.max_new_tokens }, {
      emit: (p) => partials.push(p),
      cancelled: () => false,
    });
    return { result: result as Answer, partials };
  }

  it('builds the golden prompts and answers every golden question with PyTorch\'s greedy ids', async () => {
    for (const c of goldens.cases) {
      const { result, partials } = await answer(c);
      expect(result.prompt.ids, `${c.question} (image ${c.image})`).toEqual(c.input_ids);
      expect(result.steps.map((s) => s.id), `${c.question} (image ${c.image})`).toEqual(c.generated);
      // The prompt first, then every token in order, each before the result.
      expect(partials[0].kind).toBe('prompt');
      expect(partials.slice(1).map((p) => (p.kind === 'token' ? p.step.id : -1))).toEqual(c.generated);
    }
  });

  it('streams each token\'s decoder attention: the goldens\' rows, each summing to 1', async () => {
    const c = goldens.cases.find((g) => g.attention_rows);
    expect(c).toBeDefined();
    const { result } = await answer(c!);
    const rows = c!.attention_rows!;
    expect(result.steps.length).toBe(rows.length);
    result.steps.forEach((step, k) => {
      const attention = step.attention!;
      const [layers, heads, keys] = attention.dims;
      expect(layers).toBe(rows[k].length);
      for (let l = 0; l < layers; l++) {
        const golden = rows[k][l];
        expect(golden.dims).toEqual([heads, keys]);
        const ours = attention.data.subarray(l * heads * keys, (l + 1) * heads * keys);
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - golden.data[i]));
        expect(worst).toBeLessThan(1e-4);
        for (let h = 0; h < heads; h++) expect(ours.subarray(h * keys, (h + 1) * keys).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
      }
    });
  });

  it('tiles a sample into 2 × 2 tiles and the global image, with the processor\'s markers around each frame\'s tokens', async () => {
    const { result } = await answer(goldens.cases.find((g) => g.image !== null)!);
    const { prompt } = result;
    expect([prompt.rows, prompt.cols, prompt.frames.length]).toEqual([2, 2, 5]);
    const visual = prompt.segments.filter((s) => s.kind === 'image');
    expect(visual.map((s) => s.frame)).toEqual([0, 1, 2, 3, 4]);
    expect(visual.every((s) => s.length === prompt.imageSeqLen)).toBe(true);
    expect(prompt.pieces.filter((p) => /^<row_\d_col_\d>$/.test(p))).toEqual(['<row_1_col_1>', '<row_1_col_2>', '<row_2_col_1>', '<row_2_col_2>']);
  });

  it('gives the vision encoder\'s self-attention on every frame: the global frame\'s is PyTorch\'s', async () => {
    const { result } = await answer(goldens.cases.find((g) => g.image === 0)!);
    const ours = result.prompt.visionAttentions!;
    const golden = goldens.vision_attentions_image0_global;
    expect(ours.dims.slice(1)).toEqual(golden.dims.slice(1));
    expect(ours.dims[0]).toBe(5);
    const size = golden.data.length;
    const global = ours.data.subarray(4 * size, 5 * size);
    let worst = 0;
    for (let i = 0; i < size; i++) worst = Math.max(worst, Math.abs(global[i] - golden.data[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('refuses an empty or over-long question with a message', async () => {
    const stream = { emit: () => undefined, cancelled: () => false };
    const task = { image: null, sampling: { kind: 'greedy' } as const, alternatives: 3, maxNewTokens: 4 };
    await expect(runAnswer(model, { ...task, question: '   ' }, stream)).rejects.toThrow('Type a question first.');
    await expect(runAnswer(model, { ...task, question: 'x'.repeat(301) }, stream)).rejects.toThrow(/at most 300/);
  });

  it('stops at the next token once cancelled', async () => {
    // Seeded sampling at a high temperature rarely picks the end token: a long answer to cut short.
    const task = { image: null, question: 'Describe this image.', sampling: { kind: 'sample', temperature: 2, topK: 50, seed: 7 } as const, alternatives: 3, maxNewTokens: 12 };
    const whole = (await runAnswer(model, task, { emit: () => undefined, cancelled: () => false })).result as Answer;
    expect(whole.steps.length).toBeGreaterThan(2);
    let tokens = 0;
    const cut = (await runAnswer(model, task, { emit: (p) => void (p.kind === 'token' && tokens++), cancelled: () => tokens >= 2 })).result as Answer;
    expect(cut.steps.map((s) => s.id)).toEqual(whole.steps.slice(0, 2).map((s) => s.id));
  });

  it('gives a file that is not an image a message, before any graph runs', async () => {
    const file = { kind: 'file' as const, name: 'scores.png', blob: new Blob([new TextEncoder().encode('name,score\nalice,3\n')]) };
    await expect(runAnswer(model, { image: file, question: 'What shape is this?', sampling: { kind: 'greedy' }, alternatives: 3, maxNewTokens: 4 }, { emit: () => undefined, cancelled: () => false }))
      .rejects.toMatchObject({ name: 'Error', message: expect.stringMatching(/image/i) });
  });
});
