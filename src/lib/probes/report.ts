/**
 * A model's results on a suite, from its per-item numbers: the Winoground scores (or, for a
 * question-answering model, accuracy and hallucination rate) with seeded bootstrap intervals
 * and chance levels; and the whole table as CSV and JSON.
 */
import { seededRandom } from '../shapes/random';
import { bootstrapSeed, chanceLevels, estimateSteps, itemOutcome, BOOTSTRAP_RESAMPLES, type Estimate, type ItemOutcome, type PairScores } from './scores';
import { qaChance, qaOutcome, type QaOutcome } from './qa';
import { SUITE_IDS, type Suite, type SuiteId } from './types';

export interface PairItemResult {
  readonly index: number;
  readonly scores: PairScores;
  readonly outcome: ItemOutcome;
}

export interface QaItemResult {
  readonly index: number;
  readonly answers: readonly QaOutcome[];
}

export type SuiteResult =
  | {
      readonly kind: 'pairs';
      readonly model: string;
      readonly suite: SuiteId;
      readonly items: readonly PairItemResult[];
      readonly text: Estimate;
      readonly image: Estimate;
      readonly group: Estimate;
      readonly chance: { readonly text: number; readonly image: number; readonly group: number };
      /** Words of the suite's captions the model's tokenizer cannot read. */
      readonly unknownWords: readonly string[];
      /** Milliseconds from the suite's first request to its last answer. */
      readonly ms: number;
    }
  | {
      readonly kind: 'answers';
      readonly model: string;
      readonly suite: SuiteId;
      readonly items: readonly QaItemResult[];
      readonly accuracy: Estimate;
      readonly hallucination: Estimate;
      readonly chance: number;
      readonly ms: number;
    };

export type PairMetric = 'text' | 'image' | 'group';
export type QaMetric = 'accuracy' | 'hallucination';
export type Metric = PairMetric | QaMetric;

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
/** One bootstrap stream per suite and metric, the same for every model. */
const stream = (seed: number, suite: SuiteId, metric: number) => seededRandom(bootstrapSeed(seed, SUITE_IDS.indexOf(suite) * 8 + metric));

/**
 * A scoring model's result on a suite from its `scores[item][image][caption]`.
 * @example pairSuiteResult('shapes-clip', suite, scores, { unknownWords: [], ms: 40 }).group // { value, low, high, n }
 */
export function pairSuiteResult(model: string, suite: Suite, scores: readonly PairScores[], extra: { unknownWords: readonly string[]; ms: number }): SuiteResult {
  return finish(pairSuiteSteps(model, suite, scores, extra));
}

/** A question-answering model's result on a suite from its answers, `answers[item][question]`. */
export function qaSuiteResult(model: string, suite: Suite, answers: readonly (readonly string[])[], ms: number): SuiteResult {
  return finish(qaSuiteSteps(model, suite, answers, ms));
}

/**
 * `pairSuiteResult` in steps of at most a quarter of a bootstrap: a page computes each in a task
 * of its own (`stepped`), so summing up a suite never holds the main thread for long.
 */
export function* pairSuiteSteps(model: string, suite: Suite, scores: readonly PairScores[], extra: { unknownWords: readonly string[]; ms: number }): Generator<void, SuiteResult> {
  const items = suite.items.map((item, k) => ({ index: item.index, scores: scores[k], outcome: itemOutcome(scores[k], item.truth) }));
  // Items of a suite share a few truth patterns: each pattern's chance is counted once.
  const byPattern = new Map<string, ReturnType<typeof chanceLevels>>();
  const chances = suite.items.map((item) => {
    const key = JSON.stringify(item.truth);
    return byPattern.get(key) ?? byPattern.set(key, chanceLevels(item.truth)).get(key)!;
  });
  yield;
  const text = yield* estimateSteps(items.map((i) => i.outcome.text), stream(suite.seed, suite.id, 0));
  yield;
  const image = yield* estimateSteps(items.map((i) => i.outcome.image), stream(suite.seed, suite.id, 1));
  yield;
  const group = yield* estimateSteps(items.map((i) => i.outcome.group), stream(suite.seed, suite.id, 2));
  return {
    kind: 'pairs',
    model,
    suite: suite.id,
    items,
    text,
    image,
    group,
    chance: { text: mean(chances.map((c) => c.text)), image: mean(chances.map((c) => c.image)), group: mean(chances.map((c) => c.group)) },
    unknownWords: extra.unknownWords,
    ms: extra.ms,
  };
}

/** `qaSuiteResult` in steps (see `pairSuiteSteps`). */
export function* qaSuiteSteps(model: string, suite: Suite, answers: readonly (readonly string[])[], ms: number): Generator<void, SuiteResult> {
  const items = suite.items.map((item, k) => ({ index: item.index, answers: item.questions.map((q, j) => qaOutcome(item, q, answers[k][j])) }));
  const all = items.flatMap((i) => i.answers);
  yield;
  const accuracy = yield* estimateSteps(all.map((a) => a.right), stream(suite.seed, suite.id, 3));
  yield;
  const hallucination = yield* estimateSteps(all.map((a) => a.hallucinated), stream(suite.seed, suite.id, 4));
  return { kind: 'answers', model, suite: suite.id, items, accuracy, hallucination, chance: qaChance(all.map((a) => a.probe)), ms };
}

function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs steps with `pause()` awaited between them; null when `stop()` turns true at a pause. */
export async function stepped<T>(steps: Generator<void, T>, pause: () => Promise<void>, stop: () => boolean = () => false): Promise<T | null> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await pause();
    if (stop()) return null;
  }
}

/** The estimate and chance of one metric, or null when the result has no such metric. */
export function metricOf(result: SuiteResult, metric: Metric): { estimate: Estimate; chance: number | null } | null {
  if (result.kind === 'pairs') return metric === 'text' || metric === 'image' || metric === 'group' ? { estimate: result[metric], chance: result.chance[metric] } : null;
  if (metric === 'accuracy') return { estimate: result.accuracy, chance: result.chance };
  if (metric === 'hallucination') return { estimate: result.hallucination, chance: null };
  return null;
}

const METRICS: readonly Metric[] = ['text', 'image', 'group', 'accuracy', 'hallucination'];
const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '');

/** One line per model, suite and metric: value, interval, items counted, chance. */
export function resultsCsv(results: readonly SuiteResult[], labels: ReadonlyMap<string, string>): string {
  const lines = ['model,suite,metric,value,low,high,n,chance'];
  for (const r of results) {
    for (const metric of METRICS) {
      const m = metricOf(r, metric);
      if (!m || m.estimate.n === 0) continue;
      const { value, low, high, n } = m.estimate;
      lines.push([JSON.stringify(labels.get(r.model) ?? r.model), r.suite, metric, fixed(value), fixed(low), fixed(high), n, m.chance === null ? '' : fixed(m.chance)].join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Everything needed to reproduce the table: the seed, the item count, each item's seed and captions, and every model's numbers per item. */
export function resultsJson(seed: number, suites: readonly Suite[], results: readonly SuiteResult[], labels: ReadonlyMap<string, string>): string {
  return JSON.stringify({
    seed,
    itemsPerSuite: suites[0]?.items.length ?? 0,
    bootstrapResamples: BOOTSTRAP_RESAMPLES,
    suites: suites.map((s) => ({ id: s.id, seed: s.seed, items: s.items.map((i) => ({ index: i.index, seed: i.seed, captions: i.captions, differs: i.differs, questions: i.questions })) })),
    results: results.map((r) => ({ ...r, label: labels.get(r.model) ?? r.model })),
  }, null, 1);
}
