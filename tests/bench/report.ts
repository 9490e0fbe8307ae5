/**
 * Turns the raw samples of parts (a), (b) and (c) into bench-results.json: every number with
 * its unit and what it measures, and each goal with whether this run met it.
 */
import type { EditsRun, EditSeries } from './edits';
import type { ModelsRun } from './models';
import type { PipelineRun } from './pipeline';
import { medianPairedRatio, round, summarize, median } from './stats';
import type { Call, LoadSample, LoadVariant, LongEntry, ModelSeries, ModelSetup, PipelineSeries, ProjectionRun, Side } from './types';

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

/** Largest |worker − direct| embedding difference at which both sides count as fed the same. */
export const SAME_INPUTS_TOLERANCE = 1e-4;

const VARIANT_TEXT: Record<LoadVariant, string> = {
  'hub-download': "Hub path, first load in a fresh browser context: every file downloaded from the local mirror (/__hub/) and put in the browser's Cache Storage.",
  'hub-cache': "Hub path ({ id: 'playground/<model>', origin: 'hub' }, hubHost = the mirror's absolute URL), every file read from the browser's Cache Storage (the mirror served none).",
  'bundled-cache': "Bundled copy ({ id: '<model>', origin: 'bundled' }) as the app loads it after its first visit: transformers.js keeps bundled files in the same Cache Storage, so no file is fetched either.",
  'bundled-server': "Bundled copy with the model's entries deleted from Cache Storage first: every file fetched from the app's own server (vite preview on localhost; Playwright's routing disables Chromium's HTTP cache).",
};

/**
 * Where a load's time goes, from the worker's progress stages as they reached the page (medians):
 * the config; the tokenizer, the processor and both towers, loaded at once (ORT's WASM starts
 * with the first session); the warm-up forward and the answer.
 */
function loadPhases(samples: readonly LoadSample[]) {
  const at = (s: LoadSample, stage: string) => s.stages.find((x) => x.stage === stage)?.atMs ?? NaN;
  const phase = (f: (s: LoadSample) => number) => round(median(samples.map(f).filter(Number.isFinite)));
  return {
    unit: 'ms',
    measures: "Medians of the spans between the worker's progress stages, as received by the page: the config (to 'Loading the encoders'), the tokenizer, processor and both towers loaded at once, ORT's WASM start included (to 'Warming up'), warm-up forward + answer (to the resolved load).",
    config: phase((s) => at(s, 'Loading the encoders')),
    encoders: phase((s) => at(s, 'Warming up') - at(s, 'Loading the encoders')),
    warmUpAndAnswer: phase((s) => s.roundTripMs - at(s, 'Warming up')),
  };
}

function loadVariant(samples: readonly LoadSample[], variant: LoadVariant) {
  const mine = samples.filter((s) => s.variant === variant);
  const files = [...new Set(mine.flatMap((s) => s.requests ?? []))];
  return {
    measures: VARIANT_TEXT[variant],
    loadMs: stat(mine.map((s) => s.loadMs), "ModelInfo.loadMs: the worker's own time from reading config.json to the warm-up forward done (tokenizer, processor, both ORT sessions, ORT's WASM start included)."),
    roundTrip: stat(mine.map((s) => s.roundTripMs), 'Main thread: `await client.load(...)` from the call to the resolved promise (the worker already running).'),
    workerStart: stat(mine.map((s) => s.workerStartMs), "`new Worker(...)` to the worker's answer to a first request: its script fetched and run (not part of the two above)."),
    phases: loadPhases(mine),
    modelFileRequests: value(median(mine.map((s) => s.requests?.length ?? 0)), 'requests', `Median number of requests for model files (/models/ or /__hub/) per load, seen by the browser; files: ${files.length ? files.join(', ') : 'none'}.`),
    hubFilesServed: value(mine.reduce((n, s) => n + (s.hubServed?.length ?? 0), 0), 'files', "Files the mirror's own log says it served during these loads, all loads together."),
  };
}

