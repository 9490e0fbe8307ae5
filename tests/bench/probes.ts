/**
 * Part (m) of the benchmark: the Probe lab on WASM. For each bundled model, every suite's items
 * per second (each suite batched as the page runs it: one request for all its images, one for
 * all its captions, one decoder pass for all its pairs, or one request for all its questions),
 * timed by the page from the suite's first request to its scores; the page's frame rate while
 * suites run against its idle frame rate measured just before, with the longest frame; and,
 * from a Chromium trace of the page, the longest main-thread task while suites ran. Then
 * shapes-smolvlm's questions one request each (as the lab asked before) against one request a
 * suite, alternating, on bench.html (tests/bench/page-probe-questions.ts).
 * Run alone: `vite build --mode bench && npx tsx tests/bench/probes.ts`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openApp } from '../browser/harness';
import { medianPairedRatio, round, summarize, type Summary } from './stats';
import { runStandalone, startedAs } from './standalone';
import { BUNDLED_PROBE_MODELS } from '../../src/lib/probes/models';
import { SUITE_IDS, type SuiteId } from '../../src/lib/probes/types';
import type { ProbeQuestionsRound } from './page-probe-questions';

const MEASURE = fileURLToPath(new URL('./probes-page.js', import.meta.url));
export const PROBE_ITEMS = Number(process.env.BENCH_PROBE_ITEMS ?? 24);
/** Rounds of each way per suite in the question-answering comparison. */
export const PROBE_QA_ROUNDS = Number(process.env.BENCH_PROBE_QA_ROUNDS ?? 2);

export interface ProbeSuiteTiming {
  readonly model: string;
  readonly suite: string;
  readonly items: number;
  readonly ms: number;
  readonly itemsPerSecond: number;
}

export interface ProbeFrames {
  readonly model: string;
  readonly idleFps: number;
  readonly runningFps: number;
  readonly ratio: number;
  readonly frameMs: Summary;
  /** Main-thread tasks (the trace's RunTask) that overlapped a suite: the longest, and how many took over 16 ms. */
  readonly longestTaskMs: number;
  readonly tasksOver16: number;
  /** The 1-minute load average as this model's suites ended. */
  readonly load: number;
}

export interface ProbeQuestions {
  readonly suite: SuiteId;
  /** Items per second, one request a question and one request a suite (medians over the rounds). */
  readonly oneByOne: number;
  readonly batched: number;
  /** Median over rounds of one-by-one time over batched time, each pair run back to back. */
  readonly speedup: number;
  readonly calls: number;
  readonly sameAnswers: boolean;
}

export interface ProbesRun {
  readonly items: number;
  readonly device: 'wasm';
  readonly suites: readonly ProbeSuiteTiming[];
  /** Frames per second idle (2 s before each model's run) and while its suites ran, and frame times while they ran. */
  readonly frames: readonly ProbeFrames[];
  readonly questions: readonly ProbeQuestions[];
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly external: string[];
  readonly pageErrors: string[];
}

interface PageMeasure {
  readonly suites: { model: string; suite: string; items: number; ms: number; end: number }[];
  readonly idle: number[];
  readonly frames: number[];
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { name?: string; data?: { detail?: string } };
}

/**
 * Every main-thread task of the page during the suites, from a Chromium trace: the suites'
 * own 'vlm:probe-suite' marks (made as each suite ends, with its duration) place the suites on
 * the trace's clock; a task counts when it overlaps one.
 */
function suiteTasks(events: readonly TraceEvent[]): number[] {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((m) => m.pid === e.pid && m.name === 'vlm:probe-suite'));
  if (!main) return [];
  const windows = events
    .filter((e) => e.name === 'vlm:probe-suite' && e.pid === main.pid)
    .map((e) => {
      const detail = JSON.parse(e.args?.data?.detail ?? '{}') as { ms?: number };
      return [e.ts - (detail.ms ?? 0) * 1000, e.ts] as const;
    });
  return events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === main.pid && e.tid === main.tid)
    .filter((e) => windows.some(([from, to]) => e.ts < to && e.ts + (e.dur ?? 0) > from))
    .map((e) => (e.dur ?? 0) / 1000);
}

