/**
 * The first-visit part of the benchmark alone, on the production build (after `npm run build`):
 * `npx tsx tests/bench/first-visit-run.ts`. Five rounds of cold loads of each variant
 * (BENCH_VISITS sets how many), the machine's 1-minute load average sampled every 5 s.
 * BENCH_BASELINE_DIST=<another build's dist/> adds that build's default URL to the same rounds.
 * BENCH_VISIT_VARIANTS=default,#contrastive loads only those variants (default: all of them).
 * Writes bench-first-visit.json.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { stopAll } from '../browser/harness';
import { runFirstVisit } from './first-visit';
import { formatFirstVisit, summarizeFirstVisit } from './first-visit-report';

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const before = load();
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(os.loadavg()[0]), 5_000);
  try {
    const only = process.env.BENCH_VISIT_VARIANTS?.split(',').map((v) => (v === 'default' ? '' : v));
    const visits = await runFirstVisit(Number(process.env.BENCH_VISITS ?? 5), (line) => console.log(line), process.env.BENCH_BASELINE_DIST, only);
    const summary = summarizeFirstVisit(visits, before);
    const during = [...samples].sort((a, b) => a - b);
    const machine = { cpuCount: os.cpus().length, loadAverage1MinDuringRun: samples };
    writeFileSync('bench-first-visit.json', `${JSON.stringify({ date: new Date().toISOString(), machine, summary, visits }, null, 1)}\n`);
    console.log(`\n${formatFirstVisit(summary)}\nload average (1 min): ${before.split(' ')[0]} at start, median ${during[during.length >> 1]} and at most ${during.at(-1)} during the run (every 5 s)\n`);
  } finally {
    clearInterval(sampler);
    await stopAll(); // the app's preview server
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
