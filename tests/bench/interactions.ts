/**
 * Part (g) of the benchmark: interaction at the display's rate, in the real app on WASM.
 *   Drag: the composed circle dragged across the composer by 60 pointer moves a second. The
 *   page's frame rate while dragging against its idle rate just before (requestAnimationFrame
 *   counts), and per pointer move the lag until the matrix is drawn with a row that answers
 *   it (that move's scene or a newer one: 'vlm:image-answered' says when the answered inputs
 *   were current, 'vlm:matrix-painted' when the matrix was drawn), and until the first frame
 *   holding that drawing was rendered (what a person sees; the probe notes each frame's end).
 *   Tasks: the longest main-thread task (Chromium trace) during each interaction of each lab:
 *   dragging in the composer, typing a caption, the logit-scale slider, hovering the map,
 *   painting a mask (Masking lab), the temperature slider and scrubbing tokens (Generative lab),
 *   scrubbing the answer's tokens (Backbone lab).
 */
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { openApp, waitForModel } from '../browser/harness';
import { captionInputs, waitForMatrix } from '../browser/lab';
import { median, percentile, round } from './stats';
import { traceTasks, type TaskReport } from './trace';

export interface DragResult {
  readonly rounds: number;
  readonly moves: number;
  /** Medians over the rounds. */
  readonly durationMs: number;
  readonly idleFps: number;
  readonly dragFps: number;
  readonly fpsRatio: number;
  /** Every move of every round. */
  readonly answered: number;
  readonly unanswered: number;
  /** Pointer move → the matrix drawn with a row that answers it (the canvas drawn). */
  readonly lagMs: { readonly median: number; readonly p95: number; readonly max: number };
  /** Pointer move → the first frame with that drawing rendered (its main-thread rendering done). */
  readonly shownMs: { readonly median: number; readonly p95: number; readonly max: number };
  /** Answers for the composed image, per round (median). */
  readonly answers: number;
  /** Each part of the lag over every answered move (see LAG_PARTS). */
  readonly parts: Readonly<Record<LagPart, { readonly median: number; readonly p95: number }>>;
  /** The same parts averaged over the moves whose lag was above the p90: what makes the tail. */
  readonly tail: Readonly<Record<LagPart, number>>;
}

/** A build of the app to measure, at its own server. */
export interface Variant {
  readonly name: string;
  /** The app's URL, ending in '/'. */
  readonly url: string;
  /** Added to the page's query, say '&threads=1'. */
  readonly query?: string;
  /**
   * Every other lab opened once before the drag (each loads its model and stays mounted,
   * hidden, reading the same images), as after a tour of the labs.
   */
  readonly labsOpened?: boolean;
}

/** The labs that read the Contrastive lab's images with a model of their own. */
const MODEL_LABS = ['llip', 'masking', 'generative', 'backbone'] as const;

export interface VariantResult {
  readonly variant: string;
  readonly drag: DragResult;
  readonly tasks: readonly ({ readonly interaction: string; readonly lab: string } & TaskReport)[];
  readonly worst: string;
}

export interface InteractionsRun {
  readonly variants: readonly VariantResult[];
  readonly external: string[];
  readonly pageErrors: string[];
}

interface Mark { name: string; start: number; detail: { asked?: number } | null }
interface Probe {
  __vlmInteractions: {
    now(): number;
    frames(from: number, to: number): number[];
    rendered(from: number, to: number): { at: number; done: number }[];
    moves(from: number, to: number): number[];
    marks(from: number, to: number): Mark[];
    sent(from: number, to: number): Message[];
    received(from: number, to: number): Message[];
  };
}
/** A run request posted to a worker, or its result received (with the worker's own timing). */
interface Message { worker: number; id: number; at: number; kind?: string; workerMs?: number; modelMs?: number }

/**
 * Where a move's lag went, ms, each from the move's time to the painted row:
 *   input: the pointer move until the app asked for the embedding (the event's dispatch);
 *   channel: asked until posted to the worker (waiting for the run in flight);
 *   worker: the worker's own time for the run, of which model: the image encoder's forward;
 *   transit: posted until the result was dispatched on the page, less the worker's time
 *     (messaging both ways, and the page busy with something else when it arrived);
 *   handling: the result dispatched until the lab had its numbers;
 *   drawing: those numbers until the matrix was drawn with them (the lag above ends here);
 *   frame: the drawing until the first frame that holds it was rendered on the main thread
 *     (waiting for the frame, the rest of the task, style, layout, paint): what a person sees.
 */
export const LAG_PARTS = ['input', 'channel', 'worker', 'model', 'transit', 'handling', 'drawing', 'frame'] as const;
export type LagPart = (typeof LAG_PARTS)[number];

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

