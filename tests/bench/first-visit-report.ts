/** The "first visit" and "memory" parts of bench-results.json and their tables: a first visit, and memory. */
import os from 'node:os';
import type { MemorySnapshot } from './memory';
import type { VisitSample } from './first-visit';
import { median, medianPairedRatio, round } from './stats';

const MB = (bytes: number) => round(bytes / 1e6, 2);
/** A target that did not answer in time (an ORT thread parked in Atomics.wait) counts 0. */
const known = (bytes: number) => (Number.isFinite(bytes) ? bytes : 0);
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

export interface FirstVisitSummary {
  readonly measures: string;
  readonly loadAverage: { readonly before: string; readonly after: string };
  readonly goalMs: number;
  readonly variants: {
    readonly variant: string;
    readonly loads: number;
    readonly firstMatrixMs: { readonly median: number; readonly min: number; readonly max: number; readonly all: number[] };
    readonly goalMet: boolean;
    readonly devices: string[];
    readonly reason: string;
    /** Median page-clock time at which the runtime first reported each stage. */
    readonly stagesMs: Record<string, number>;
    /** MB on the wire before the first matrix, by kind of file (median over loads), and in all. */
    readonly downloadedMB: Record<string, number>;
    readonly downloadedMBTotal: number;
    /** Same files, decoded. */
    readonly decodedMBTotal: number;
    readonly encodings: Record<string, string>;
    /** How the ORT runtime came over the wire in each load: loads per Content-Encoding. */
    readonly ortWasmEncodings: Record<string, number>;
  }[];
  /** Median over rounds of the default URL's time / each other variant's, loads side by side. */
  readonly defaultOver: Record<string, number>;
}

function byKind(downloads: VisitSample['downloads'], pick: (d: VisitSample['downloads'][number]) => number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of downloads) out[d.kind] = (out[d.kind] ?? 0) + pick(d);
  return out;
}

export function summarizeFirstVisit(samples: readonly VisitSample[], loadBefore: string, goalMs = 2000): FirstVisitSummary {
  const variants = [...new Set(samples.map((s) => s.variant))].map((variant) => {
    const mine = samples.filter((s) => s.variant === variant);
    const times = mine.map((s) => s.firstMatrixMs);
    const kinds = [...new Set(mine.flatMap((s) => s.downloads.map((d) => d.kind)))];
    const perLoad = mine.map((s) => byKind(s.downloads, (d) => d.bytes));
    const stages = [...new Set(mine.flatMap((s) => s.stages.map((x) => x.stage)))];
    const encodings: Record<string, string> = {};
    for (const d of mine[0].downloads) if (d.kind.startsWith('ORT') || d.kind.includes('script')) encodings[d.path.replace(/-[\w-]{8}\./, '.')] = d.encoding;
    return {
      variant: variant || 'default URL',
      loads: mine.length,
      firstMatrixMs: { median: round(median(times), 0), min: round(Math.min(...times), 0), max: round(Math.max(...times), 0), all: times.map((t) => round(t, 0)) },
      goalMet: median(times) < goalMs,
      devices: [...new Set(mine.map((s) => s.device))],
      reason: mine[0].reason,
      stagesMs: Object.fromEntries(stages.map((stage) => [stage, round(median(mine.flatMap((s) => s.stages.filter((x) => x.stage === stage).map((x) => x.at))), 0)])),
      downloadedMB: Object.fromEntries(kinds.map((k) => [k, MB(median(perLoad.map((p) => p[k] ?? 0)))])),
      downloadedMBTotal: MB(median(mine.map((s) => s.downloads.reduce((n, d) => n + d.bytes, 0)))),
      decodedMBTotal: MB(median(mine.map((s) => s.downloads.reduce((n, d) => n + (Number.isFinite(d.decodedBytes) ? d.decodedBytes : d.bytes), 0)))),
      encodings,
      ortWasmEncodings: mine.flatMap((s) => s.downloads.filter((d) => d.kind === 'ORT wasm').map((d) => d.encoding)).reduce<Record<string, number>>((n, e) => ({ ...n, [e]: (n[e] ?? 0) + 1 }), {}),
    };
  });
  const rounds = [...new Set(samples.map((s) => s.round))];
  const pair = (variant: string) => rounds.map((r) => samples.find((s) => s.round === r && s.variant === variant)!.firstMatrixMs);
  return {
    measures: 'navigation → first complete live matrix painted (page clock), cold loads in fresh browser contexts, variants alternated',
    loadAverage: { before: loadBefore, after: load() },
    goalMs,
    variants,
    defaultOver: Object.fromEntries(variants.filter((v) => v.variant !== 'default URL').map((v) => [v.variant, round(medianPairedRatio(pair(''), pair(v.variant)))])),
  };
}

