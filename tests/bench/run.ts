/**
 * `npm run bench` (after `vite build --mode bench`): serves dist-bench/ with `vite preview` through the
 * browser tests' harness, drives Debian's headless Chromium on WASM, and writes
 * bench-results.json at the repo root.
 *   (a) worker pipeline vs onnxruntime-web called directly, same inputs, interleaved (pipeline.ts)
 *   (b) caption edited → matrix painted in the real app, 16×16 and 64×64 (edits.ts)
 *   (c) the longest main-thread task during both (long tasks + the benchmark's own spans)
 *   (d) per bundled model (every static/models/ folder with both towers as ONNX): load time in a
 *       fresh worker from the browser cache (hub path and bundled copy) vs fetched (models.ts)
 *   (e) per model: ms per image and per caption, worker pipeline vs direct ORT, interleaved
 *   (f) per model: jointMap (the embedding map's PCA) on 500 + 500 real embeddings, main thread
 *   (h) CoCa's decoding step with and without the key/value cache, positions 2 and 16 (decoding.ts)
 *   (j) shapes-clip's towers untapped, tapped (attention added as outputs) and as exported: load and call time (tap.ts)
 *   (k) shapes-smolvlm answering through the worker: time to the first token, per token at positions 2 and 16 (vlm.ts)
 *   (m) the Probe lab: items per second of every suite on every bundled model, the frame rate while suites run (probes.ts)
 *   (l) shapes-cm3 drawing: a cached step at codes 2 and 62, a whole 64-code image through the worker (tokens.ts)
 *   (g) dragging in the composer at 60 moves a second: frame rate against idle, pointer move →
 *       matrix row drawn; each lab's longest main-thread task while it is used (interactions.ts)
 *   (i) the image-to-token explorer's width slider dragged: the whole table's recompute, the growth
 *       sweep and input → settled on the main thread, as shares of a 60 Hz frame (budget.ts)
 *   first visit: cold loads of the default URL and ?device=wasm, navigation → first live matrix,
 *       the backend and why, the bytes downloaded before it (first-visit.ts)
 *   memory: the page's JS heap and each worker's memory after visiting every lab, then after
 *       unloading the labs' models (memory.ts)
 * All on WASM; WebGPU is never measured (here it is a software adapter).
 * It serves its own build (`vite build --mode bench` → dist-bench/, with bench.html), not dist/.
 * This is not a test: it never fails on a missed goal, it reports it. It fails only when it
 * cannot measure (a page error, an external request, a matrix that does not show the edit).
 *
 * Options (environment): BENCH_REPS (default 200), BENCH_WARMUP (50), BENCH_EDITS (20),
 * BENCH_LOAD_ROUNDS (8), BENCH_MODEL_REPS (96), BENCH_MODEL_WARMUP (20),
 * BENCH_PROJECTION_RUNS (15), BENCH_VISITS (5), BENCH_DECODING_REPS (200), BENCH_DECODING_WARMUP (30),
 * BENCH_BASELINE_DIST (a folder holding an earlier `npm run build`: the first-visit part then
 * loads that build's default URL in the same rounds, for a before/after side by side),
 * BENCH_BUDGET_STEPS (200).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { serveBuild, stopAll } from '../browser/harness';
import { runFirstVisit } from './first-visit';
import { formatFirstVisit, formatMemory, summarizeFirstVisit, summarizeMemory } from './first-visit-report';
import { runMemory } from './memory';
import { runEdits } from './edits';
import { discoverModels, runModels } from './models';
import { runPipeline } from './pipeline';
import { buildResults } from './report';
import { formatResults } from './table';
import { formatTap, runTap, TAP_LOAD_ROUNDS, TAP_REPS, type TapRun } from './tap';
import { formatVlm, runVlm, VLM_ROUNDS, VLM_WARMUP, type VlmRun } from './vlm';
import { formatProbes, PROBE_ITEMS, runProbes, type ProbesRun } from './probes';
import { formatTokens, runTokens, TOKENS_IMAGES, TOKENS_REPS, type TokensRun } from './tokens';
import { DECODING_REPS, DECODING_WARMUP, formatDecoding, runDecoding, type DecodingRun } from './decoding';
import { formatInteractions, runInteractions, type InteractionsRun } from './interactions';
import { formatBudget, runBudget, type BudgetRun } from './budget';

const REPS = Number(process.env.BENCH_REPS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const EDITS = Number(process.env.BENCH_EDITS ?? 20);
const EDIT_WARMUP = 3;
const MODEL_OPTIONS = {
  loadReps: Number(process.env.BENCH_LOAD_ROUNDS ?? 8),
  reps: Number(process.env.BENCH_MODEL_REPS ?? 96),
  warmup: Number(process.env.BENCH_MODEL_WARMUP ?? 20),
  projectionRuns: Number(process.env.BENCH_PROJECTION_RUNS ?? 15),
  projectionWarmup: 3,
};
const VISITS = Number(process.env.BENCH_VISITS ?? 5);
const OUTPUT = 'bench-results.json';
const DRAG_ROUNDS = Number(process.env.BENCH_DRAG_ROUNDS ?? 3);
const DRAG_MOVES = Number(process.env.BENCH_DRAG_MOVES ?? 120);

const log = (line: string) => console.log(`[bench] ${line}`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  serveBuild('bench');
  const started = Date.now();
  const loadAtStart = load();
  log(`load average (1, 5, 15 min): ${loadAtStart} on ${os.cpus().length} cores`);
  const models = discoverModels();
  log(`bundled models with both towers as ONNX: ${models.map((m) => `${m.name} (${m.modelType})`).join(', ')}`);
  const loadAverages: Record<string, string> = {};
  const part = (name: string) => {
    loadAverages[name] = load();
    log(`load average before ${name}: ${loadAverages[name]}`);
  };
  // The 1-minute load average every 10 s, for the whole run: the machine is shared.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(os.loadavg()[0]), 10_000);
  let results;
  let visits;
  let decoding: DecodingRun | undefined;
  let interactions: InteractionsRun | undefined;
  let budget: BudgetRun | undefined;
  let tap: TapRun | undefined;
  let vlm: VlmRun | undefined;
  let probes: ProbesRun | undefined;
  let tokens: TokensRun | undefined;
  try {
    part('first visit');
    const firstVisit = summarizeFirstVisit(await runFirstVisit(VISITS, log, process.env.BENCH_BASELINE_DIST), loadAverages['first visit']);
    part('memory');
    visits = { firstVisit, memory: summarizeMemory(await runMemory(log)) };
    part('(a)');
    const a = await runPipeline(REPS, WARMUP, log);
    part('(b)');
    const b = await runEdits([16, 64], EDITS, EDIT_WARMUP, log);
    part('(d)–(f)');
    const m = await runModels(models, MODEL_OPTIONS, log);
    part('(h)');
    decoding = await runDecoding(DECODING_REPS, DECODING_WARMUP, log);
    part('(g)');
    interactions = await runInteractions([{ name: 'this build', url: '' }, { name: 'this build, every lab opened', url: '', labsOpened: true }], DRAG_ROUNDS, DRAG_MOVES, log);
    part('(i)');
    budget = await runBudget(Number(process.env.BENCH_BUDGET_STEPS ?? 200), log);
    part('(j)');
    tap = await runTap(TAP_LOAD_ROUNDS, TAP_REPS, log);
    part('(k)');
    vlm = await runVlm(VLM_ROUNDS, VLM_WARMUP, log);
    part('(m)');
    probes = await runProbes(PROBE_ITEMS, log);
    part('(l)');
    tokens = await runTokens(TOKENS_REPS, TOKENS_IMAGES, log);
    results = buildResults({
      date: new Date().toISOString(),
      command: 'npm run bench',
      reps: REPS,
      warmup: WARMUP,
      machine: {
        os: `${os.type()} ${os.release()} (${os.platform()} ${os.arch()})`,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        cpuCount: os.cpus().length,
        memoryGB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        loadAverageAtStart: loadAtStart,
        loadAverageBeforeEachPart: loadAverages,
        loadAverageAtEnd: load(),
        loadAverage1MinDuringRun: samples.length ? {
          every: '10 s',
          n: samples.length,
          min: Math.min(...samples),
          median: [...samples].sort((x, y) => x - y)[samples.length >> 1],
          max: Math.max(...samples),
        } : null,
        durationS: Math.round((Date.now() - started) / 1000),
      },
    }, a, b, m);
  } finally {
    clearInterval(sampler);
    await stopAll();
  }
  writeFileSync(OUTPUT, `${JSON.stringify({ ...results, decoding, interactions, budget, tap, vlm, probes, tokens, ...visits }, null, 1)}\n`);
  console.log(`\n${formatResults(results)}\n\n${decoding ? formatDecoding(decoding) : ''}\n`);
  if (interactions) console.log(`${formatInteractions(interactions)}\n`);
  if (budget) console.log(`${formatBudget(budget)}\n`);
  if (tap) console.log(`${formatTap(tap)}\n`);
  if (vlm) console.log(`${formatVlm(vlm)}\n`);
  if (probes) console.log(`${formatProbes(probes)}\n`);
  if (tokens) console.log(`${formatTokens(tokens)}\n`);
  if (visits) console.log(`${formatFirstVisit(visits.firstVisit)}\n${formatMemory(visits.memory)}\n`);
  log(`wrote ${OUTPUT}`);
  const externalRequests = results.conditions.externalRequests + (decoding?.external.length ?? 0) + (interactions?.external.length ?? 0) + (budget?.external.length ?? 0) + (tap?.external.length ?? 0) + (vlm?.external.length ?? 0) + (probes?.external.length ?? 0) + (tokens?.external.length ?? 0);
  const pageErrors = [...results.conditions.pageErrors, ...(decoding?.pageErrors ?? []), ...(interactions?.pageErrors ?? []), ...(budget?.pageErrors ?? []), ...(tap?.pageErrors ?? []), ...(vlm?.pageErrors ?? []), ...(probes?.pageErrors ?? []), ...(tokens?.pageErrors ?? [])];
  if (externalRequests > 0 || pageErrors.length > 0) {
    console.error(`[bench] invalid run: ${externalRequests} external requests, page errors: ${pageErrors.join(' | ')}`);
    process.exitCode = 1;
  }
}

// The build this run serves: another process rebuilding dist-bench/ meanwhile (another bench run)
// renames the worker's chunk, and the next fresh worker fails to start.
const built = () => readFileSync('dist-bench/bench.html', 'utf8') + readFileSync('dist-bench/index.html', 'utf8');
const buildAtStart = built();

main().catch((error: unknown) => {
  console.error(error);
  if (built() !== buildAtStart) console.error('[bench] dist-bench/ was rebuilt by another process during the run: run `npm run bench` again when no other build is running.');
  process.exit(1);
});
