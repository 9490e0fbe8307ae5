/**
 * Part (m) of the benchmark: the Probe lab on WASM. For each bundled model, every suite's items
 * per second (each suite batched as the page runs it: one request for all its images, one for
 * all its captions, or one decoder pass for all its pairs; the VLM's questions one by one), timed
 * by the page from the suite's first request to its scores; and the page's frame rate while
 * suites run against its idle frame rate measured just before, with the longest frame.
 * Run alone: `vite build --mode bench && npx tsx tests/bench/probes.ts`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { openApp } from '../browser/harness';
import { round, summarize, type Summary } from './stats';
import { runStandalone, startedAs } from './standalone';
import { BUNDLED_PROBE_MODELS } from '../../src/lib/probes/models';

const MEASURE = fileURLToPath(new URL('./probes-page.js', import.meta.url));
export const PROBE_ITEMS = Number(process.env.BENCH_PROBE_ITEMS ?? 24);

export interface ProbeSuiteTiming {
  readonly model: string;
  readonly suite: string;
  readonly items: number;
  readonly ms: number;
  readonly itemsPerSecond: number;
}

export interface ProbesRun {
  readonly items: number;
  readonly device: 'wasm';
  readonly suites: readonly ProbeSuiteTiming[];
  /** Frames per second idle (2 s before each model's run) and while its suites ran, and frame times while they ran. */
  readonly frames: readonly { readonly model: string; readonly idleFps: number; readonly runningFps: number; readonly ratio: number; readonly frameMs: Summary }[];
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly external: string[];
  readonly pageErrors: string[];
}

interface PageMeasure {
  readonly suites: { model: string; suite: string; items: number; ms: number; end: number }[];
  readonly idle: number[];
  readonly frames: number[];
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
    const measure = (await page.evaluate('window.__probeMeasure()')) as PageMeasure;
    // Frames while a suite ran: between its first request and its scores.
    const inSuite = (t: number) => measure.suites.some((s) => t >= s.end - s.ms && t <= s.end);
    const gaps = measure.frames.slice(1).map((t, k) => ({ t, gap: t - measure.frames[k] })).filter((g) => inSuite(g.t)).map((g) => g.gap);
    const runningMs = measure.suites.reduce((n, s) => n + s.ms, 0);
    const idleFps = (measure.idle.length - 1) / ((measure.idle.at(-1)! - measure.idle[0]) / 1000);
    const runningFps = gaps.length / (runningMs / 1000);
    frames.push({ model: model.key, idleFps: round(idleFps, 1), runningFps: round(runningFps, 1), ratio: round(runningFps / idleFps, 3), frameMs: summarize(gaps) });
    for (const s of measure.suites) suites.push({ model: s.model, suite: s.suite, items: s.items, ms: round(s.ms), itemsPerSecond: round((s.items * 1000) / s.ms, 1) });
    log(`(m) ${model.key}: ${measure.suites.map((s) => `${s.suite} ${round((s.items * 1000) / s.ms, 1)}/s`).join(', ')}; ${round(runningFps, 1)} fps while running, ${round(idleFps, 1)} idle`);
  }
  await session.close();
  return { items, device: 'wasm', suites, frames, loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) }, external: session.external, pageErrors: session.pageErrors };
}

export function formatProbes(run: ProbesRun): string {
  const suiteIds = [...new Set(run.suites.map((s) => s.suite))];
  const models = [...new Set(run.suites.map((s) => s.model))];
  const cell = (model: string, suite: string) => run.suites.find((s) => s.model === model && s.suite === suite)?.itemsPerSecond ?? '–';
  return [
    `(m) Probe lab, WASM, ${run.items} items per suite (items per second, each suite batched; the VLM asks each item's two questions one by one), load average ${run.loadAverage.before} → ${run.loadAverage.after}:`,
    `| model | ${suiteIds.join(' | ')} | fps running / idle | longest frame |`,
    `|---|${suiteIds.map(() => '---|').join('')}---|---|`,
    ...models.map((m) => {
      const f = run.frames.find((x) => x.model === m)!;
      return `| ${m} | ${suiteIds.map((s) => cell(m, s)).join(' | ')} | ${f.runningFps} / ${f.idleFps} (${f.ratio}×) | ${round(f.frameMs.max)} ms |`;
    }),
  ].join('\n');
}

if (startedAs('probes.ts')) runStandalone('probes', (log) => runProbes(PROBE_ITEMS, log), formatProbes);