export interface MemorySummary {
  readonly measures: string;
  readonly snapshots: {
    readonly label: string;
    readonly pageJsHeapMB: number;
    readonly inferenceWorkers: { readonly jsHeapMB: number; readonly buffersMB: number }[];
    /** ORT's threads; only those that answered are counted in jsHeapMB (their buffers are the worker's). */
    readonly ortThreads: { readonly count: number; readonly answered: number; readonly jsHeapMB: number };
    readonly totalMB: number;
  }[];
}

export function summarizeMemory(snapshots: readonly MemorySnapshot[]): MemorySummary {
  return {
    measures: 'bytes after a garbage collection in each target (CDP Runtime.getHeapUsage: usedSize = JS heap, backingStorageSize = ArrayBuffers and WebAssembly memory)',
    snapshots: snapshots.map(({ label, targets }) => {
      const page = targets.find((t) => t.kind === 'page')!;
      const threads = targets.filter((t) => t.kind === 'ORT thread');
      const total = targets.reduce((n, t) => n + known(t.jsHeap) + known(t.buffers), 0);
      return {
        label,
        pageJsHeapMB: MB(page.jsHeap),
        inferenceWorkers: targets.filter((t) => t.kind === 'inference worker').map((t) => ({ jsHeapMB: MB(t.jsHeap), buffersMB: MB(t.buffers) })),
        ortThreads: { count: threads.length, answered: threads.filter((t) => Number.isFinite(t.jsHeap)).length, jsHeapMB: MB(threads.reduce((n, t) => n + known(t.jsHeap), 0)) },
        totalMB: MB(total),
      };
    }),
  };
}

export function formatFirstVisit(g: FirstVisitSummary): string {
  const out = [`First visit: ${g.measures}; load ${g.loadAverage.before} → ${g.loadAverage.after}`];
  for (const v of g.variants) {
    out.push(`  ${v.variant} (${v.loads} loads, on ${v.devices.join('/')}): first matrix median ${v.firstMatrixMs.median} ms (min ${v.firstMatrixMs.min}, max ${v.firstMatrixMs.max}); goal < ${g.goalMs} ms ${v.goalMet ? 'met' : 'NOT met'}`);
    out.push(`    why this backend: ${v.reason || '(not said)'}`);
    out.push(`    stages (median ms): ${Object.entries(v.stagesMs).map(([k, t]) => `${k} ${t}`).join(' · ')}`);
    out.push(`    ORT wasm encoding per load: ${Object.entries(v.ortWasmEncodings).map(([e, n]) => `${e} ×${n}`).join(', ')}`);
    out.push(`    downloaded before it: ${v.downloadedMBTotal} MB on the wire (${v.decodedMBTotal} MB decoded): ${Object.entries(v.downloadedMB).map(([k, mb]) => `${k} ${mb}`).join(', ')}`);
  }
  out.push(`  default URL / other variant, median of paired loads: ${Object.entries(g.defaultOver).map(([k, r]) => `${k} ${r}×`).join(', ')}`);
  return out.join('\n');
}

export function formatMemory(h: MemorySummary): string {
  const out = [`Memory: ${h.measures}`];
  for (const s of h.snapshots) {
    const workers = s.inferenceWorkers.map((w) => `${w.jsHeapMB} + ${w.buffersMB}`).join(', ');
    out.push(`  ${s.label}: page JS heap ${s.pageJsHeapMB} MB; inference workers (JS heap + buffers, MB): ${workers || 'none'}; ${s.ortThreads.count} ORT threads (${s.ortThreads.answered} answered) ${s.ortThreads.jsHeapMB} MB; total ${s.totalMB} MB`);
  }
  return out.join('\n');
}
