/**
 * Part (g) of the benchmark: interaction at the display's rate, in the real app on WASM.
 *   Drag: the composed circle dragged across the composer by 60 pointer moves a second. The
 *   page's frame rate while dragging against its idle rate just before (requestAnimationFrame
 *   counts), and per pointer move the lag until the matrix is drawn with a row that answers
 *   it (that move's scene or a newer one: 'vlm:image-answered' says when the answered inputs
 *   were current, 'vlm:matrix-painted' when the matrix was drawn).
 *   Tasks: the longest main-thread task (Chromium trace) during each interaction of each lab:
 *   dragging in the composer, typing a caption, the logit-scale slider, hovering the map,
 *   painting a mask (Masking lab), the temperature slider and scrubbing tokens (Generative lab).
 */
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { openApp, waitForModel } from '../browser/harness';
import { captionInputs, waitForMatrix } from '../browser/lab';
import { median, percentile, round } from './stats';
import { traceTasks, type TaskReport } from './trace';

export interface DragResult {
  readonly moves: number;
  readonly durationMs: number;
  readonly idleFps: number;
  readonly dragFps: number;
  readonly fpsRatio: number;
  readonly answered: number;
  readonly unanswered: number;
  readonly lagMs: { readonly median: number; readonly p95: number; readonly max: number };
  /** Requests answered for the composed image during the drag. */
  readonly answers: number;
}

export interface InteractionsRun {
  readonly drag: DragResult;
  readonly tasks: readonly ({ readonly interaction: string; readonly lab: string } & TaskReport)[];
  readonly worst: string;
  readonly external: string[];
  readonly pageErrors: string[];
}

interface Mark { name: string; start: number; detail: { asked?: number } | null }
interface Probe {
  __vlmInteractions: {
    now(): number;
    frames(from: number, to: number): number[];
    moves(from: number, to: number): number[];
    marks(from: number, to: number): Mark[];
  };
}

const PROBE = fileURLToPath(new URL('./interaction-probe.js', import.meta.url));
const HZ = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = (page: Page) => page.evaluate(() => (window as unknown as Probe).__vlmInteractions.now());

/** Runs `step(k)` for k < steps at `HZ` a second, as a display-rate input device would (late steps run at once). */
async function paced(steps: number, step: (k: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  for (let k = 0; k < steps; k++) {
    const wait = start + (k * 1000) / HZ - performance.now();
    if (wait > 0) await sleep(wait);
    await step(k);
  }
}

/** Frames a second over a window, from the frames' own times. */
function fps(frames: readonly number[]): number {
  return frames.length < 2 ? 0 : ((frames.length - 1) * 1000) / (frames.at(-1)! - frames[0]);
}

/** Drags along `path` (fractions of the box) with the left button held. */
async function drag(page: Page, target: Locator, path: (k: number) => [number, number], steps: number): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = (await target.boundingBox())!;
  const at = (k: number) => [box.x + box.width * path(k)[0], box.y + box.height * path(k)[1]] as const;
  await page.mouse.move(...at(0));
  await page.mouse.down();
  await paced(steps, (k) => page.mouse.move(...at(k + 1)));
  await page.mouse.up();
}

/** The circle (composed at x = 0.2) goes right to 0.8 and back, once a second. */
const across = (steps: number) => (k: number): [number, number] => [0.5 - 0.3 * Math.cos((2 * Math.PI * k) / steps), 0.5];

async function measureDrag(page: Page, steps: number): Promise<DragResult> {
  const probe = (from: number, to: number) => page.evaluate(([a, b]) => {
    const p = (window as unknown as Probe).__vlmInteractions;
    return { frames: p.frames(a, b), moves: p.moves(a, b), marks: p.marks(a, b) };
  }, [from, to] as const);
  const idleStart = await now(page);
  await sleep(2000);
  const idle = await probe(idleStart, await now(page));
  const start = await now(page);
  await drag(page, page.getByTestId('composer-surface'), across(steps), steps);
  const end = await now(page);
  await sleep(1500); // the last answers arrive
  const { frames, moves, marks } = await probe(start, await now(page));
  const answers = marks.filter((m) => m.name === 'vlm:image-answered').sort((a, b) => a.start - b.start);
  const paints = marks.filter((m) => m.name === 'vlm:matrix-painted').map((m) => m.start).sort((a, b) => a - b);
  const lags: number[] = [];
  for (const t of moves) {
    const answer = answers.find((a) => (a.detail?.asked ?? -Infinity) >= t);
    const paint = answer && paints.find((p) => p >= answer.start);
    if (paint !== undefined) lags.push(paint - t);
  }
  const idleFps = fps(idle.frames);
  const dragFps = fps(frames.filter((f) => f <= end));
  return {
    moves: moves.length,
    durationMs: round(end - start, 1),
    idleFps: round(idleFps, 1),
    dragFps: round(dragFps, 1),
    fpsRatio: round(dragFps / idleFps, 3),
    answered: lags.length,
    unanswered: moves.length - lags.length,
    lagMs: { median: round(median(lags), 1), p95: round(percentile(lags, 95), 1), max: round(Math.max(...lags), 1) },
    answers: answers.length,
  };
}

async function slide(page: Page, slider: Locator, steps: number): Promise<void> {
  await drag(page, slider, (k) => [0.05 + (0.9 * k) / steps, 0.5], steps);
}