interface DragRound {
  readonly moves: number;
  readonly durationMs: number;
  readonly idleFps: number;
  readonly dragFps: number;
  readonly lags: number[];
  /** Per move, until the frame showing its answer was rendered (NaN when unanswered). */
  readonly shown: number[];
  /** Per move, in the order of `lags` (null when unanswered). */
  readonly parts: (Record<LagPart, number> | null)[];
  readonly answers: number;
}

async function measureDrag(page: Page, steps: number): Promise<DragRound> {
  const probe = (from: number, to: number) => page.evaluate(([a, b]) => {
    const p = (window as unknown as Probe).__vlmInteractions;
    return { frames: p.frames(a, b), rendered: p.rendered(a, b), moves: p.moves(a, b), marks: p.marks(a, b), sent: p.sent(a, b), received: p.received(a, b) };
  }, [from, to] as const);
  const idleStart = await now(page);
  await sleep(2000);
  const idle = await probe(idleStart, await now(page));
  const start = await now(page);
  await drag(page, page.getByTestId('composer-surface'), across(steps), steps);
  const end = await now(page);
  await sleep(1500); // the last answers arrive
  const { frames, rendered, moves, marks, sent, received } = await probe(start, await now(page));
  const answers = marks.filter((m) => m.name === 'vlm:image-answered').sort((a, b) => a.start - b.start);
  const paints = marks.filter((m) => m.name === 'vlm:matrix-painted').map((m) => m.start).sort((a, b) => a - b);
  const results = received.filter((m) => m.kind === 'image-embeds').sort((a, b) => a.at - b.at);
  const lags: number[] = [];
  const shown: number[] = [];
  const parts: DragRound['parts'] = [];
  for (const t of moves) {
    const answer = answers.find((a) => (a.detail?.asked ?? -Infinity) >= t);
    const paint = answer && paints.find((p) => p >= answer.start);
    const frame = paint === undefined ? undefined : rendered.find((f) => f.at >= paint);
    lags.push(paint === undefined ? NaN : paint - t);
    shown.push(frame === undefined ? NaN : frame.done - t);
    parts.push(answer && paint !== undefined && frame ? lagParts(t, answer, paint, frame.done, results, sent) : null);
  }
  return { moves: moves.length, durationMs: end - start, idleFps: fps(idle.frames), dragFps: fps(frames.filter((f) => f <= end)), lags, shown, parts, answers: answers.length };
}

/** A move's lag in parts: its answer's result is the last one dispatched before the answer (same task). */
function lagParts(t: number, answer: Mark, paint: number, frame: number, results: readonly Message[], sent: readonly Message[]): Record<LagPart, number> | null {
  const result = results.filter((r) => r.at <= answer.start).at(-1);
  const request = result && sent.find((m) => m.worker === result.worker && m.id === result.id);
  if (!result || !request) return null;
  const asked = answer.detail!.asked!;
  const worker = result.workerMs ?? NaN;
  return {
    input: asked - t,
    channel: request.at - asked,
    worker,
    model: result.modelMs ?? NaN,
    transit: result.at - request.at - worker,
    handling: answer.start - result.at,
    drawing: paint - answer.start,
    frame: frame - paint,
  };
}

function summariseDrag(rounds: readonly DragRound[]): DragResult {
  const lags = rounds.flatMap((r) => r.lags);
  const answered = lags.filter((l) => !Number.isNaN(l));
  const shown = rounds.flatMap((r) => r.shown).filter((l) => !Number.isNaN(l));
  const med = (f: (r: DragRound) => number, digits = 1) => round(median(rounds.map(f)), digits);
  return {
    rounds: rounds.length,
    moves: med((r) => r.moves, 0),
    durationMs: med((r) => r.durationMs),
    idleFps: med((r) => r.idleFps),
    dragFps: med((r) => r.dragFps),
    fpsRatio: med((r) => r.dragFps / r.idleFps, 3),
    answered: answered.length,
    unanswered: lags.length - answered.length,
    lagMs: { median: round(median(answered), 1), p95: round(percentile(answered, 95), 1), max: round(Math.max(...answered), 1) },
    shownMs: { median: round(median(shown), 1), p95: round(percentile(shown, 95), 1), max: round(Math.max(...shown), 1) },
    answers: med((r) => r.answers, 0),
    ...summariseParts(rounds),
  };
}

function summariseParts(rounds: readonly DragRound[]): Pick<DragResult, 'parts' | 'tail'> {
  const moves = rounds.flatMap((r) => r.lags.map((lag, k) => ({ lag, parts: r.parts[k] }))).filter((m) => m.parts !== null);
  const p90 = percentile(moves.map((m) => m.lag), 90);
  const slow = moves.filter((m) => m.lag > p90);
  const of = (part: LagPart, list: typeof moves) => list.map((m) => m.parts![part]);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const parts = Object.fromEntries(LAG_PARTS.map((p) => [p, { median: round(median(of(p, moves)), 2), p95: round(percentile(of(p, moves), 95), 2) }]));
  const tail = Object.fromEntries(LAG_PARTS.map((p) => [p, round(mean(of(p, slow)), 2)]));
  return { parts: parts as DragResult['parts'], tail: tail as DragResult['tail'] };
}

