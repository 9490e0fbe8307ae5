/**
 * Part (g) of the benchmark alone (after `npm run build`): `npx tsx tests/bench/interactions-run.ts`.
 * Writes bench-interactions.json with the machine's load before, during and after.
 *
 * To compare with another build side by side (say the app before a change), build it into a
 * folder and name it: BENCH_BEFORE_ROOT=<its source tree> BENCH_BEFORE_DIST=<its build>; its
 * drag rounds are interleaved with this build's.
 * BENCH_MORE="name=<build>;name=<build>" adds more builds of this tree (variants of a change), each under its name.
 * BENCH_ONE_THREAD=1 adds this build with ORT on one WASM thread (`?threads=1`) as a third variant.
 * BENCH_DRAG_MOVES (default 120) pointer moves per drag, BENCH_DRAG_ROUNDS (default 3) per build;
 * BENCH_DRAG_ONLY=1 skips the labs' traced interactions; BENCH_LABS_OPENED=1 adds, for each build,
 * drags after every other lab was opened once (mounted and hidden, reading the same images).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { preview, type PreviewServer } from 'vite';
import { stopAll } from '../browser/harness';
import { formatInteractions, runInteractions, type Variant } from './interactions';

const MOVES = Number(process.env.BENCH_DRAG_MOVES ?? 120);
const ROUNDS = Number(process.env.BENCH_DRAG_ROUNDS ?? 3);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** Serves another build with its own tree's Vite config (the same headers as the app's). */
async function serveOther(root: string, outDir: string): Promise<{ server: PreviewServer; url: string }> {
  const server = await preview({ root, build: { outDir }, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

async function main(): Promise<void> {
  const loadAtStart = load();
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(os.loadavg()[0]), 5_000);
  const { BENCH_BEFORE_ROOT: root, BENCH_BEFORE_DIST: dist } = process.env;
  const other = root && dist ? await serveOther(root, dist) : null;
  // More builds of the same tree, each named: BENCH_MORE="name=<its build>;name=<its build>".
  const more = await Promise.all((process.env.BENCH_MORE ?? '').split(';').filter(Boolean).map(async (entry) => {
    const [name, outDir] = entry.split('=');
    return { name, ...(await serveOther(process.cwd(), outDir)) };
  }));
  const builds: Variant[] = [
    ...(other ? [{ name: 'before', url: other.url }] : []),
    ...more.map((m) => ({ name: m.name, url: m.url })),
    { name: 'this build', url: '' },
    ...(process.env.BENCH_ONE_THREAD === '1' ? [{ name: 'this build, 1 WASM thread', url: '', query: '&threads=1' }] : []),
  ];
  const variants = process.env.BENCH_LABS_OPENED === '1' ? builds.flatMap((b) => [b, { ...b, name: `${b.name}, every lab opened`, labsOpened: true }]) : builds;
  try {
    const run = await runInteractions(variants, ROUNDS, MOVES, (line) => console.log(`[bench] ${line}`), process.env.BENCH_DRAG_ONLY !== '1');
    const machine = { cpuCount: os.cpus().length, loadAverageAtStart: loadAtStart, loadAverageAtEnd: load(), loadAverage1MinDuringRun: samples };
    writeFileSync('bench-interactions.json', `${JSON.stringify({ date: new Date().toISOString(), machine, ...run }, null, 1)}\n`);
    const during = [...samples].sort((a, b) => a - b);
    console.log(`\n${formatInteractions(run)}\nload average (1 min): ${loadAtStart.split(' ')[0]} at start, median ${during[during.length >> 1]} and at most ${during.at(-1)} during the run (every 5 s), on ${os.cpus().length} cores\n`);
    if (run.external.length > 0 || run.pageErrors.length > 0) {
      console.error(`[bench] invalid run: ${run.external.length} external requests, page errors: ${run.pageErrors.join(' | ')}`);
      process.exitCode = 1;
    }
  } finally {
    clearInterval(sampler);
    await other?.server.close();
    for (const m of more) await m.server.close();
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
