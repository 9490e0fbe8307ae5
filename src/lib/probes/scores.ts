/**
 * Scores in Winoground's form (Thrush et al., 2022), for any model that scores an image–caption
 * pair (a cosine, a logit, a caption's likelihood): the text score asks whether, for an image,
 * the true caption scores above the false one; the image score whether, for a caption, the true
 * image scores above the false one; the group score both. Chance levels come from counting the
 * orderings of four random scores, and intervals from a seeded bootstrap over the items.
 */
import { quantileSorted } from 'd3-array';
import type { Random } from '../shapes/random';
import type { ProbeItem } from './types';

/** `scores[image][caption]`: higher means the model finds the caption a better match. */
export type PairScores = readonly [readonly [number, number], readonly [number, number]];

export interface ItemOutcome {
  /** null when no image of the pair has exactly one true caption (no text question to ask). */
  readonly text: boolean | null;
  readonly image: boolean | null;
  readonly group: boolean | null;
}

/**
 * Winoground's three outcomes, generalised to any truth pattern: the text score looks at every
 * image with exactly one true caption, the image score at every caption true of exactly one
 * image; each must prefer the true member strictly (a tie is a miss).
 * @example itemOutcome([[0.9, 0.2], [0.3, 0.8]], [[true, false], [false, true]]) // { text: true, image: true, group: true }
 */
export function itemOutcome(scores: PairScores, truth: ProbeItem['truth']): ItemOutcome {
  const texts: boolean[] = [];
  const images: boolean[] = [];
  for (const i of [0, 1]) {
    const [a, b] = truth[i];
    if (a !== b) texts.push(a ? scores[i][0] > scores[i][1] : scores[i][1] > scores[i][0]);
  }
  for (const c of [0, 1]) {
    const [a, b] = [truth[0][c], truth[1][c]];
    if (a !== b) images.push(a ? scores[0][c] > scores[1][c] : scores[1][c] > scores[0][c]);
  }
  const text = texts.length ? texts.every(Boolean) : null;
  const image = images.length ? images.every(Boolean) : null;
  return { text, image, group: text === null || image === null ? null : text && image };
}

function permutations(values: readonly number[]): number[][] {
  if (values.length <= 1) return [[...values]];
  return values.flatMap((v, k) => permutations([...values.slice(0, k), ...values.slice(k + 1)]).map((rest) => [v, ...rest]));
}

/**
 * The chance of each score for a model whose four scores are random (every ordering equally
 * likely): for Winoground's diagonal truth 1/4, 1/4 and 1/6.
 */
export function chanceLevels(truth: ProbeItem['truth']): { text: number; image: number; group: number } {
  const orders = permutations([0, 1, 2, 3]);
  const count = { text: 0, image: 0, group: 0 };
  for (const [a, b, c, d] of orders) {
    const o = itemOutcome([[a, b], [c, d]], truth);
    count.text += o.text ? 1 : 0;
    count.image += o.image ? 1 : 0;
    count.group += o.group ? 1 : 0;
  }
  return { text: count.text / orders.length, image: count.image / orders.length, group: count.group / orders.length };
}

export interface Estimate {
  /** Share of items that pass. */
  readonly value: number;
  /** Bootstrap 95% interval (percentiles 2.5 and 97.5 of the resampled shares). */
  readonly low: number;
  readonly high: number;
  /** Items that count (those with a question to ask). */
  readonly n: number;
}

export const BOOTSTRAP_RESAMPLES = 1000;

/**
 * The share of passes and its percentile bootstrap interval: `resamples` times, draw n items
 * with replacement (index ⌊random() · n⌋) and take their share; the interval's ends are the
 * 2.5th and 97.5th percentiles of those shares (linear interpolation, as d3's `quantile`).
 * @example estimate([true, true, false, true], seededRandom(1)) // { value: 0.75, low: 0.25, high: 1, n: 4 }
 */
export function estimate(passes: readonly (boolean | null)[], random: Random, resamples = BOOTSTRAP_RESAMPLES): Estimate {
  const steps = estimateSteps(passes, random, resamples);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Resamples drawn between two pauses of `estimateSteps`. */
const RESAMPLES_A_STEP = 250;

/** `estimate` in steps of 250 resamples (the same draws in the same order), for a page to pause between. */
export function* estimateSteps(passes: readonly (boolean | null)[], random: Random, resamples = BOOTSTRAP_RESAMPLES): Generator<void, Estimate> {
  const values = passes.filter((p): p is boolean => p !== null).map((p) => (p ? 1 : 0));
  const n = values.length;
  if (n === 0) return { value: NaN, low: NaN, high: NaN, n: 0 };
  const value = values.reduce((s: number, v) => s + v, 0) / n;
  const shares = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    if (r > 0 && r % RESAMPLES_A_STEP === 0) yield;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += values[Math.floor(random() * n) % n];
    shares[r] = sum / n;
  }
  shares.sort();
  const sorted = Array.from(shares);
  return { value, low: quantileSorted(sorted, 0.025)!, high: quantileSorted(sorted, 0.975)!, n };
}

/** The seed of a suite's bootstrap: fixed by the probe seed and the suite, so every model is resampled alike. */
export function bootstrapSeed(seed: number, suiteIndex: number): number {
  return (Math.imul(seed >>> 0, 0x27d4eb2d) + suiteIndex * 0x165667b1 + 0x5bd1e995) >>> 0;
}
