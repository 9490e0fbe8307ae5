/**
 * Part (a) of the benchmark, Node side: opens bench.html (tests/bench/page.ts) in Chromium
 * through the browser tests' harness and collects the interleaved series. Nothing is computed
 * here; report.ts turns the samples into numbers.
 */
import { openApp } from '../browser/harness';
import type { LongEntry, PipelineSeries, PipelineSetup, Tower } from './types';

export interface PipelineRun {
  readonly setup: PipelineSetup;
  readonly series: PipelineSeries[];
  readonly longEntries: LongEntry[];
  /** Page clock at the start and end of the measured series (setup excluded). */
  readonly measured: { readonly start: number; readonly end: number };
  readonly external: string[];
  readonly pageErrors: string[];
  readonly chromium: string;
}

/** The series to run: the app's usual batch, and a larger one where per-call costs matter less. */
export const SERIES: readonly { tower: Tower; batch: number }[] = [
  { tower: 'image', batch: 8 },
  { tower: 'text', batch: 8 },
  { tower: 'image', batch: 64 },
  { tower: 'text', batch: 64 },
];

/** Calls per series before rotating to the next one. */
const BLOCK = 25;

function merge(into: PipelineSeries | undefined, part: PipelineSeries): PipelineSeries {
  if (!into) return part;
  const join = <K extends keyof PipelineSeries>(k: K) => [...(into[k] as unknown[]), ...(part[k] as unknown[])];
  return {
    ...into,
    reps: into.reps + part.reps,
    roundTripMs: join('roundTripMs') as number[],
    modelMs: join('modelMs') as number[],
    totalMs: join('totalMs') as number[],
    directMs: join('directMs') as number[],
    sendMs: join('sendMs') as number[],
    receiveMs: join('receiveMs') as number[],
    echoMs: join('echoMs') as number[],
    calls: join('calls') as PipelineSeries['calls'],
  };
}

interface BenchApi {
  setup(): Promise<PipelineSetup>;
  measure(tower: Tower, batch: number, reps: number, warmup: number): Promise<PipelineSeries>;
  longEntries(): LongEntry[];
}
type Bench = { bench: BenchApi };

export async function runPipeline(reps: number, warmup: number, log: (line: string) => void): Promise<PipelineRun> {
  const session = await openApp('bench.html');
  const { page } = session;
  try {
    await page.waitForFunction(() => (window as unknown as Partial<Bench>).bench !== undefined, null, { timeout: 60_000 });
    log('(a) loading the model in the worker and in the page…');
    const setup = await page.evaluate(() => (window as unknown as Bench).bench.setup());
    // Warm every series up first: V8 tiers WASM up in the background, and the worker's ORT
    // instance was seen to need more calls than the page's before its times settled.
    for (const { tower, batch } of SERIES) {
      log(`(a) warm-up: ${tower} × ${batch}, ${warmup} calls per side…`);
      await page.evaluate(([t, b, w]) => (window as unknown as Bench).bench.measure(t, b, 0, w), [tower, batch, warmup] as const);
    }
    // Then rotate through the series in blocks, so slow drift in the machine's load (a training
    // run shares the CPU) falls on every series alike, not on whichever ran first or last.
    const start = await page.evaluate(() => performance.now());
    const series = new Map<string, PipelineSeries>();
    for (let done = 0; done < reps; done += BLOCK) {
      const block = Math.min(BLOCK, reps - done);
      log(`(a) interleaved calls ${done + 1}–${done + block} of ${reps} per side, all series…`);
      for (const { tower, batch } of SERIES) {
        const part = await page.evaluate(([t, b, r]) => (window as unknown as Bench).bench.measure(t, b, r, 0), [tower, batch, block] as const);
        const key = `${tower}${batch}`;
        series.set(key, merge(series.get(key), part));
      }
    }
    const end = await page.evaluate(() => performance.now());
    const longEntries = await page.evaluate(() => (window as unknown as Bench).bench.longEntries());
    return {
      setup,
      series: [...series.values()],
      longEntries,
      measured: { start, end },
      external: session.external,
      pageErrors: session.pageErrors,
      chromium: session.context.browser()?.version() ?? 'unknown',
    };
  } finally {
    await session.close();
  }
}
