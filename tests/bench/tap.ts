/**
 * Part (j) of `npm run bench`, or alone: `vite build --mode bench && tsx tests/bench/tap.ts`
 * (writes bench-tap.json). What tapping the attention of a graph that does not output it costs
 * for shapes-clip, on WASM: creating both towers' sessions (tapping included) and a call on 8
 * images and on 8 captions, for the towers as served without attention outputs (untapped), the
 * same tapped, and the bundled export that outputs its attention itself (tests/bench/page-tap.ts).
 */
import { openApp } from '../browser/harness';
import { runStandalone, startedAs } from './standalone';
import { medianPairedRatio, round, summarize, type Summary } from './stats';
import { RUN_VARIANTS, TAP_VARIANTS, type RunVariant, type TapSamples } from './tap-types';

type Page = Window & { benchTap: { measure(loadRounds: number, reps: number): Promise<TapSamples> } };

export const TAP_LOAD_ROUNDS = Number(process.env.BENCH_TAP_LOAD_ROUNDS ?? 20);
export const TAP_REPS = Number(process.env.BENCH_TAP_REPS ?? 100);

type Measure = 'load' | 'images' | 'captions';
export interface TapRun {
  readonly loadRounds: number;
  readonly reps: number;
  /** Medians (ms) per measure and variant, and each variant's paired median ratio to the untapped graph. */
  readonly ms: Record<Measure, Partial<Record<RunVariant, Summary>>>;
  readonly overUntapped: Record<Measure, Partial<Record<RunVariant, number>>>;
  readonly tapOnly: Summary;
  readonly outputs: TapSamples['outputs'];
  readonly external: string[];
  readonly pageErrors: string[];
}

export async function runTap(loadRounds: number, reps: number, log: (line: string) => void): Promise<TapRun> {
  const session = await openApp('bench.html');
  const { page } = session;
  try {
    await page.waitForFunction(() => (window as unknown as Partial<Page>).benchTap !== undefined, null, { timeout: 60_000 });
    log(`(j) tapping shapes-clip's attention: ${loadRounds} load rounds, ${reps} call rounds, three variants interleaved…`);
    const samples = await page.evaluate(([l, r]) => (window as unknown as Page).benchTap.measure(l, r), [loadRounds, reps] as const);
    const rounded = (s: Summary): Summary => ({ ...s, median: round(s.median), p90: round(s.p90), min: round(s.min), max: round(s.max), mean: round(s.mean) });
    const series = (m: Measure, v: RunVariant): number[] => (m === 'load' ? (v === 'tapped-unfetched' ? [] : samples.load[v]) : samples[m][v]);
    const per = <T>(f: (m: Measure, v: RunVariant) => T) =>
      Object.fromEntries((['load', 'images', 'captions'] as const).map((m) => [m, Object.fromEntries(RUN_VARIANTS.filter((v) => series(m, v).length > 0).map((v) => [v, f(m, v)]))])) as Record<Measure, Partial<Record<RunVariant, T>>>;
    return {
      loadRounds,
      reps,
      ms: per((m, v) => rounded(summarize(series(m, v)))),
      overUntapped: per((m, v) => round(medianPairedRatio(series(m, v), series(m, 'untapped')))),
      tapOnly: rounded(summarize(samples.tapOnly)),
      outputs: samples.outputs,
      external: session.external,
      pageErrors: session.pageErrors,
    };
  } finally {
    await session.close();
  }
}

export function formatTap(run: TapRun): string {
  const cell = (m: Measure, v: RunVariant) => (run.ms[m][v] ? `${run.ms[m][v]?.median} (${run.overUntapped[m][v]}×)` : 'as tapped');
  const row = (v: RunVariant) => `| ${v} | ${cell('load', v)} | ${cell('images', v)} | ${cell('captions', v)} |`;
  return [
    `(j) shapes-clip with and without tapping its attention, ms (medians; ratios to untapped are paired medians; WASM, 1 thread; ${run.loadRounds} load rounds, ${run.reps} call rounds)`,
    '| graphs | load both towers | 8 images | 8 captions |',
    '|---|---|---|---|',
    ...RUN_VARIANTS.map(row),
    `the tap alone (read both graphs, find the Softmaxes, append the outputs): ${run.tapOnly.median} ms (p90 ${run.tapOnly.p90})`,
    `outputs: ${TAP_VARIANTS.map((v) => `${v} ${run.outputs[v].vision_model.length} + ${run.outputs[v].text_model.length}`).join(', ')}`,
  ].join('\n');
}

if (startedAs('tap.ts')) runStandalone('tap', (log) => runTap(TAP_LOAD_ROUNDS, TAP_REPS, log), formatTap);
