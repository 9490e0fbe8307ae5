/**
 * The Probe lab's batched answers against the one-question path: on the bundled shapes-smolvlm
 * (or MODEL_DIR's), every question of a few items of every suite, about the suite's own drawn
 * scenes, is answered once by `runAnswer` (one greedy generate per question, as the Backbone lab
 * asks) and once by `runAnswerBatch` (the questions with prompts of one length stacked into one
 * generate). Both must choose the same token ids and give the same text for every question. The
 * expectations are the model's own one-by-one answers, so the test holds for any weights.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device, PixelsInput, TaskResult } from '../../src/lib/runtime/protocol.ts';
import { renderScene } from '../../src/lib/shapes/render.ts';
import { SAMPLE_RENDER_SIZE } from '../../src/lib/shapes/samples.ts';
import { generateSuite } from '../../src/lib/probes/suites.ts';
import { SUITE_IDS } from '../../src/lib/probes/types.ts';
import { PROBE_ANSWER_TOKENS } from '../../src/labs/probes/scoring.ts';
import { loadDualEncoder, type LoadedModel } from '../../workers/families/dual-encoder.ts';
import { runAnswer } from '../../workers/families/vlm.ts';
import { runAnswerBatch } from '../../workers/families/probe-tasks.ts';
import { modelUnderTest } from './goldens.ts';

const { modelId } = modelUnderTest('static/models/shapes-smolvlm');
const ITEMS = 3;

describe('Probe lab: batched answers equal one-by-one answers', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadDualEncoder({ source: { id: modelId, origin: 'bundled' }, device: 'cpu' as Device, dtype: 'fp32', threads: 1, families: ['smolvlm'] }, () => undefined);
  });

  it.each(SUITE_IDS)('%s: the same greedy ids and text for every question, in fewer generate calls', async (id) => {
    const suite = generateSuite(id, 11, ITEMS);
    const images: PixelsInput[] = suite.items.flatMap((item) => item.scenes.map((scene) => {
      const { width, height, data } = renderScene(scene, SAMPLE_RENDER_SIZE);
      return { kind: 'pixels' as const, width, height, channels: 3 as const, data };
    }));
    const questions = suite.items.flatMap((item, k) => item.questions.map((q) => ({ image: 2 * k + q.image, question: q.question })));
    expect(questions.length).toBeGreaterThan(ITEMS);
    const batched = (await runAnswerBatch(model, { images, questions, maxNewTokens: PROBE_ANSWER_TOKENS }, () => false)).result as Extract<TaskResult, { kind: 'answer-batch' }>;
    expect(batched.answers).toHaveLength(questions.length);
    expect(batched.batches).toBeLessThan(questions.length);
    for (const [k, q] of questions.entries()) {
      const { result } = await runAnswer(model, { image: images[q.image], question: q.question, sampling: { kind: 'greedy' }, alternatives: 1, maxNewTokens: PROBE_ANSWER_TOKENS }, { emit: () => undefined, cancelled: () => false });
      const alone = result as Extract<TaskResult, { kind: 'answer' }>;
      expect(batched.ids[k], `${q.question} (image ${q.image})`).toEqual(alone.steps.map((s) => s.id));
      expect(batched.answers[k], `${q.question} (image ${q.image})`).toBe(alone.text);
    }
  });

  it('splits a group into smaller calls under a bound on the prefill logits, with the same answers', async () => {
    const suite = generateSuite('counting', 5, ITEMS);
    const images: PixelsInput[] = suite.items.flatMap((item) => item.scenes.map((scene) => {
      const { width, height, data } = renderScene(scene, SAMPLE_RENDER_SIZE);
      return { kind: 'pixels' as const, width, height, channels: 3 as const, data };
    }));
    const questions = suite.items.flatMap((item, k) => item.questions.map((q) => ({ image: 2 * k + q.image, question: q.question })));
    const task = { images, questions, maxNewTokens: PROBE_ANSWER_TOKENS };
    const whole = (await runAnswerBatch(model, task, () => false)).result as Extract<TaskResult, { kind: 'answer-batch' }>;
    // A bound of one float leaves one row a call.
    const split = (await runAnswerBatch(model, task, () => false, 1)).result as Extract<TaskResult, { kind: 'answer-batch' }>;
    expect(split.batches).toBe(questions.length);
    expect(whole.batches).toBeLessThan(split.batches);
    expect(split.ids).toEqual(whole.ids);
    expect(split.answers).toEqual(whole.answers);
  });

  it('stops between tokens once cancelled', async () => {
    const suite = generateSuite('existence', 3, 2);
    const images: PixelsInput[] = suite.items.flatMap((item) => item.scenes.map((scene) => {
      const { width, height, data } = renderScene(scene, SAMPLE_RENDER_SIZE);
      return { kind: 'pixels' as const, width, height, channels: 3 as const, data };
    }));
    const questions = suite.items.flatMap((item, k) => item.questions.map((q) => ({ image: 2 * k + q.image, question: q.question })));
    const { result } = await runAnswerBatch(model, { images, questions, maxNewTokens: PROBE_ANSWER_TOKENS }, () => true);
    const batched = result as Extract<TaskResult, { kind: 'answer-batch' }>;
    expect(batched.ids.every((ids) => ids.length === 0)).toBe(true);
  });
});