async function slide(page: Page, slider: Locator, steps: number): Promise<void> {
  await drag(page, slider, (k) => [0.05 + (0.9 * k) / steps, 0.5], steps);
}

/** A fresh page of one variant, with the probe, its model loaded on WASM. */
async function openVariant(context: BrowserContext, variant: Variant, hash: string, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${variant.name}: ${error.message}`));
  await page.addInitScript({ path: PROBE });
  await page.goto(`${variant.url}?device=wasm${variant.query ?? ''}${hash}`);
  return page;
}

async function dragRound(context: BrowserContext, variant: Variant, moves: number, errors: string[]): Promise<DragRound> {
  const page = await openVariant(context, variant, '#contrastive', errors);
  try {
    const device = await waitForModel(page);
    if (device !== 'wasm') throw new Error(`(g) ${variant.name} runs on "${device}", not wasm`);
    await waitForMatrix(page, 4, 4);
    if (variant.labsOpened) {
      for (const lab of MODEL_LABS) {
        await page.evaluate((hash) => (location.hash = hash), `#${lab}`);
        await page.locator(`[data-testid="${lab}-lab"] [data-testid="runtime-panel"][data-status="ready"]`).waitFor({ timeout: 120_000 });
      }
      await page.evaluate(() => (location.hash = '#contrastive'));
    }
    await page.getByRole('button', { name: 'Compose a scene…' }).click();
    await waitForMatrix(page, 5, 4);
    await drag(page, page.getByTestId('composer-surface'), across(30), 30); // warm-up
    await sleep(1000);
    return await measureDrag(page, moves);
  } finally {
    await page.close();
  }
}

/** Each lab's interactions on one variant, each traced. */
async function labTasks(context: BrowserContext, variant: Variant, errors: string[], log: (line: string) => void): Promise<VariantResult['tasks']> {
  const browser = context.browser()!;
  const tasks: ({ interaction: string; lab: string } & TaskReport)[] = [];
  const page = await openVariant(context, variant, '#contrastive', errors);
  const traced = async (lab: string, interaction: string, action: () => Promise<void>) => {
    await sleep(500);
    const report = await traceTasks(browser, page, async () => {
      await action();
      await sleep(800); // the answers to the last inputs, and their drawing
    });
    tasks.push({ lab, interaction, ...report, longestMs: round(report.longestMs, 1), longestCpuMs: round(report.longestCpuMs, 1) });
    log(`(g) ${variant.name}, ${interaction}: longest main-thread task ${report.longestMs.toFixed(1)} ms (${report.longestWhat}), ${report.longestCpuMs.toFixed(1)} ms of CPU; ${report.over16} of ${report.tasks} over 16 ms (${report.over16Cpu} by CPU time)`);
  };
  try {
    await waitForModel(page);
    await waitForMatrix(page, 4, 4);
    await page.getByRole('button', { name: 'Compose a scene…' }).click();
    await waitForMatrix(page, 5, 4);
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

    await page.goto(`${variant.url}?device=wasm${variant.query ?? ''}#masking`);
    const masking = page.getByTestId('masking-lab');
    await masking.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await masking.getByTestId('reconstruction').waitFor({ timeout: 60_000 });
    const editor = masking.getByTestId('patch-editor');
    await traced('masking', 'painting a mask', () => drag(page, editor, (k) => [0.05 + 0.9 * ((k % 20) / 20), 0.1 + 0.27 * Math.floor(k / 20)], 60));

    await page.goto(`${variant.url}?device=wasm${variant.query ?? ''}#generative`);
    const generative = page.getByTestId('generative-lab');
    await generative.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await generative.getByTestId('caption-result').waitFor({ timeout: 60_000 });
    await generative.getByRole('radio', { name: 'Sample' }).check();
    const temperature = generative.getByLabel('Temperature');
    await temperature.waitFor();
    await traced('generative', 'the temperature slider', () => slide(page, temperature, 40));
    const tokens = generative.getByTestId('caption-tokens').getByRole('button');
    await traced('generative', 'scrubbing tokens', () => scrub(tokens));

    await page.goto(`${variant.url}?device=wasm${variant.query ?? ''}#backbone`);
    const backbone = page.getByTestId('backbone-lab');
    await backbone.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
    await backbone.locator('[data-testid="answer"][data-status="done"]').waitFor({ timeout: 60_000 });
    await traced('backbone', 'scrubbing answer tokens', () => scrub(backbone.getByTestId('answer-tokens').getByRole('button')));
    return tasks;
  } finally {
    await page.close();
  }
}