async function traced<T>(page: Page, run: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: ['disabled-by-default-devtools.timeline', 'blink.user_timing', 'devtools.timeline'] });
  const result = await run();
  const buffer = await browser.stopTracing();
  return { result, events: (JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents };
}

type QuestionsPage = Window & {
  benchProbeQuestions: {
    setup(): Promise<{ threads: number }>;
    measure(suite: SuiteId, seed: number, items: number, first: 'one-by-one' | 'batched'): Promise<ProbeQuestionsRound[]>;
  };
};

/** shapes-smolvlm's questions one request each against one request a suite, rounds alternating which goes first. */
async function runQuestions(items: number, rounds: number, log: (line: string) => void): Promise<{ questions: ProbeQuestions[]; external: string[]; pageErrors: string[] }> {
  const session = await openApp('bench.html');
  const { page } = session;
  const questions: ProbeQuestions[] = [];
  try {
    await page.waitForFunction(() => (window as unknown as Partial<QuestionsPage>).benchProbeQuestions !== undefined, null, { timeout: 60_000 });
    await page.evaluate(() => (window as unknown as QuestionsPage).benchProbeQuestions.setup());
    // One unmeasured round of each way first: the graphs' first runs at each batch size.
    await page.evaluate(([n]) => (window as unknown as QuestionsPage).benchProbeQuestions.measure('existence', 99, n, 'batched'), [items] as const);
    for (const suite of SUITE_IDS) {
      const all: ProbeQuestionsRound[] = [];
      for (let r = 0; r < rounds; r++) {
        const first = r % 2 === 0 ? 'batched' : 'one-by-one';
        all.push(...(await page.evaluate(([s, n, f]) => (window as unknown as QuestionsPage).benchProbeQuestions.measure(s, 1, n, f), [suite, items, first] as const)));
      }
      const of = (way: ProbeQuestionsRound['way']) => all.filter((x) => x.way === way);
      const perSecond = (way: ProbeQuestionsRound['way']) => round(summarize(of(way).map((x) => (x.items * 1000) / x.ms)).median, 1);
      const sameAnswers = of('batched').every((b, k) => JSON.stringify(b.answers) === JSON.stringify(of('one-by-one')[k].answers));
      const entry = { suite, oneByOne: perSecond('one-by-one'), batched: perSecond('batched'), speedup: round(medianPairedRatio(of('one-by-one').map((x) => x.ms), of('batched').map((x) => x.ms)), 2), calls: of('batched')[0].calls, sameAnswers };
      questions.push(entry);
      log(`(m) shapes-smolvlm ${suite}: ${entry.oneByOne}/s one by one, ${entry.batched}/s batched (${entry.calls} generate calls), ${entry.speedup}×, same answers: ${sameAnswers}; load ${os.loadavg()[0].toFixed(2)}`);
    }
  } finally {
    await session.close();
  }
  return { questions, external: session.external, pageErrors: session.pageErrors };
}