export async function runInteractions(dragMoves: number, log: (line: string) => void): Promise<InteractionsRun> {
  const session = await openApp('?device=wasm');
  const { page } = session;
  const browser = session.context.browser()!;
  const tasks: ({ interaction: string; lab: string } & TaskReport)[] = [];
  const traced = async (lab: string, interaction: string, action: () => Promise<void>) => {
    await sleep(500);
    const report = await traceTasks(browser, page, async () => {
      await action();
      await sleep(800); // the answers to the last inputs, and their drawing
    });
    tasks.push({ lab, interaction, ...report });
    log(`(g) ${interaction}: longest main-thread task ${report.longestMs.toFixed(1)} ms (${report.longestWhat}); ${report.over16} of ${report.tasks} over 16 ms`);
  };
  try {
    await page.addInitScript({ path: PROBE });
    await page.reload();
    const device = await waitForModel(page);
    if (device !== 'wasm') throw new Error(`(g) the app runs on "${device}", not wasm`);
    await waitForMatrix(page, 4, 4);
    await page.getByRole('button', { name: 'Compose a scene…' }).click();
    await waitForMatrix(page, 5, 4);

    log(`(g) dragging the composed circle: ${dragMoves} moves at ${HZ} Hz…`);
    await drag(page, page.getByTestId('composer-surface'), across(30), 30); // warm-up
    await sleep(1000);
    const dragResult = await measureDrag(page, dragMoves);
    log(`(g) drag: ${dragResult.dragFps} fps against ${dragResult.idleFps} idle (${dragResult.fpsRatio}×); lag median ${dragResult.lagMs.median} ms, p95 ${dragResult.lagMs.p95} ms`);

    await traced('contrastive', 'dragging in the composer', () => drag(page, page.getByTestId('composer-surface'), across(60), 60));
    await traced('contrastive', 'typing a caption', async () => {
      const input = (await captionInputs(page)).nth(1);
      await input.click();
      await input.press('Control+A');
      await input.pressSequentially('a blue square on the right', { delay: 60 });
    });
    await traced('contrastive', 'the logit-scale slider', () => slide(page, page.getByLabel('Logit scale (log axis)'), 40));
    const map = page.getByTestId('embedding-map');
    await map.scrollIntoViewIfNeeded();
    await traced('contrastive', 'hovering the map', async () => {
      const box = (await map.boundingBox())!;
      await paced(90, (k) => page.mouse.move(box.x + box.width * (0.1 + 0.8 * ((k % 30) / 30)), box.y + box.height * (0.2 + 0.2 * Math.floor(k / 30))));
    });

    await page.goto(`${session.url}#masking`);
    const masking = page.getByTestId('masking-lab');
    await masking.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await masking.getByTestId('reconstruction').waitFor({ timeout: 60_000 });
    const editor = masking.getByTestId('patch-editor');
    await editor.scrollIntoViewIfNeeded();
    await traced('masking', 'painting a mask', () => drag(page, editor, (k) => [0.05 + 0.9 * ((k % 20) / 20), 0.1 + 0.27 * Math.floor(k / 20)], 60));

    await page.goto(`${session.url}#generative`);
    const generative = page.getByTestId('generative-lab');
    await generative.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await generative.getByTestId('caption-result').waitFor({ timeout: 60_000 });
    await generative.getByRole('radio', { name: 'Sample' }).check();
    const temperature = generative.getByLabel('Temperature');
    await temperature.waitFor();
    await traced('generative', 'the temperature slider', () => slide(page, temperature, 40));
    const tokens = generative.getByTestId('caption-tokens').getByRole('button');
    await traced('generative', 'scrubbing tokens', async () => {
      const count = await tokens.count();
      for (let pass = 0; pass < 3; pass++) for (let k = 0; k < count; k++) await tokens.nth(k).click({ delay: 20 });
    });

    const worst = tasks.reduce((a, b) => (b.longestMs > a.longestMs ? b : a));
    return {
      drag: dragResult,
      tasks: tasks.map((t) => ({ ...t, longestMs: round(t.longestMs, 1) })),
      worst: `${worst.interaction} (${worst.lab} lab): ${worst.longestMs.toFixed(1)} ms, ${worst.longestWhat}`,
      external: session.external,
      pageErrors: session.pageErrors,
    };
  } finally {
    await session.close();
  }
}

/** The part's table, for the console and the README. */
export function formatInteractions(run: InteractionsRun): string {
  const d = run.drag;
  const lines = [
    '(g) Interaction at the display rate (WASM)',
    `drag: ${d.moves} moves in ${d.durationMs} ms; ${d.dragFps} fps while dragging, ${d.idleFps} idle (${d.fpsRatio}×; goal ≥ 0.90)`,
    `drag: pointer move → matrix drawn with its row: median ${d.lagMs.median} ms, p95 ${d.lagMs.p95} ms, max ${d.lagMs.max} ms (goal p95 ≤ 17 ms); ${d.answers} answers, ${d.unanswered} moves never answered`,
    '| lab | interaction | longest main-thread task | tasks over 16 ms | what filled the longest |',
    '|---|---|---|---|---|',
    ...run.tasks.map((t) => `| ${t.lab} | ${t.interaction} | ${t.longestMs.toFixed(1)} ms | ${t.over16} of ${t.tasks} | ${t.longestWhat} |`),
    `worst: ${run.worst}`,
  ];
  return lines.join('\n');
}
