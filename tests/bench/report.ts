/**
 * Turns the raw samples of parts (a), (b) and (c) into bench-results.json: every number with
 * its unit and what it measures, and each goal with whether this run met it.
 */
import type { EditsRun, EditSeries } from './edits';
import type { PipelineRun } from './pipeline';
import { medianPairedRatio, round, summarize, median } from './stats';
import type { Call, LongEntry, PipelineSeries, Side } from './types';

export interface Stat {
  readonly unit: string;
  readonly measures: string;
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

export interface Value {
  readonly value: number | string;
  readonly unit: string;
  readonly measures: string;
}

export const RATIO_GOAL = 1.1;
export const TASK_GOAL_MS = 50;
export const NO_LONG_TASK = `< ${TASK_GOAL_MS} ms (no long task observed)`;

function stat(values: readonly number[], measures: string, unit = 'ms'): Stat {
  const s = summarize(values);
  return { unit, measures, n: s.n, median: round(s.median), p90: round(s.p90), min: round(s.min), max: round(s.max) };
}

/** Numbers rounded to µs; tiny ones (embedding differences) to 3 significant digits instead. */
const value = (v: number | string, unit: string, measures: string): Value => ({
  value: typeof v !== 'number' ? v : Math.abs(v) < 0.01 ? Number(v.toPrecision(3)) : round(v),
  unit,
  measures,
});

/** The longest entry of a type inside [start, end], or null. */
function longest(entries: readonly LongEntry[], type: LongEntry['type'], start: number, end: number): LongEntry | null {
  const inside = entries.filter((e) => e.type === type && e.start < end && e.start + e.duration > start);
  return inside.reduce<LongEntry | null>((a, e) => (a && a.duration >= e.duration ? a : e), null);
}

/** The longest long task overlapping a call of this side (calls are separate tasks: see page.ts). */
function longestDuring(entries: readonly LongEntry[], calls: readonly Call[], side: Side): LongEntry | null {
  const mine = calls.filter((c) => c.side === side);
  const hits = entries.filter((e) => e.type === 'longtask' && mine.some((c) => e.start < c.end && e.start + e.duration > c.start));
  return hits.reduce<LongEntry | null>((a, e) => (a && a.duration >= e.duration ? a : e), null);
}

function taskValue(entry: LongEntry | null, measures: string): Value {
  if (!entry) return value(NO_LONG_TASK, 'ms', measures);
  const parts = [
    entry.script && `longest script ${entry.script}`,
    entry.render !== undefined && `rendering ${Math.round(entry.render)} ms`,
  ].filter(Boolean);
  return value(parts.length ? `${round(entry.duration, 1)} (${parts.join(', ')})` : entry.duration, 'ms', measures);
}

function pipelineSeries(s: PipelineSeries, warmup: number) {
  const preprocessing = s.totalMs.map((t, i) => t - s.modelMs[i]);
  const handoff = s.roundTripMs.map((r, i) => r - s.totalMs[i]);
  const ratio = median(s.roundTripMs) / median(s.directMs);
  return {
    name: `${s.tower} × ${s.batch}`,
    tower: s.tower,
    batch: s.batch,
    reps: s.reps,
    warmup,
    worker: {
      roundTrip: stat(s.roundTripMs, 'Main thread: `await client.run(task)` for the whole batch (InferenceClient → worker → transformers.js → ORT → back).'),
      model: stat(s.modelMs, "Worker's own timing.modelMs: the transformers.js model call (ORT session.run plus transformers.js' wrapping)."),
      total: stat(s.totalMs, "Worker's own timing.totalMs: request start to result in the worker, preprocessing and tokenizing included."),
      preprocessing: stat(preprocessing, 'Per call, totalMs − modelMs: decoding, 128→32 px area resize, image processor / tokenizer, copies.'),
      handoff: stat(handoff, 'Per call, round trip − totalMs: messages both ways, the worker queue, thread wake-ups, main-thread handling.'),
      send: stat(s.sendMs, 'Synchronous part of client.run on the main thread: structured clone of the inputs + postMessage.'),
      receive: stat(s.receiveMs, "Main-thread task that handles the worker's answer (client, promise resolution, awaiting code)."),
    },
    direct: {
      run: stat(s.directMs, "Main thread: `await session.run(feeds)` on the page's own ORT InferenceSession, same graph, same tensors (built once)."),
    },
    echo: {
      roundTrip: stat(s.echoMs, 'Round trip of one tiny message to a worker that only echoes it: the hand-off floor at that moment.'),
    },
    ratios: {
      roundTripOverDirect: value(ratio, '×', `median(worker round trip) / median(direct session.run); goal ≤ ${RATIO_GOAL}`),
      goalMet: ratio <= RATIO_GOAL,
      pairedRoundTripOverDirect: value(medianPairedRatio(s.roundTripMs, s.directMs), '×', 'median over reps of round trip / direct of the same rep (back-to-back calls share the load of the moment)'),
      modelOverDirect: value(median(s.modelMs) / median(s.directMs), '×', "median(worker's modelMs) / median(direct session.run): transformers.js' model call vs bare ORT, both on ORT WASM"),
      roundTripMinusEchoOverDirect: value((median(s.roundTripMs) - median(s.echoMs)) / median(s.directMs), '×', '(median round trip − median echo round trip) / median direct: the ratio without the hand-off floor'),
    },
  };
}

function editSeries(e: EditSeries) {
  const size = `${e.size}×${e.size}`;
  const toPainted = e.samples.map((s) => s.painted - s.changed);
  const toPresented = e.samples.map((s) => s.presented - s.changed);
  const rendering = e.samples.map((s) => s.presented - s.painted);
  const answers = e.samples.map((s) => s.spans.filter((x) => x.kind === 'message' && x.detail.includes('text-embeds')).length);
  return {
    size,
    edits: e.samples.length,
    warmup: e.warmup,
    changedToPainted: stat(toPainted, `From the app's vlm:captions-changed mark (input event) to the first vlm:matrix-painted mark with ${size} (heatmap canvas drawn).`),
    changedToPresented: stat(toPresented, 'From vlm:captions-changed to the end of the main-thread rendering (style, layout, paint) of the first frame after that paint mark.'),
    paintedToPresented: stat(rendering, 'From the paint mark to the end of that frame\'s main-thread rendering: mostly style and layout of the page (the matrix table included).'),
    textRequestsPerEdit: value(median(answers), 'requests', 'Median number of text-embeds answers the main thread received per edit (the worker computes each one).'),
    setupWork: value(
      `${e.setup.images.rows} image rows in ${e.setup.images.requests} requests, ${e.setup.texts.rows} caption rows in ${e.setup.texts.requests} requests`,
      'rows',
      `What the worker computed (answers received) while Clear, ${e.size / 8}× "Sample 8" and ${e.size} typed captions set the lab up; ${e.size} images and ${e.size} captions were needed.`,
    ),
    samples: { unit: 'ms', changedToPainted: toPainted.map((v) => round(v, 2)), changedToPresented: toPresented.map((v) => round(v, 2)) },
  };
}

function appMainThread(e: EditSeries, entries: readonly LongEntry[]) {
  const spans = e.samples.flatMap((s) => s.spans);
  const input = spans.filter((s) => s.kind === 'input').map((s) => s.end - s.start);
  // Per edit, the longest text-embeds answer: the one applied (a superseded one is dropped in ~0.1 ms).
  const answer = e.samples.map((sample) => Math.max(0, ...sample.spans
    .filter((s) => s.kind === 'message' && s.detail.includes('text-embeds'))
    .map((s) => s.end - s.start)));
  const duringEdits = longest(entries, 'longtask', e.edits.start, e.edits.end);
  return {
    size: `${e.size}×${e.size}`,
    longestTaskDuringEdits: taskValue(duringEdits, "Longest 'longtask' entry during the measured caption edits."),
    longestFrameDuringEdits: taskValue(longest(entries, 'long-animation-frame', e.edits.start, e.edits.end), "Longest 'long-animation-frame' entry during the edits (script work + style/layout/paint of one frame)."),
    longestTaskWholeRun: taskValue(longest(entries, 'longtask', e.whole.start, e.whole.end), "Longest 'longtask' from Clear to the last edit (sampling images, typing all captions)."),
    inputTask: stat(input, 'Own span: the input event of a caption edit, Svelte update and heatmap redraw included (the matrix loses the edited column meanwhile).'),
    answerTask: stat(answer, 'Own span, per edit: the task handling the applied text-embeds answer, Svelte update and heatmap draw included (rendering not included).'),
    goalMet: !duringEdits,
  };
}

export interface Meta {
  readonly date: string;
  readonly command: string;
  readonly machine: Record<string, unknown>;
  readonly reps: number;
  readonly warmup: number;
}

export function buildResults(meta: Meta, a: PipelineRun, b: EditsRun) {
  const pipeline = a.series.map((s) => pipelineSeries(s, meta.warmup));
  const workerTask = longestDuring(a.longEntries, a.series.flatMap((s) => s.calls), 'worker');
  const directTask = longestDuring(a.longEntries, a.series.flatMap((s) => s.calls), 'direct');
  const all = a.series;
  return {
    about: 'VLM Playground benchmark (npm run bench): WASM only, one browser run, compared variants interleaved. Ratios are the figures to read; absolute times depend on the machine and its load.',
    date: meta.date,
    command: meta.command,
    machine: { ...meta.machine, chromium: a.chromium },
    conditions: {
      device: a.setup.workerDevice,
      crossOriginIsolated: a.setup.crossOriginIsolated,
      hardwareConcurrency: a.setup.hardwareConcurrency,
      ortThreads: { direct: a.setup.directThreads, worker: a.setup.workerThreads, note: "worker: ORT's default, which inference.worker.ts keeps when crossOriginIsolated (it forces 1 otherwise)" },
      onnxruntimeWeb: a.setup.ortVersion,
      workerModelLoad: value(a.setup.workerLoadMs, 'ms', "ModelInfo.loadMs: the worker's load of shapes-clip, warm-up forward included"),
      sameInputsCheck: value(Math.max(...Object.values(a.setup.maxAbsDiff)), 'absolute', `Largest |worker − direct| embedding difference over ${Object.keys(a.setup.maxAbsDiff).join(', ')}`),
      externalRequests: a.external.length + b.external.length,
      pageErrors: [...a.pageErrors, ...b.pageErrors],
    },
    a_pipelineVsDirectOrt: pipeline,
    b_editToMatrix: b.series.map(editSeries),
    c_longestMainThreadTask: {
      goal: `< ${TASK_GOAL_MS} ms`,
      note: 'The Long Tasks API reports only tasks of 50 ms or more; own spans (below 50 ms too) are measured by the benchmark itself.',
      benchPage: {
        duringWorkerCalls: taskValue(workerTask, "Longest 'longtask' overlapping a worker-pipeline call (part a)."),
        duringDirectCalls: taskValue(directTask, "Longest 'longtask' overlapping a direct ORT call: ORT runs on the main thread there, which is what the worker avoids."),
        longestSendSpan: value(Math.max(...all.flatMap((s) => s.sendMs)), 'ms', 'Own span, max: synchronous client.run (clone + postMessage), any batch.'),
        longestReceiveSpan: value(Math.max(...all.flatMap((s) => s.receiveMs)), 'ms', "Own span, max: the task handling a worker's answer, any batch."),
        goalMet: !workerTask,
      },
      app: b.series.map((e) => appMainThread(e, b.longEntries)),
    },
  };
}

export type Results = ReturnType<typeof buildResults>;