/** Clicks through every token of a strip, three times over. */
async function scrub(tokens: Locator): Promise<void> {
  const count = await tokens.count();
  for (let pass = 0; pass < 3; pass++) for (let k = 0; k < count; k++) await tokens.nth(k).click({ delay: 20 });
}

/**
 * Drag rounds of every variant interleaved (the order alternating from round to round, so
 * the machine's load of the moment falls on both), then each lab's interactions per variant.
 */
export async function runInteractions(variants: readonly Variant[], rounds: number, dragMoves: number, log: (line: string) => void, labs = true): Promise<InteractionsRun> {
  const session = await openApp('?device=wasm');
  const errors: string[] = [];
  try {
    await session.page.goto('about:blank');
    const all = variants.map((v) => ({ ...v, url: v.url || session.url.replace(/\?.*$/, '') }));
    const drags = new Map<string, DragRound[]>(all.map((v) => [v.name, []]));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? all : [...all].reverse();
      for (const variant of order) {
        const result = await dragRound(session.context, variant, dragMoves, errors);
        drags.get(variant.name)!.push(result);
        const lags = result.lags.filter((l) => !Number.isNaN(l));
        const shown = result.shown.filter((l) => !Number.isNaN(l));
        log(`(g) drag round ${r + 1}, ${variant.name}: ${result.dragFps.toFixed(1)} fps against ${result.idleFps.toFixed(1)} idle; lag to the row drawn median ${median(lags).toFixed(1)} ms, p95 ${percentile(lags, 95).toFixed(1)} ms; to its frame rendered median ${median(shown).toFixed(1)} ms, p95 ${percentile(shown, 95).toFixed(1)} ms`);
      }
    }
    const results: VariantResult[] = [];
    for (const variant of all) {
      // The labs' own interactions are traced once per build.
      const tasks = labs && !variant.labsOpened ? await labTasks(session.context, variant, errors, log) : [];
      const worst = tasks.length ? tasks.reduce((a, b) => (b.longestMs > a.longestMs ? b : a)) : null;
      results.push({
        variant: variant.name,
        drag: summariseDrag(drags.get(variant.name)!),
        tasks,
        worst: worst ? `${worst.interaction} (${worst.lab} lab): ${worst.longestMs.toFixed(1)} ms (${worst.longestCpuMs.toFixed(1)} ms of CPU), ${worst.longestWhat}` : 'no lab interaction measured',
      });
    }
    return { variants: results, external: session.external, pageErrors: [...session.pageErrors, ...errors] };
  } finally {
    await session.close();
  }
}

/** The part's table, for the console and the README. */
export function formatInteractions(run: InteractionsRun): string {
  const lines = ['(g) Interaction at the display rate (WASM)', '| build | fps while dragging / idle (goal ≥ 0.90) | pointer move → row drawn: median | p95 (goal ≤ 17 ms) | max | → its frame rendered: median | p95 | moves answered |', '|---|---|---|---|---|---|---|---|'];
  for (const { variant, drag: d } of run.variants) {
    lines.push(`| ${variant} | ${d.fpsRatio.toFixed(2)}× (${d.dragFps} / ${d.idleFps}) | ${d.lagMs.median} ms | ${d.lagMs.p95} ms | ${d.lagMs.max} ms | ${d.shownMs.median} ms | ${d.shownMs.p95} ms | ${d.answered} of ${d.answered + d.unanswered} (${d.rounds} rounds of ${d.moves}) |`);
  }
  lines.push('', '| build | lab | interaction | longest main-thread task (wall) | its CPU time (longest) | tasks over 16 ms (wall / CPU) | what filled the longest |', '|---|---|---|---|---|---|---|');
  for (const { variant, tasks } of run.variants) {
    for (const t of tasks) lines.push(`| ${variant} | ${t.lab} | ${t.interaction} | ${t.longestMs.toFixed(1)} ms | ${t.longestCpuMs.toFixed(1)} ms | ${t.over16} / ${t.over16Cpu} of ${t.tasks} | ${t.longestWhat} |`);
  }
  lines.push('', `| build | ${LAG_PARTS.map((p) => `${p}: median / p95 / mean above the lag's p90`).join(' | ')} |`, `|---|${LAG_PARTS.map(() => '---|').join('')}`);
  for (const { variant, drag: d } of run.variants) {
    if (d.parts) lines.push(`| ${variant} | ${LAG_PARTS.map((p) => `${d.parts[p].median} / ${d.parts[p].p95} / ${d.tail[p]} ms`).join(' | ')} |`);
  }
  for (const { variant, worst } of run.variants) lines.push(`worst (${variant}): ${worst}`);
  return lines.join('\n');
}