export async function runProbes(items: number, log: (line: string) => void): Promise<ProbesRun> {
  const loadBefore = os.loadavg()[0];
  const session = await openApp(`?device=wasm#probes?seed=1&n=${items}`);
  const { page } = session;
  await page.getByTestId('probes-lab').waitFor();
  // Evaluated, not added as a <script>: the page's Content-Security-Policy does not apply to it.
  await page.evaluate(readFileSync(MEASURE, 'utf8'));
  const suites: ProbeSuiteTiming[] = [];
  const frames: ProbesRun['frames'][number][] = [];
  for (const model of BUNDLED_PROBE_MODELS) {
    for (const box of await page.getByTestId('probes-lab').getByRole('checkbox').all()) {
      const label = (await box.evaluate((el) => el.parentElement?.textContent ?? '')).trim();
      await box.setChecked(label === model.label);
    }
    const { result: measure, events } = await traced(page, async () => (await page.evaluate('window.__probeMeasure()')) as PageMeasure);
    const tasks = suiteTasks(events);
    // Frames while a suite ran: between its first request and its scores.
    const inSuite = (t: number) => measure.suites.some((s) => t >= s.end - s.ms && t <= s.end);
    const gaps = measure.frames.slice(1).map((t, k) => ({ t, gap: t - measure.frames[k] })).filter((g) => inSuite(g.t)).map((g) => g.gap);
    const runningMs = measure.suites.reduce((n, s) => n + s.ms, 0);
    const idleFps = (measure.idle.length - 1) / ((measure.idle.at(-1)! - measure.idle[0]) / 1000);
    const runningFps = gaps.length / (runningMs / 1000);
    frames.push({
      model: model.key,
      idleFps: round(idleFps, 1),
      runningFps: round(runningFps, 1),
      ratio: round(runningFps / idleFps, 3),
      frameMs: summarize(gaps),
      longestTaskMs: round(Math.max(0, ...tasks), 1),
      tasksOver16: tasks.filter((t) => t > 16).length,
      load: round(os.loadavg()[0], 2),
    });
    for (const s of measure.suites) suites.push({ model: s.model, suite: s.suite, items: s.items, ms: round(s.ms), itemsPerSecond: round((s.items * 1000) / s.ms, 1) });
    log(`(m) ${model.key}: ${measure.suites.map((s) => `${s.suite} ${round((s.items * 1000) / s.ms, 1)}/s`).join(', ')}; ${round(runningFps, 1)} fps while running, ${round(idleFps, 1)} idle; longest task ${round(Math.max(0, ...tasks), 1)} ms; load ${os.loadavg()[0].toFixed(2)}`);
  }
  await session.close();
  const qa = await runQuestions(items, PROBE_QA_ROUNDS, log);
  return {
    items,
    device: 'wasm',
    suites,
    frames,
    questions: qa.questions,
    loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
    external: [...session.external, ...qa.external],
    pageErrors: [...session.pageErrors, ...qa.pageErrors],
  };
}

export function formatProbes(run: ProbesRun): string {
  const suiteIds = [...new Set(run.suites.map((s) => s.suite))];
  const models = [...new Set(run.suites.map((s) => s.model))];
  const cell = (model: string, suite: string) => run.suites.find((s) => s.model === model && s.suite === suite)?.itemsPerSecond ?? '–';
  return [
    `(m) Probe lab, WASM, ${run.items} items per suite (items per second, each suite batched), load average ${run.loadAverage.before} → ${run.loadAverage.after}:`,
    `| model | ${suiteIds.join(' | ')} | fps running / idle | longest frame | longest task (tasks > 16 ms) | load |`,
    `|---|${suiteIds.map(() => '---|').join('')}---|---|---|---|`,
    ...models.map((m) => {
      const f = run.frames.find((x) => x.model === m)!;
      return `| ${m} | ${suiteIds.map((s) => cell(m, s)).join(' | ')} | ${f.runningFps} / ${f.idleFps} (${f.ratio}×) | ${round(f.frameMs.max)} ms | ${f.longestTaskMs} ms (${f.tasksOver16}) | ${f.load} |`;
    }),
    '',
    `shapes-smolvlm, items per second, one request a question against one request a suite (median of ${PROBE_QA_ROUNDS} alternating rounds each):`,
    `| suite | one by one | batched | generate calls batched | speedup (paired) | same answers |`,
    '|---|---|---|---|---|---|',
    ...run.questions.map((q) => `| ${q.suite} | ${q.oneByOne} | ${q.batched} | ${q.calls} | ${q.speedup}× | ${q.sameAnswers ? 'yes' : 'no'} |`),
  ].join('\n');
}

if (startedAs('probes.ts')) runStandalone('probes', (log) => runProbes(PROBE_ITEMS, log), formatProbes);
