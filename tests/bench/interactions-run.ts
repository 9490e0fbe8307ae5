/**
 * Part (g) of the benchmark alone (after `npm run build`): `npx tsx tests/bench/interactions-run.ts`.
 * Writes bench-interactions.json with the machine's load before, during and after.
 * BENCH_DRAG_MOVES (default 120) pointer moves in the measured drag.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { stopAll } from '../browser/harness';
import { formatInteractions, runInteractions } from './interactions';

const MOVES = Number(process.env.BENCH_DRAG_MOVES ?? 120);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const loadAtStart = load();
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(os.loadavg()[0]), 5_000);
  try {
    const run = await runInteractions(MOVES, (line) => console.log(`[bench] ${line}`));
    const machine = { cpuCount: os.cpus().length, loadAverageAtStart: loadAtStart, loadAverageAtEnd: load(), loadAverage1MinDuringRun: samples };
    writeFileSync('bench-interactions.json', `${JSON.stringify({ date: new Date().toISOString(), machine, ...run }, null, 1)}\n`);
    console.log(`\n${formatInteractions(run)}\nload average (1, 5, 15 min) at start ${loadAtStart}, at end ${machine.loadAverageAtEnd}\n`);
    if (run.external.length > 0 || run.pageErrors.length > 0) {
      console.error(`[bench] invalid run: ${run.external.length} external requests, page errors: ${run.pageErrors.join(' | ')}`);
      process.exitCode = 1;
    }
  } finally {
    clearInterval(sampler);
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