function modelLoads(run: ModelsRun, model: string) {
  const samples = run.loads.filter((s) => s.model === model);
  const by = (v: LoadVariant) => samples.filter((s) => s.variant === v);
  const first = (v: LoadVariant) => {
    const s = run.priming.find((p) => p.model === model && p.variant === v);
    return s && {
      measures: v === 'hub-download' ? VARIANT_TEXT['hub-download'] : "The first bundled load in the context: files fetched from the app's server (and then kept in Cache Storage). One load, for reference.",
      loadMs: value(s.loadMs, 'ms', 'ModelInfo.loadMs'),
      roundTrip: value(s.roundTripMs, 'ms', 'Main-thread round trip of client.load'),
      workerStart: value(s.workerStartMs, 'ms', 'Fresh worker start'),
      filesFetched: value((v === 'hub-download' ? s.hubServed : s.requests)?.length ?? 0, 'files', v === 'hub-download' ? "Files the mirror served (its own log)." : 'Model-file requests the browser made.'),
    };
  };
  const ratio = (a: LoadVariant, b: LoadVariant, what: 'loadMs' | 'roundTripMs') => median(by(a).map((s) => s[what])) / median(by(b).map((s) => s[what]));
  return {
    model,
    hubId: `playground/${model}`,
    loads: samples.length,
    first: { hubDownload: first('hub-download'), bundled: first('bundled-server') },
    hubCache: loadVariant(samples, 'hub-cache'),
    bundledCache: loadVariant(samples, 'bundled-cache'),
    bundledServer: loadVariant(samples, 'bundled-server'),
    samples: samples.map((s) => ({ variant: s.variant, loadMs: round(s.loadMs, 1), roundTripMs: round(s.roundTripMs, 1), workerStartMs: round(s.workerStartMs, 1), modelFileRequests: s.requests?.length ?? 0 })),
    ratios: {
      hubCacheOverBundledCache: value(ratio('hub-cache', 'bundled-cache', 'loadMs'), '×', 'median loadMs, hub path from the cache / bundled copy from the cache'),
      pairedHubCacheOverBundledCache: value(medianPairedRatio(by('hub-cache').map((s) => s.loadMs), by('bundled-cache').map((s) => s.loadMs)), '×', 'median over rounds of the same ratio, each round\'s two loads taken a few seconds apart'),
      hubCacheOverBundledServer: value(ratio('hub-cache', 'bundled-server', 'loadMs'), '×', 'median loadMs, hub path from the cache / bundled copy fetched from the server'),
      bundledCacheOverBundledServer: value(ratio('bundled-cache', 'bundled-server', 'loadMs'), '×', 'median loadMs, bundled copy from the cache / fetched from the server'),
      roundTripHubCacheOverBundledServer: value(ratio('hub-cache', 'bundled-server', 'roundTripMs'), '×', 'the same, main-thread round trips'),
    },
  };
}

