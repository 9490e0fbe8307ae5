/**
 * Parts (d), (e) and (f) of the benchmark, Node side, for every bundled model found at run time
 * (a folder of static/models/ with onnx/text_model.onnx and onnx/vision_model.onnx):
 *   (d) load time in a fresh worker: from the browser cache through the hub path (the local
 *       mirror), the bundled copy as the app loads it (also from the cache, see below), and the
 *       bundled copy fetched from the app's server; loads rotate through the three, so the
 *       machine's drift falls on all;
 *   (e) ms per image and per caption through the worker pipeline vs onnxruntime-web called
 *       directly on the same feeds, batches of 8 and 64, interleaved;
 *   (f) jointMap on 500 image + 500 caption embeddings, on the page's main thread.
 * One bench.html page in a fresh browser context (empty Cache Storage, so the first hub load
 * really downloads), in the same browser as parts (a)–(c). Raw samples only; see report.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openApp, startServer } from '../browser/harness';
import type { BundledModel, LoadSample, LoadVariant, LongEntry, ModelSeries, ModelSetup, ProjectionRun, Tower } from './types';

const MODELS = 'static/models';
const BUILT = 'dist/models';
const TIMED: readonly LoadVariant[] = ['hub-cache', 'bundled-cache', 'bundled-server'];
const BATCHES = [8, 64] as const;
const TOWERS: readonly Tower[] = ['image', 'text'];
/** Calls per side and series before rotating to the next series (a multiple of 6: page-models.ts rotates three sides over 6 calls). */
const BLOCK = 24;
export const PROJECTION_POINTS = { images: 500, texts: 500 } as const;

export interface ModelsOptions {
  readonly loadReps: number;
  readonly reps: number;
  readonly warmup: number;
  readonly projectionRuns: number;
  readonly projectionWarmup: number;
}

export interface ModelsRun {
  readonly models: BundledModel[];
  readonly hubHost: string;
  readonly options: ModelsOptions;
  /** First loads in the fresh context: the hub download (fills the cache) and the bundled fetch. */
  readonly priming: LoadSample[];
  readonly loads: LoadSample[];
  /** Hub files the mirror served during each timed hub-cache load (should be none). */
  readonly hubCacheMisses: number;
  readonly setups: ModelSetup[];
  readonly series: ModelSeries[];
  readonly projections: ProjectionRun[];
  readonly longEntries: LongEntry[];
  readonly external: string[];
  readonly pageErrors: string[];
}

const DUAL_ENCODER_TYPES = ['clip', 'mobileclip', 'siglip', 'jina_clip'];

