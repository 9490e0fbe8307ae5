/**
 * A suite through a model's worker, batched: all of the suite's images in one request and all
 * of its captions in another (Llip adds one head call over both, CoCa's likelihood one decoder
 * pass over every image–caption pair), then each item's four scores read from the answers. A
 * question-answering model gets all the suite's questions in one request, on one channel, so
 * cancelling stops it at its next token.
 */
import type { InferenceClient } from '../../lib/runtime/client';
import type { PixelsInput } from '../../lib/runtime/protocol';
import { drawScenes } from './drawing';
import type { ScoreKind } from '../../lib/probes/models';
import type { PairScores } from '../../lib/probes/scores';
import type { Suite } from '../../lib/probes/types';

/** A suite ready for one model's worker: two images per item (item k: 2k and 2k + 1) at the model's side, each caption once. */
export interface SuiteInputs {
  readonly suite: Suite;
  readonly images: readonly PixelsInput[];
  readonly texts: readonly string[];
  /** For each item, the index in `texts` of its two captions. */
  readonly captionIndex: readonly (readonly [number, number])[];
}

/** Yields to the page, so summing up a suite never holds the main thread for long. */
export const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Draws a suite's scenes at a model's side (`drawing.ts`, in a worker) and lists its captions. */
export async function prepareSuite(suite: Suite, side: number): Promise<SuiteInputs> {
  const images = await drawScenes(suite.items.flatMap((item) => item.scenes), side);
  const texts: string[] = [];
  const at = (text: string) => {
    const k = texts.indexOf(text);
    return k >= 0 ? k : texts.push(text) - 1;
  };
  const captionIndex = suite.items.map((item) => [at(item.captions[0]), at(item.captions[1])] as const);
  return { suite, images, texts, captionIndex };
}

function cosine(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < dim; d++) {
    const x = a[ai * dim + d];
    const y = b[bi * dim + d];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/** Each item's `[image][caption]` scores from a lookup by (image index, text index). */
function perItem(inputs: SuiteInputs, score: (image: number, text: number) => number): PairScores[] {
  return inputs.captionIndex.map(([c0, c1], k) => [
    [score(2 * k, c0), score(2 * k, c1)],
    [score(2 * k + 1, c0), score(2 * k + 1, c1)],
  ]);
}

/**
 * The four scores of every item, by the model's way of scoring a pair, and the captions' words
 * its tokenizer cannot read.
 * @example await scorePairs(client, 'cosine', inputs, 'probe') // { scores: [[[0.61, 0.58], [0.57, 0.62]], …], unknownWords: [] }
 */
export async function scorePairs(client: InferenceClient, kind: Exclude<ScoreKind, 'answers'>, inputs: SuiteInputs, channel: string): Promise<{ scores: PairScores[]; unknownWords: string[] }> {
  if (kind === 'coca-likelihood') {
    const pairs = inputs.captionIndex.flatMap(([c0, c1], k) => [[2 * k, c0], [2 * k, c1], [2 * k + 1, c0], [2 * k + 1, c1]] as [number, number][]);
    const { result } = await client.run({ kind: 'caption-likelihood', images: inputs.images, texts: inputs.texts, pairs }, channel);
    const at = new Map(pairs.map(([i, t], k) => [`${i}:${t}`, result.meanLogProb[k]]));
    return { scores: perItem(inputs, (i, t) => at.get(`${i}:${t}`)!), unknownWords: [] };
  }
  // The embeddings only: Llip's attentions alone would be 12 MB a suite for the page to take in.
  const images = await client.run({ kind: 'image-embeds', images: inputs.images, attentions: false }, channel);
  const bad = images.result.outcomes.find((o) => !o.ok);
  if (bad && !bad.ok) throw new Error(bad.message);
  const texts = await client.run({ kind: 'text-embeds', texts: inputs.texts, attentions: false }, channel);
  const unknownWords = [...new Set(texts.result.outcomes.flatMap((o) => o.unknownWords))];
  if (kind === 'llip') {
    const head = await client.run({ kind: 'llip-head', mixture: images.result.embeds, texts: texts.result.embeds }, channel);
    const captions = inputs.texts.length;
    const logits = head.result.logits.data;
    return { scores: perItem(inputs, (i, t) => logits[i * captions + t]), unknownWords };
  }
  const dim = images.result.embeds.dims[1];
  const a = images.result.embeds.data;
  const b = texts.result.embeds.data;
  return { scores: perItem(inputs, (i, t) => cosine(a, i, b, t, dim)), unknownWords };
}

/** The longest answer the probes read: a place ("at the top left.") and its end token. */
export const PROBE_ANSWER_TOKENS = 8;

/**
 * Every question of every item, answered greedily in one request (`answer-batch`: the worker
 * stacks the questions whose prompts are alike in length into one generate call, giving each
 * the tokens it would get alone); `answers[item][question]`. Null once cancelled.
 */
export async function answerQuestions(client: InferenceClient, inputs: SuiteInputs, channel: string, cancelled: () => boolean): Promise<string[][] | null> {
  const questions = inputs.suite.items.flatMap((item, k) => item.questions.map((q) => ({ image: 2 * k + q.image, question: q.question })));
  const { result } = await client.run({ kind: 'answer-batch', images: inputs.images, questions, maxNewTokens: PROBE_ANSWER_TOKENS }, channel);
  if (cancelled()) return null;
  let next = 0;
  return inputs.suite.items.map((item) => item.questions.map(() => result.answers[next++]));
}