function perItem(setup: ModelSetup, series: readonly ModelSeries[], warmup: number) {
  const worst = Math.max(0, ...Object.values(setup.maxAbsDiff));
  const expected = 4 * (setup.singleThreadWorker ? 2 : 1);
  const matched = setup.unmatched.length === 0 && Object.keys(setup.maxAbsDiff).length === expected && worst <= SAME_INPUTS_TOLERANCE;
  const why = setup.unmatched.length
    ? `not measured: the graph wants ${setup.unmatched.join(', ')}, which the worker's path fills in a way this page does not reproduce`
    : `not comparable: the two sides' embeddings differ by up to ${worst} (> ${SAME_INPUTS_TOLERANCE})`;
  const threads = setup.workerThreads;
  return {
    model: setup.model,
    family: setup.family,
    embedDim: setup.embedDim,
    threads: {
      worker: threads,
      singleThreadWorker: setup.singleThreadWorker ? 1 : null,
      direct: setup.directThreads,
      note: "worker: the app's worker, ModelInfo.threads (inference.worker.ts: min(4, cores) when crossOriginIsolated). singleThreadWorker: the same pipeline loaded with `threads: 1`, the like-for-like side. direct: the page's ORT, single-threaded as part (a)'s baseline is on 2 cores (a second multi-threaded ORT pool in the page was seen to slow the worker's answers).",
    },
    outputs: setup.outputs,
    feeds: setup.feeds,
    unmatched: setup.unmatched,
    sameInputsCheck: value(worst, 'absolute', `Largest |worker − direct| embedding difference over ${Object.keys(setup.maxAbsDiff).join(', ') || 'nothing'}; the sides count as fed the same at ≤ ${SAME_INPUTS_TOLERANCE}`),
    inputsMatched: matched,
    sampleCaptions: setup.sampleCaptions,
    series: series.map((s) => {
      const rt = median(s.roundTripMs);
      const rt1 = s.singleRoundTripMs.length ? median(s.singleRoundTripMs) : NaN;
      const direct = s.directMs.length ? median(s.directMs) : NaN;
      const hasDirect = matched && s.directMs.length > 0;
      const hasSingle = s.singleRoundTripMs.length > 0;
      const item = s.tower === 'image' ? 'image' : 'caption';
      const per = (x: number, measures: string) => value(x / s.batch, `ms per ${item}`, measures);
      return {
        name: `${s.tower} × ${s.batch}`,
        tower: s.tower,
        batch: s.batch,
        reps: s.reps,
        warmup,
        perItem: {
          roundTrip: per(rt, `The app's worker (${threads} threads): median main-thread round trip of \`await client.run\` / batch`),
          model: per(median(s.modelMs), "The app's worker: median timing.modelMs (transformers.js model call) / batch"),
          total: per(median(s.totalMs), "The app's worker: median timing.totalMs (preprocessing included) / batch"),
          singleThreadRoundTrip: hasSingle ? per(rt1, 'Worker loaded with threads: 1: median round trip / batch') : null,
          singleThreadModel: hasSingle ? per(median(s.singleModelMs), 'Worker loaded with threads: 1: median timing.modelMs / batch') : null,
          direct: hasDirect ? per(direct, 'Page ORT (1 thread): median `session.run(feeds)` / batch, same feeds') : value(why, 'ms', 'direct ORT'),
        },
        perCall: {
          roundTrip: stat(s.roundTripMs, "The app's worker: main-thread `await client.run(task)` for the whole batch."),
          model: stat(s.modelMs, "The app's worker: timing.modelMs."),
          total: stat(s.totalMs, "The app's worker: timing.totalMs."),
          singleThreadRoundTrip: hasSingle ? stat(s.singleRoundTripMs, 'Worker with threads: 1: round trip.') : null,
          singleThreadModel: hasSingle ? stat(s.singleModelMs, 'Worker with threads: 1: timing.modelMs.') : null,
          direct: s.directMs.length ? stat(s.directMs, "Page: `await session.run(feeds)`, single-threaded, the worker's feeds rebuilt in the page.") : null,
        },
        ratios: hasDirect ? {
          roundTripOverDirect: value(rt / direct, '×', `The app's worker (${threads} threads) round trip / direct ORT (1 thread), medians, interleaved: what the app pays over bare ORT`),
          pairedRoundTripOverDirect: value(medianPairedRatio(s.roundTripMs, s.directMs), '×', 'median over rounds of the same ratio, calls of one round back to back'),
          modelOverDirect: value(median(s.modelMs) / direct, '×', `The app's worker's modelMs / direct (${threads} vs 1 thread)`),
          singleThreadRoundTripOverDirect: hasSingle ? value(rt1 / direct, '×', 'Worker with threads: 1, round trip / direct ORT (1 thread): the pipeline\'s own cost, like for like') : null,
          singleThreadModelOverDirect: hasSingle ? value(median(s.singleModelMs) / direct, '×', "Worker with threads: 1, modelMs / direct: transformers.js' model call vs bare ORT, like for like") : null,
          appThreadsOverSingleThread: hasSingle ? value(median(s.modelMs) / median(s.singleModelMs), '×', `modelMs with the app's ${threads} threads / with 1 thread, interleaved: what the thread count does on this machine now`) : null,
        } : { note: why },
      };
    }),
  };
}

function projection(p: ProjectionRun, entries: readonly LongEntry[], index: number) {
  const s = stat(p.runsMs, `jointMap(images, texts) on ${p.images} + ${p.texts} embeddings of ${p.dim} values (one Float32Array each, as the embedding map passes them), main thread, each call a task of its own`);
  const during = entries.filter((e) => e.type === 'longtask' && p.runs.some((r) => e.start < r.end && e.start + e.duration > r.start));
  const longestTask = during.reduce<LongEntry | null>((a, e) => (a && a.duration >= e.duration ? a : e), null);
  return {
    model: p.model,
    points: p.images + p.texts,
    images: p.images,
    texts: p.texts,
    dim: p.dim,
    embeddings: p.source,
    embeddingTime: value(p.embedMs, 'ms', 'Worker round trips to embed the 1,000 points (batches of 50), summed; not part of the projection time'),
    firstCall: value(p.firstMs, 'ms', index === 0
      ? "The first jointMap call in the page, timed apart: V8 has not compiled jointMap / PCA / the eigen-solver optimised yet, as on the embedding map's first draw in a fresh tab. One call: a single sample."
      : "The first jointMap call on this model's embeddings, timed apart; the code was already warm from the models before. One call: a single sample."),
    firstCallIsColdJit: index === 0,
    runs: s,
    runsMs: p.runsMs.map((v) => round(v, 2)),
    warmup: p.warmup,
    goal: `< ${TASK_GOAL_MS} ms (the app's long-task budget)`,
    medianExceedsBudget: s.median > TASK_GOAL_MS,
    anyRunExceedsBudget: s.max > TASK_GOAL_MS,
    firstCallExceedsBudget: p.firstMs > TASK_GOAL_MS,
    longestTaskDuringRuns: taskValue(longestTask, "Longest 'longtask' entry overlapping a timed jointMap call."),
    explainedVarianceRatio: p.explainedVarianceRatio.map((v) => round(v, 4)),
  };
}

