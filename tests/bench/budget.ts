/**
 * Part (i) of the benchmark: the image-to-token explorer while its width slider is dragged.
 * For each step the page itself reports the time of the whole table's recompute (ten
 * architectures, main thread) and of the growth sweep (48 sizes × ten architectures), and this
 * part times the step from the slider's input event until the page has settled (Svelte's
 * update, the canvas and the charts redrawn), all in one run, as shares of a 60 Hz frame.
 * Run alone: `npm run build && npx tsx tests/bench/budget.ts`.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { openApp, stopAll } from '../browser/harness';
import { round, summarize, type Summary } from './stats';

const FRAME_MS = 1000 / 60;

export interface BudgetRun {
  readonly steps: number;
  /** Milliseconds per step: the table's recompute, the growth sweep's, and input → settled. */
  readonly table: Summary;
  readonly growth: Summary;
  readonly step: Summary;
  /** Median shares of one 60 Hz frame (16.7 ms). */
  readonly frameShare: { readonly table: number; readonly growth: number; readonly step: number };
  /** 1-minute load average before and after: the machine is shared, and the step time shows it. */
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly external: string[];
  readonly pageErrors: string[];
}

export async function runBudget(steps: number, log: (line: string) => void): Promise<BudgetRun> {
  const loadBefore = os.loadavg()[0];
  const session = await openApp('#budget?w=1920&h=1080');
  const { page } = session;
  await page.getByTestId('budget-view').waitFor();
  // The chosen row's drawing is redrawn at every step too: a tiled one (Idefics3, the default).
  const samples = await page.evaluate(async (count) => {
    const slider = document.querySelector<HTMLInputElement>('input[aria-label="Width slider"]')!;
    const view = document.querySelector<HTMLElement>('[data-testid="budget-view"]')!;
    const out: { table: number; growth: number; step: number }[] = [];
    for (let k = 0; k < count; k++) {
      const width = 200 + Math.round((3800 * k) / Math.max(1, count - 1));
      const started = performance.now();
      slider.value = String(width);
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      // Svelte flushes in a microtask; a zero timeout runs after it and after the canvas effect.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const settled = performance.now();
      if (view.dataset.size !== `${width}x1080`) throw new Error(`the view did not follow the slider to ${width}`);
      out.push({ table: Number(view.dataset.recomputeMs), growth: Number(view.dataset.growthMs), step: settled - started });
      await new Promise((resolve) => requestAnimationFrame(() => resolve(null)));
    }
    return out;
  }, steps);
  await session.close();
  const table = summarize(samples.map((s) => s.table));
  const growth = summarize(samples.map((s) => s.growth));
  const step = summarize(samples.map((s) => s.step));
  const run = {
    steps,
    table,
    growth,
    step,
    frameShare: { table: round(table.median / FRAME_MS, 4), growth: round(growth.median / FRAME_MS, 4), step: round(step.median / FRAME_MS, 4) },
    loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
    external: session.external,
    pageErrors: session.pageErrors,
  };
  log(`(i) budget explorer: ${steps} slider steps; table ${round(table.median)} ms median (max ${round(table.max)}), growth sweep ${round(growth.median)} ms, input → settled ${round(step.median)} ms (p90 ${round(step.p90)})`);
  return run;
}

export function formatBudget(run: BudgetRun): string {
  const line = (name: string, s: Summary, share: number) => `  ${name.padEnd(26)} median ${round(s.median).toFixed(3).padStart(8)} ms   p90 ${round(s.p90).toFixed(3).padStart(8)}   max ${round(s.max).toFixed(3).padStart(8)}   ${(share * 100).toFixed(1)}% of a 60 Hz frame`;
  return [
    `(i) Image-to-token explorer, main thread, ${run.steps} width-slider steps (200–4000 px), load average ${run.loadAverage.before} → ${run.loadAverage.after}:`,
    line('whole table (10 rows)', run.table, run.frameShare.table),
    line('growth sweep (48 sizes)', run.growth, run.frameShare.growth),
    line('input → page settled', run.step, run.frameShare.step),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const run = await runBudget(Number(process.env.BENCH_BUDGET_STEPS ?? 200), (l) => console.log(`[bench] ${l}`));
  await stopAll();
  console.log(formatBudget(run));
  if (run.external.length || run.pageErrors.length) process.exitCode = 1;
}
