/**
 * Part (h) of the benchmark, Node side: CoCa's decoding step with and without the key/value
 * cache, at positions 2 and 16, and a whole 16-token caption both ways, on onnxruntime-web's
 * WASM in Chromium (tests/bench/page-decoding.ts). The goal: with the cache, a step at
 * position 16 costs at most 1.2× one at position 2.
 *
 * Alone, after `vite build --mode bench`: `npx tsx tests/bench/decoding.ts` (writes bench-decoding.json).
 * BENCH_DECODING_REPS (default 200) rounds, BENCH_DECODING_WARMUP (30) unmeasured first.
 */
import { openApp } from '../browser/harness';
import { runStandalone, startedAs } from './standalone';
import { medianPairedRatio, round, summarize, type Summary } from './stats';
import type { DecodingSamples, DecodingSeries, DecodingSetup } from './page-decoding';

export const POSITIONS = [2, 16] as const;
const GOAL = 1.2;
export const DECODING_REPS = Number(process.env.BENCH_DECODING_REPS ?? 200);
export const DECODING_WARMUP = Number(process.env.BENCH_DECODING_WARMUP ?? 30);

type Page = Window & { benchDecoding: { setup(): Promise<DecodingSetup>; measure(positions: readonly number[], reps: number): Promise<DecodingSamples> } };

export interface DecodingRun {
  readonly setup: DecodingSetup;
  readonly reps: number;
  /** Per position, per variant: ms per step. */
  readonly steps: Record<string, Record<DecodingSeries, Summary>>;
  /** Median, over the rounds, of step time at position 16 over position 2 (same round). */
  readonly ratio16to2: Record<DecodingSeries, number>;
  readonly caption: Record<DecodingSeries, Summary> & { uncachedOverCached: number };
  readonly goal: { readonly ratio: number; readonly met: boolean };
  readonly external: string[];
  readonly pageErrors: string[];
}

export async function runDecoding(reps: number, warmup: number, log: (line: string) => void): Promise<DecodingRun> {
  const session = await openApp('bench.html');
  const { page } = session;
  try {
    await page.waitForFunction(() => (window as unknown as Partial<Page>).benchDecoding !== undefined, null, { timeout: 60_000 });
    log('(h) loading CoCa\'s vision graph and cached decoder in the page…');
    const setup = await page.evaluate(() => (window as unknown as Page).benchDecoding.setup());
    log(`(h) warm-up: ${warmup} rounds…`);
    await page.evaluate(([p, w]) => (window as unknown as Page).benchDecoding.measure(p, w), [POSITIONS, warmup] as const);
    log(`(h) ${reps} interleaved rounds: positions ${POSITIONS.join(' and ')}, cached and uncached, and a whole caption each way…`);
    const samples = await page.evaluate(([p, r]) => (window as unknown as Page).benchDecoding.measure(p, r), [POSITIONS, reps] as const);
    const [first, last] = POSITIONS.map(String);
    const per = (series: DecodingSeries) => medianPairedRatio(samples.steps[last][series], samples.steps[first][series]);
    const ratio16to2 = { cached: round(per('cached')), uncached: round(per('uncached')) };
    const rounded = (s: Summary): Summary => ({ ...s, median: round(s.median), p90: round(s.p90), min: round(s.min), max: round(s.max), mean: round(s.mean) });
    const steps = Object.fromEntries(Object.entries(samples.steps).map(([p, v]) => [p, { cached: rounded(summarize(v.cached)), uncached: rounded(summarize(v.uncached)) }]));
    return {
      setup,
      reps,
      steps,
      ratio16to2,
      caption: {
        cached: rounded(summarize(samples.caption.cached)),
        uncached: rounded(summarize(samples.caption.uncached)),
        uncachedOverCached: round(medianPairedRatio(samples.caption.uncached, samples.caption.cached)),
      },
      goal: { ratio: GOAL, met: ratio16to2.cached <= GOAL },
      external: session.external,
      pageErrors: session.pageErrors,
    };
  } finally {
    await session.close();
  }
}

export function formatDecoding(run: DecodingRun): string {
  const [first, last] = POSITIONS.map(String);
  const row = (series: DecodingSeries) =>
    `| ${series} | ${run.steps[first][series].median} | ${run.steps[last][series].median} | ${run.ratio16to2[series]}× | ${run.caption[series].median} |`;
  return [
    `(h) CoCa decoding step, ms (median of ${run.reps} interleaved rounds, WASM, ${run.setup.threads} thread(s))`,
    `| decoder | position ${first} | position ${last} | ${last} / ${first} (paired median) | whole ${run.setup.maxLength}-token caption |`,
    '|---|---|---|---|---|',
    row('cached'),
    row('uncached'),
    `cached: position ${last} costs ${run.ratio16to2.cached}× position ${first} (goal ≤ ${run.goal.ratio}×: ${run.goal.met ? 'met' : 'missed'}); ` +
      `a whole caption takes ${run.caption.uncachedOverCached}× as long without the cache`,
    // The fastest of the rounds: what a step costs when nothing else takes the core (a loaded machine moves the medians).
    `fastest of the rounds: ${(['cached', 'uncached'] as const).map((v) =>
      `${v} ${run.steps[first][v].min} → ${run.steps[last][v].min} ms (${round(run.steps[last][v].min / run.steps[first][v].min, 2)}×), caption ${run.caption[v].min} ms`).join('; ')}`,
  ].join('\n');
}

if (startedAs('decoding.ts')) runStandalone('decoding', (log) => runDecoding(DECODING_REPS, DECODING_WARMUP, log), formatDecoding);
