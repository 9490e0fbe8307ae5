/**
 * `npm run bench` (after `npm run build`): serves dist/ with `vite preview` through the
 * browser tests' harness, drives Debian's headless Chromium on WASM, and writes
 * bench-results.json at the repo root.
 *   (a) worker pipeline vs onnxruntime-web called directly, same inputs, interleaved (pipeline.ts)
 *   (b) caption edited → matrix painted in the real app, 16×16 and 64×64 (edits.ts)
 *   (c) the longest main-thread task during both (long tasks + the benchmark's own spans)
 * This is not a test: it never fails on a missed goal, it reports it. It fails only when it
 * cannot measure (a page error, an external request, a matrix that does not show the edit).
 *
 * Options (environment): BENCH_REPS (default 200), BENCH_WARMUP (50), BENCH_EDITS (20).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { stopAll } from '../browser/harness';
import { runEdits } from './edits';
import { runPipeline } from './pipeline';
import { buildResults } from './report';
import { formatResults } from './table';

const REPS = Number(process.env.BENCH_REPS ?? 200);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 50);
const EDITS = Number(process.env.BENCH_EDITS ?? 20);
const EDIT_WARMUP = 3;
const OUTPUT = 'bench-results.json';

const log = (line: string) => console.log(`[bench] ${line}`);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = load();
  log(`load average (1, 5, 15 min): ${loadAtStart} on ${os.cpus().length} cores`);
  let results;
  try {
    const a = await runPipeline(REPS, WARMUP, log);
    const b = await runEdits([16, 64], EDITS, EDIT_WARMUP, log);
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
        loadAverageAtEnd: load(),
        durationS: Math.round((Date.now() - started) / 1000),
      },
    }, a, b);
  } finally {
    await stopAll();
  }
  writeFileSync(OUTPUT, `${JSON.stringify(results, null, 1)}\n`);
  console.log(`\n${formatResults(results)}\n`);
  log(`wrote ${OUTPUT}`);
  const { externalRequests, pageErrors } = results.conditions;
  if (externalRequests > 0 || pageErrors.length > 0) {
    console.error(`[bench] invalid run: ${externalRequests} external requests, page errors: ${pageErrors.join(' | ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
