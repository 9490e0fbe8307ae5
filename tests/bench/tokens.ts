/**
 * Part (l) of the benchmark: shapes-cm3 drawing on WASM (tests/bench/page-tokens.ts). Time per
 * generated code with the key/value cache at an early and a late code of the same drawing (the
 * goal: flat in position, late / early ≤ 1.2× as the paired median), and the time to a whole
 * 64-code image through the Token lab's worker path.
 *
 * Alone, after `vite build --mode bench`: `npx tsx tests/bench/tokens.ts` (writes bench-tokens.json).
 * BENCH_TOKENS_REPS (default 200) step rounds, BENCH_TOKENS_IMAGES (20) drawings, 3 of each unmeasured first.
 */
import os from 'node:os';
import { openApp } from '../browser/harness';
import { runStandalone, startedAs } from './standalone';
import { medianPairedRatio, round, summarize, type Summary } from './stats';
import type { TokenImages, TokenSteps, TokensSetup } from './page-tokens';

export const TOKENS_REPS = Number(process.env.BENCH_TOKENS_REPS ?? 200);
export const TOKENS_IMAGES = Number(process.env.BENCH_TOKENS_IMAGES ?? 20);
/** The 2nd and the 62nd of the drawing's 64 codes. */
const POSITIONS = [2, 62] as const;
const WARMUP = 3;
const GOAL = 1.2;

type Page = Window & {
  benchTokens: { setup(): Promise<TokensSetup>; measureSteps(p: readonly number[], reps: number): Promise<TokenSteps>; measureImages(rounds: number, guided?: boolean): Promise<TokenImages> };
};

export interface TokensRun {
  readonly model: string;
  readonly caption: string;
  readonly device: string;
  readonly workerThreads: number;
  readonly pageThreads: number;
  readonly reps: number;
  readonly images: number;
  /** Per code position: ms of a cached step on the page's ORT session. */
  readonly steps: Record<string, Summary>;
  /** Median over rounds of (step at code 62) / (step at code 2), same round. */
  readonly lateOverEarly: number;
  /** Through the worker: a code's time at positions 2 and 62 (partial decode included), the whole image. */
  readonly workerCodeMs: Record<string, Summary>;
  readonly workerLateOverEarly: number;
  readonly imageMs: Summary;
  readonly imageModelMs: Summary;
  /** On the worker's clock: the first code chosen, and </image> chosen. */
  readonly firstCodeMs: Summary;
  readonly lastCodeMs: Summary;
  /** The same drawings with classifier-free guidance (the Token lab's default), interleaved with the plain ones. */
  readonly guided: {
    readonly scale: number;
    readonly workerCodeMs: Record<string, Summary>;
    readonly workerLateOverEarly: number;
    readonly imageMs: Summary;
    /** Median over rounds of (guided image) / (plain image), same round. */
    readonly overPlain: number;
  };
  readonly goal: { readonly ratio: number; readonly met: boolean };
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly external: string[];
  readonly pageErrors: string[];
}

const rounded = (s: Summary): Summary => ({ ...s, median: round(s.median), p90: round(s.p90), min: round(s.min), max: round(s.max), mean: round(s.mean) });