export function modelResults(m: ModelsRun) {
  return {
    d_modelLoadFromCache: {
      about: 'Per bundled model, on WASM, dtype fp32: each load in a FRESH worker (new Worker + InferenceClient, terminated afterwards). A request sent before the load marks when the worker is up, so loadMs and the round trip exclude the worker\'s start, reported apart. The variants rotate from round to round; the first hub load of the run (a real download into the cache) and the first bundled load are reported apart and not in the statistics.',
      rounds: m.options.loadReps,
      hubHost: m.hubHost,
      hubCacheMisses: value(m.hubCacheMisses, 'files', 'Files the mirror served during the timed hub-cache loads (0: every one hit the cache)'),
      models: m.models.map(({ name }) => modelLoads(m, name)),
    },
    e_perItemPipelineVsDirectOrt: {
      about: "Per bundled model, WASM: ms per image and per caption through the worker pipeline as the app runs it (bundled model, the worker's own thread count), through the same pipeline loaded with threads: 1, and through the page's own onnxruntime-web session (1 thread, as part (a)'s baseline) on the same files and the same feeds (built in the page by the worker's code: shrink, the model's processor, its tokenizer with the family's padding). One call per side per round, the order rotated; rounds of all models and series in blocks.",
      reps: m.options.reps,
      warmup: m.options.warmup,
      models: m.setups.map((setup) => perItem(setup, m.series.filter((s) => s.model === setup.model), m.options.warmup)),
    },
    f_projection1000Points: {
      about: `jointMap (src/lib/projection/joint.ts: L2-normalise, PCA to 2-D) on ${m.projections[0]?.images ?? 500} image + ${m.projections[0]?.texts ?? 500} caption embeddings of each bundled model, in the page's main thread as the embedding map runs it.`,
      goal: `< ${TASK_GOAL_MS} ms`,
      models: m.projections.map((p, i) => projection(p, m.longEntries, i)),
    },
  };
}

export interface Meta {
  readonly date: string;
  readonly command: string;
  readonly machine: Record<string, unknown>;
  readonly reps: number;
  readonly warmup: number;
}

export function buildResults(meta: Meta, a: PipelineRun, b: EditsRun, m: ModelsRun) {
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
      ortThreads: {
        direct: a.setup.directThreads,
        worker: a.setup.workerThreads,
        note: "Part (a): worker = ModelInfo.threads (inference.worker.ts sets it: min(4, cores) when crossOriginIsolated, else 1); direct = ORT's own default in the page (min(4, ceil(cores / 2)) when isolated), as when (a) was written. Part (e) measures the same pipeline loaded with threads: 1 as well, for the like-for-like ratio.",
      },
      onnxruntimeWeb: a.setup.ortVersion,
      workerModelLoad: value(a.setup.workerLoadMs, 'ms', "ModelInfo.loadMs: the worker's load of shapes-clip, warm-up forward included"),
      sameInputsCheck: value(Math.max(...Object.values(a.setup.maxAbsDiff)), 'absolute', `Largest |worker − direct| embedding difference over ${Object.keys(a.setup.maxAbsDiff).join(', ')}`),
      bundledModels: m.models.map((x) => ({ name: x.name, modelType: x.modelType, family: m.setups.find((s) => s.model === x.name)?.family ?? null })),
      externalRequests: a.external.length + b.external.length + m.external.length,
      pageErrors: [...a.pageErrors, ...b.pageErrors, ...m.pageErrors],
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
    ...modelResults(m),
  };
}

export type Results = ReturnType<typeof buildResults>;
