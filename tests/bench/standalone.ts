/**
 * Runs one bench part on its own (`npx tsx tests/bench/<part>.ts`): serves the bench build, runs
 * the part, writes its JSON beside the machine's load, prints its table, and fails the run when a
 * request left localhost or the page threw, so a number from a broken page is never reported.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { serveBuild, stopAll } from '../browser/harness';

export interface StandaloneRun {
  readonly external: readonly unknown[];
  readonly pageErrors: readonly string[];
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** True when `file` (a part's own name, `tap.ts`) is the script node was started with. */
export function startedAs(file: string): boolean {
  return Boolean(process.argv[1] && resolve(process.argv[1]).endsWith(file));
}

export function runStandalone<R extends StandaloneRun>(
  name: string,
  run: (log: (line: string) => void) => Promise<R>,
  format: (result: R) => string,
): void {
  const main = async () => {
    const loadAtStart = loadAverage();
    serveBuild('bench');
    try {
      const result = await run((line) => console.log(`[bench] ${line}`));
      const machine = { cpuCount: os.cpus().length, loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage() };
      writeFileSync(`bench-${name}.json`, `${JSON.stringify({ date: new Date().toISOString(), machine, ...result }, null, 1)}\n`);
      console.log(`\n${format(result)}\nload average (1, 5, 15 min) at start ${loadAtStart}, at end ${machine.loadAverageAtEnd}\n`);
      if (result.external.length > 0 || result.pageErrors.length > 0) {
        console.error(`[bench] invalid run: ${result.external.length} external requests, page errors: ${result.pageErrors.join(' | ')}`);
        process.exitCode = 1;
      }
    } finally {
      await stopAll();
    }
  };
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