export async function runTokens(reps: number, images: number, log: (line: string) => void): Promise<TokensRun> {
  const loadBefore = os.loadavg()[0];
  const session = await openApp('bench.html');
  const { page } = session;
  try {
    await page.waitForFunction(() => (window as unknown as Partial<Page>).benchTokens !== undefined, null, { timeout: 60_000 });
    log('(l) loading shapes-cm3 in the page and in a worker with shapes-vq (WASM, 1 thread)…');
    const setup = await page.evaluate(() => (window as unknown as Page).benchTokens.setup());
    await page.evaluate(([p, n]) => (window as unknown as Page).benchTokens.measureSteps(p, n), [POSITIONS, WARMUP * 10] as const);
    log(`(l) ${reps} rounds of a cached step at codes ${POSITIONS.join(' and ')}…`);
    const { steps } = await page.evaluate(([p, n]) => (window as unknown as Page).benchTokens.measureSteps(p, n), [POSITIONS, reps] as const);
    for (const guided of [false, true]) await page.evaluate(([n, g]) => (window as unknown as Page).benchTokens.measureImages(n, g), [WARMUP, guided] as const);
    log(`(l) ${images} whole drawings through the worker, plain and guided at ${setup.guidance}, alternating…`);
    const none = (): TokenImages => ({ totalMs: [], gaps: [], firstCodeMs: [], lastCodeMs: [], modelMs: [] });
    const [drawn, guidedDrawn] = [none(), none()];
    for (let r = 0; r < images; r++) {
      for (const guided of r % 2 ? [true, false] : [false, true]) {
        const one = await page.evaluate(([n, g]) => (window as unknown as Page).benchTokens.measureImages(n, g), [1, guided] as const);
        const into = guided ? guidedDrawn : drawn;
        for (const key of Object.keys(into) as (keyof TokenImages)[]) (into[key] as unknown[]).push(...(one[key] as unknown[]));
      }
    }
    const [early, late] = POSITIONS.map(String);
    const at = (p: number, d: TokenImages = drawn) => d.gaps.map((g) => g[p - 2]);
    const lateOverEarly = round(medianPairedRatio(steps[late], steps[early]));
    const run: TokensRun = {
      model: setup.info.source.id,
      caption: setup.caption,
      device: setup.info.device,
      workerThreads: setup.info.threads,
      pageThreads: setup.threads,
      reps,
      images,
      steps: { [early]: rounded(summarize(steps[early])), [late]: rounded(summarize(steps[late])) },
      lateOverEarly,
      workerCodeMs: { [early]: rounded(summarize(at(POSITIONS[0]))), [late]: rounded(summarize(at(POSITIONS[1]))) },
      workerLateOverEarly: round(medianPairedRatio(at(POSITIONS[1]), at(POSITIONS[0]))),
      imageMs: rounded(summarize(drawn.totalMs)),
      imageModelMs: rounded(summarize(drawn.modelMs)),
      firstCodeMs: rounded(summarize(drawn.firstCodeMs)),
      lastCodeMs: rounded(summarize(drawn.lastCodeMs)),
      guided: {
        scale: setup.guidance,
        workerCodeMs: { [early]: rounded(summarize(at(POSITIONS[0], guidedDrawn))), [late]: rounded(summarize(at(POSITIONS[1], guidedDrawn))) },
        workerLateOverEarly: round(medianPairedRatio(at(POSITIONS[1], guidedDrawn), at(POSITIONS[0], guidedDrawn))),
        imageMs: rounded(summarize(guidedDrawn.totalMs)),
        overPlain: round(medianPairedRatio(guidedDrawn.totalMs, drawn.totalMs)),
      },
      goal: { ratio: GOAL, met: lateOverEarly <= GOAL },
      loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
      external: session.external,
      pageErrors: session.pageErrors,
    };
    log(`(l) cached step at code ${early}: ${run.steps[early].median} ms, at ${late}: ${run.steps[late].median} ms (${lateOverEarly}×); a whole image ${run.imageMs.median} ms, guided ${run.guided.imageMs.median} ms`);
    return run;
  } finally {
    await session.close();
  }
}

export function formatTokens(run: TokensRun): string {
  const [early, late] = POSITIONS.map(String);
  return [
    `(l) ${run.model} drawing “${run.caption}” greedily on ${run.device} (worker ${run.workerThreads} thread(s), page ${run.pageThreads}), load average ${run.loadAverage.before} → ${run.loadAverage.after}`,
    `| | code ${early} | code ${late} | ${late} / ${early} (paired median) |`,
    '|---|---|---|---|',
    `| cached decoding step (${run.reps} rounds) | ${run.steps[early].median} ms | ${run.steps[late].median} ms | ${run.lateOverEarly}× (goal ≤ ${run.goal.ratio}×: ${run.goal.met ? 'met' : 'missed'}) |`,
    `| a code through the worker, partial grid decoded (${run.images} drawings) | ${run.workerCodeMs[early].median} ms | ${run.workerCodeMs[late].median} ms | ${run.workerLateOverEarly}× |`,
    `| the same, guided at ${run.guided.scale} (two sequences a step) | ${run.guided.workerCodeMs[early].median} ms | ${run.guided.workerCodeMs[late].median} ms | ${run.guided.workerLateOverEarly}× |`,
    `a whole 64-code image: ${run.imageMs.median} ms from request to result (p90 ${run.imageMs.p90} ms), ${run.imageModelMs.median} ms of it in the worker's loop; ` +
      `on the worker's clock the first code came at ${run.firstCodeMs.median} ms and </image> at ${run.lastCodeMs.median} ms; ` +
      `guided: ${run.guided.imageMs.median} ms (p90 ${run.guided.imageMs.p90} ms), ${run.guided.overPlain}× the plain drawing's time (paired median)`,
  ].join('\n');
}

if (startedAs('tokens.ts')) runStandalone('tokens', (log) => runTokens(TOKENS_REPS, TOKENS_IMAGES, log), formatTokens);