/** Every bundled dual encoder with both towers as ONNX, in static/models/ (and built into dist/). */
export function discoverModels(): BundledModel[] {
  const found: BundledModel[] = [];
  for (const entry of readdirSync(MODELS, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const towers = ['onnx/text_model.onnx', 'onnx/vision_model.onnx'];
    if (!towers.every((f) => existsSync(join(MODELS, entry.name, f)))) continue;
    if (!towers.every((f) => existsSync(join(BUILT, entry.name, f)))) {
      throw new Error(`${entry.name} is in ${MODELS} but not in ${BUILT}: run \`npm run build\` first (npm run bench does)`);
    }
    const config = JSON.parse(readFileSync(join(MODELS, entry.name, 'config.json'), 'utf8')) as { model_type?: string };
    // The forge's Llip and CoCa have towers too, but are not dual encoders the bench can time alike.
    if (!DUAL_ENCODER_TYPES.includes(String(config.model_type))) continue;
    found.push({ name: entry.name, modelType: String(config.model_type ?? 'unknown') });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

type Api = { benchModels: NonNullable<Window['benchModels']>; bench: NonNullable<Window['bench']> };

async function mirror(base: string, path: 'stats' | 'reset'): Promise<string[]> {
  return ((await (await fetch(`${base}__hub/${path}`)).json()) as { served?: string[] }).served ?? [];
}

/** Collects the URLs the page and its workers request, so each load can list its own. */
function requestLog(page: Page) {
  const urls: string[] = [];
  page.context().on('request', (r) => urls.push(r.url()));
  return {
    mark: () => urls.length,
    /** Model files requested since `from` (worker scripts and ORT's files left out). */
    since: async (from: number) => {
      await page.waitForTimeout(50); // events from the worker's target can trail the answer a little
      return urls.slice(from).map((u) => new URL(u).pathname).filter((p) => p.startsWith('/models/') || p.startsWith('/__hub/'));
    },
  };
}

async function load(page: Page, log: ReturnType<typeof requestLog>, base: string, model: string, variant: LoadVariant, hubHost: string) {
  await mirror(base, 'reset');
  const from = log.mark();
  const sample = await page.evaluate(([m, v, h]) => (window as unknown as Api).benchModels.timedLoad(m, v, h), [model, variant, hubHost] as const);
  const requests = await log.since(from);
  const hubServed = await mirror(base, 'stats');
  return { ...sample, requests, hubServed };
}

export async function runModels(models: readonly BundledModel[], options: ModelsOptions, say: (line: string) => void): Promise<ModelsRun> {
  const session = await openApp('bench.html');
  const { page } = session;
  const base = await startServer();
  const hubHost = `${base}__hub/`;
  const log = requestLog(page);
  try {
    await page.waitForFunction(() => (window as unknown as Partial<Api>).benchModels !== undefined, null, { timeout: 60_000 });

    // (d) Priming, in this fresh context: the hub download fills the cache, and one bundled load
    // fetches the bundled files (transformers.js then keeps them in the same cache).
    const priming: LoadSample[] = [];
    for (const { name } of models) {
      say(`(d) ${name}: first hub load (download from the local mirror into the browser cache)…`);
      const hub = await load(page, log, base, name, 'hub-download', hubHost);
      const expected = ['config.json', 'onnx/text_model.onnx', 'onnx/vision_model.onnx'].map((f) => `playground/${name}/${f}`);
      if (!expected.every((f) => hub.hubServed.includes(f))) throw new Error(`(d) ${name}: the first hub load did not download ${expected.join(', ')} (served: ${hub.hubServed.join(', ')})`);
      priming.push(hub);
      priming.push(await load(page, log, base, name, 'bundled-server', hubHost));
    }
    // (d) Timed loads: each in a fresh worker, the three variants in rotating order.
    const loads: LoadSample[] = [];
    for (let rep = 0; rep < options.loadReps; rep++) {
      say(`(d) loads, round ${rep + 1} of ${options.loadReps}: ${models.map((m) => m.name).join(', ')} × ${TIMED.join(' / ')}, a fresh worker each…`);
      for (const { name } of models) {
        for (let k = 0; k < TIMED.length; k++) {
          const variant = TIMED[(rep + k) % TIMED.length];
          loads.push(await load(page, log, base, name, variant, hubHost));
        }
      }
    }
    const hubCacheMisses = loads.filter((l) => l.variant === 'hub-cache').reduce((n, l) => n + (l.hubServed?.length ?? 0), 0);

    // (e) Each model in a worker of its own, and the page's sessions on the same files.
    const setups: ModelSetup[] = [];
    for (const { name } of models) {
      say(`(e) ${name}: loading it in a worker and in the page, building the same feeds for both…`);
      setups.push(await page.evaluate(([m, b]) => (window as unknown as Api).benchModels.prepare(m, b), [name, [...BATCHES]] as const));
    }
    const keys = models.flatMap(({ name }) => BATCHES.flatMap((batch) => TOWERS.map((tower) => ({ model: name, tower, batch }))));
    for (const { model, tower, batch } of keys) {
      say(`(e) warm-up: ${model} ${tower} × ${batch}, ${options.warmup} calls per side…`);
      await page.evaluate(([m, t, b, w]) => (window as unknown as Api).benchModels.measure(m, t, b, 0, w), [model, tower, batch, options.warmup] as const);
    }
    const series = new Map<string, ModelSeries>();
    for (let done = 0; done < options.reps; done += BLOCK) {
      const block = Math.min(BLOCK, options.reps - done);
      say(`(e) interleaved calls ${done + 1}–${done + block} of ${options.reps} per side, all models and series…`);
      for (const { model, tower, batch } of keys) {
        const part = await page.evaluate(([m, t, b, r]) => (window as unknown as Api).benchModels.measure(m, t, b, r, 0), [model, tower, batch, block] as const);
        const key = `${model}:${tower}${batch}`;
        const into = series.get(key);
        series.set(key, into ? {
          ...into,
          reps: into.reps + part.reps,
          roundTripMs: [...into.roundTripMs, ...part.roundTripMs],
          modelMs: [...into.modelMs, ...part.modelMs],
          totalMs: [...into.totalMs, ...part.totalMs],
          singleRoundTripMs: [...into.singleRoundTripMs, ...part.singleRoundTripMs],
          singleModelMs: [...into.singleModelMs, ...part.singleModelMs],
          singleTotalMs: [...into.singleTotalMs, ...part.singleTotalMs],
          directMs: [...into.directMs, ...part.directMs],
          calls: [...into.calls, ...part.calls],
        } : part);
      }
    }

    // (f) The map's projection, per model, with the model's own embeddings.
    const projections: ProjectionRun[] = [];
    for (const { name } of models) {
      say(`(f) ${name}: embedding ${PROJECTION_POINTS.images} images and ${PROJECTION_POINTS.texts} captions, then jointMap × ${options.projectionRuns}…`);
      projections.push(await page.evaluate(
        ([m, i, t, r, w]) => (window as unknown as Api).benchModels.projection(m, i, t, r, w),
        [name, PROJECTION_POINTS.images, PROJECTION_POINTS.texts, options.projectionRuns, options.projectionWarmup] as const,
      ));
      await page.evaluate((m) => (window as unknown as Api).benchModels.release(m), name);
    }
    const longEntries = await page.evaluate(() => (window as unknown as Api).bench.longEntries());
    return {
      models: [...models],
      hubHost,
      options,
      priming,
      loads,
      hubCacheMisses,
      setups,
      series: [...series.values()],
      projections,
      longEntries,
      external: session.external,
      pageErrors: session.pageErrors,
    };
  } finally {
    await session.close();
  }
}
