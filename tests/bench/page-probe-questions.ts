/**
 * bench.html, part (m)'s question answering (tests/bench/probes.ts drives it through
 * `window.benchProbeQuestions`): the bundled shapes-smolvlm answering a probe suite's questions
 * through the app's worker on WASM, one request a question (`answer`, as the Probe lab asked
 * before) against one request for the whole suite (`answer-batch`, as it asks now), in
 * alternating rounds, on the same drawings at the same side. Each round also says whether the
 * two ways gave the same answers.
 */
import { InferenceClient, type WorkerLike } from '../../src/lib/runtime/client';
import type { PixelsInput } from '../../src/lib/runtime/protocol';
import { generateSuite } from '../../src/lib/probes/suites';
import type { SuiteId } from '../../src/lib/probes/types';
import { PROBE_ANSWER_TOKENS, prepareSuite } from '../../src/labs/probes/scoring';

export interface ProbeQuestionsRound {
  readonly suite: SuiteId;
  readonly way: 'one-by-one' | 'batched';
  readonly questions: number;
  readonly items: number;
  readonly ms: number;
  /** Generate calls the batched way took (one per question the other way). */
  readonly calls: number;
  readonly answers: readonly string[];
}

let client: InferenceClient | null = null;
let side = Infinity;

/** Loads the model as the Probe lab does (the runtime's default threads). */
async function setup(): Promise<{ threads: number }> {
  const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
  client = new InferenceClient(() => worker as unknown as WorkerLike);
  const info = await client.load({ id: 'shapes-smolvlm', origin: 'bundled' }, 'wasm', { dtype: 'fp32', families: ['smolvlm'] });
  side = info.vlm?.longestEdge ?? Infinity;
  return { threads: info.threads };
}

/** One round of each way on one suite, the first way given first. */
async function measure(suiteId: SuiteId, seed: number, items: number, first: 'one-by-one' | 'batched'): Promise<ProbeQuestionsRound[]> {
  if (!client) throw new Error('call setup first');
  const inputs = await prepareSuite(generateSuite(suiteId, seed, items), side);
  const questions = inputs.suite.items.flatMap((item, k) => item.questions.map((q) => ({ image: 2 * k + q.image, question: q.question })));
  const images = inputs.images as PixelsInput[];
  const ways = first === 'batched' ? (['batched', 'one-by-one'] as const) : (['one-by-one', 'batched'] as const);
  const out: ProbeQuestionsRound[] = [];
  for (const way of ways) {
    const started = performance.now();
    let answers: string[];
    let calls: number;
    if (way === 'batched') {
      const { result } = await client.run({ kind: 'answer-batch', images, questions, maxNewTokens: PROBE_ANSWER_TOKENS });
      answers = [...result.answers];
      calls = result.batches;
    } else {
      answers = [];
      for (const q of questions) {
        const { result } = await client.run({ kind: 'answer', image: images[q.image], question: q.question, sampling: { kind: 'greedy' }, alternatives: 1, maxNewTokens: PROBE_ANSWER_TOKENS });
        answers.push(result.text);
      }
      calls = questions.length;
    }
    out.push({ suite: suiteId, way, questions: questions.length, items, ms: performance.now() - started, calls, answers });
  }
  return out;
}

(window as unknown as { benchProbeQuestions: unknown }).benchProbeQuestions = { setup, measure };
