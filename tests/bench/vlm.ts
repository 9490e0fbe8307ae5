/**
 * Part (k) of the benchmark: the bundled shapes-smolvlm on WASM through the Backbone lab's path,
 * time to the first answer token (image processing, vision encoder, prefill) and per token with
 * the key/value cache, at positions 2 and 16 of the same answers (tests/bench/page-vlm.ts).
 * The goal: a token at position 16 costs at most 1.2× one at position 2 (paired median).
 *
 * Alone, after `vite build --mode bench`: `npx tsx tests/bench/vlm.ts`.
 * BENCH_VLM_ROUNDS (default 60) answers, BENCH_VLM_WARMUP (5) unmeasured first.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { openApp, serveBuild, stopAll } from '../browser/harness';
import { medianPairedRatio, round, summarize, type Summary } from './stats';
import type { VlmRound, VlmSetup } from './page-vlm';

export const VLM_ROUNDS = Number(process.env.BENCH_VLM_ROUNDS ?? 60);
export const VLM_WARMUP = Number(process.env.BENCH_VLM_WARMUP ?? 5);
const POSITIONS = [2, 16] as const;
const GOAL = 1.2;
const MAX_NEW_TOKENS = 24;

type Page = Window & { benchVlm: { setup(): Promise<VlmSetup>; measure(rounds: number, maxNewTokens: number): Promise<VlmRound[]> } };

export interface VlmRun {
  readonly model: string;
  readonly device: string;
  readonly threads: number;
  readonly rounds: number;
  /** Answers long enough to reach position 16 (the others count only for the first token). */
  readonly longEnough: number;
  readonly promptMs: Summary;
  readonly firstTokenMs: Summary;
  /** Per position: ms from the previous token's arrival to this one's. */
  readonly tokenMs: Record<string, Summary>;
  /** Median over answers of (token at 16) / (token at 2), same answer. */
  readonly ratio16to2: number;
  readonly goal: { readonly ratio: number; readonly met: boolean };
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly external: string[];
  readonly pageErrors: string[];
}

const rounded = (s: Summary): Summary => ({ ...s, median: round(s.median), p90: round(s.p90), min: round(s.min), max: round(s.max), mean: round(s.mean) });

export async function runVlm(rounds: number, warmup: number, log: (line: string) => void): Promise<VlmRun> {
  const loadBefore = os.loadavg()[0];
  const session = await openApp('bench.html');
  const { page } = session;
  try {
    await page.waitForFunction(() => (window as unknown as Partial<Page>).benchVlm !== undefined, null, { timeout: 60_000 });
    log('(k) loading shapes-smolvlm in a worker (WASM, 1 thread)…');
    const { info } = await page.evaluate(() => (window as unknown as Page).benchVlm.setup());
    await page.evaluate(([n, m]) => (window as unknown as Page).benchVlm.measure(n, m), [warmup, MAX_NEW_TOKENS] as const);
    log(`(k) ${rounds} answers of up to ${MAX_NEW_TOKENS} tokens…`);
    const samples = await page.evaluate(([n, m]) => (window as unknown as Page).benchVlm.measure(n, m), [rounds, MAX_NEW_TOKENS] as const);
    // gaps[k - 1] is the time from token k − 1 to token k (0-based positions in the answer).
    const long = samples.filter((s) => s.gaps.length >= POSITIONS[1]);
    const at = (p: number) => long.map((s) => s.gaps[p - 1]);
    const tokenMs = Object.fromEntries(POSITIONS.map((p) => [String(p), rounded(summarize(at(p)))]));
    const ratio16to2 = long.length ? round(medianPairedRatio(at(POSITIONS[1]), at(POSITIONS[0]))) : NaN;
    const run: VlmRun = {
      model: info.source.id,
      device: info.device,
      threads: info.threads,
      rounds,
      longEnough: long.length,
      promptMs: rounded(summarize(samples.map((s) => s.promptMs))),
      firstTokenMs: rounded(summarize(samples.map((s) => s.firstTokenMs))),
      tokenMs,
      ratio16to2,
      goal: { ratio: GOAL, met: ratio16to2 <= GOAL },
      loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
      external: session.external,
      pageErrors: session.pageErrors,
    };
    log(`(k) first token ${run.firstTokenMs.median} ms, token at 2: ${tokenMs['2'].median} ms, at 16: ${tokenMs['16'].median} ms, 16 / 2 = ${ratio16to2}× (${long.length} of ${rounds} answers reached 16)`);
    return run;
  } finally {
    await session.close();
  }
}

export function formatVlm(run: VlmRun): string {
  return [
    `(k) ${run.model} answering through the Backbone lab's worker path, ${run.device}, ${run.threads} thread(s), ${run.rounds} answers (${run.longEnough} reached position 16), load average ${run.loadAverage.before} → ${run.loadAverage.after}`,
    '| request → prompt | request → first token | token at 2 | token at 16 | 16 / 2 (paired median) | goal |',
    '|---|---|---|---|---|---|',
    `| ${run.promptMs.median} ms | ${run.firstTokenMs.median} ms | ${run.tokenMs['2'].median} ms | ${run.tokenMs['16'].median} ms | ${run.ratio16to2}× | ≤ ${run.goal.ratio}× ${run.goal.met ? 'met' : 'missed'} |`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  serveBuild('bench');
  runVlm(VLM_ROUNDS, VLM_WARMUP, (line) => console.log(`[bench] ${line}`))
    .then((run) => console.log(`\n${formatVlm(run)}\n`))
    .finally(() => stopAll());
}
