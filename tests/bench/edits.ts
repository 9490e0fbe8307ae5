/**
 * Part (b) of the benchmark: the real app (index.html?device=wasm), driven as a person drives
 * it (buttons, typing into caption boxes), with tests/bench/app-probe.js watching. For each
 * size N: Clear, "Sample 8" N/8 times, N captions, then edit one caption at a time to a text
 * never seen before (so it must be embedded) and time "captions changed" → "N×N matrix painted".
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openApp, readMatrix, waitForModel } from '../browser/harness';
import { captionInputs, setCaptions, setMode, waitForMatrix } from '../browser/lab';
import { captionText, meanings } from '../../src/lib/shapes';
import type { EditSample, LongEntry, Span } from './types';

export interface EditSeries {
  readonly size: number;
  readonly warmup: number;
  readonly samples: EditSample[];
  /** What the worker computed while the N images and N captions were being set up. */
  readonly setup: SetupWork;
  /** Page clock: the whole size's run (clicks, typing, edits) and the measured edits alone. */
  readonly whole: { readonly start: number; readonly end: number };
  readonly edits: { readonly start: number; readonly end: number };
}

export interface SetupWork {
  readonly images: { readonly requests: number; readonly rows: number };
  readonly texts: { readonly requests: number; readonly rows: number };
}

export interface EditsRun {
  readonly series: EditSeries[];
  readonly longEntries: LongEntry[];
  readonly external: string[];
  readonly pageErrors: string[];
}

interface Probe {
  __vlmBench: {
    arm(rows: number, columns: number): void;
    settle(): Promise<EditSample>;
    longEntries(): LongEntry[];
    spansBetween(start: number, end: number): Span[];
    now(): number;
  };
}

const PROBE = fileURLToPath(new URL('./app-probe.js', import.meta.url));

/** Grammar captions in a mixed order (a stride through all meanings), each handed out once. */
function captionSource(exclude: Iterable<string>): () => string {
  const used = new Set(exclude);
  let k = 0;
  return () => {
    while (k < meanings.length) {
      const text = captionText(meanings[(k++ * 37) % meanings.length]);
      if (!used.has(text)) {
        used.add(text);
        return text;
      }
    }
    throw new Error('ran out of fresh captions');
  };
}

/** Rows the worker embedded, from the answers' descriptions ("result:image-embeds:rows=8:id=12"). */
function embedded(spans: readonly Span[]): SetupWork {
  const count = (kind: string) => spans
    .filter((s) => s.kind === 'message' && s.detail.includes(kind))
    .reduce((acc, s) => ({ requests: acc.requests + 1, rows: acc.rows + Number(/rows=(\d+)/.exec(s.detail)?.[1] ?? 0) }), { requests: 0, rows: 0 });
  return { images: count('image-embeds'), texts: count('text-embeds') };
}

const now = (page: Page) => page.evaluate(() => (window as unknown as Probe).__vlmBench.now());

async function runSize(page: Page, size: number, edits: number, warmup: number, fresh: () => string, log: (line: string) => void): Promise<EditSeries> {
  const wholeStart = await now(page);
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  // exact: each image card has a "Remove Sample 8" button too.
  for (let k = 0; k < size / 8; k++) await page.getByRole('button', { name: 'Sample 8', exact: true }).click();
  const captions = Array.from({ length: size }, fresh);
  await setCaptions(page, captions);
  await setMode(page, 'Cosine similarity');
  await waitForMatrix(page, size, size);
  const setupSpans = await page.evaluate(([from, to]) => (window as unknown as Probe).__vlmBench.spansBetween(from, to), [wholeStart, await now(page)] as const);
  log(`(b) ${size}×${size}: matrix ready; ${warmup} warm-up + ${edits} measured edits…`);

  const inputs = await captionInputs(page);
  const samples: EditSample[] = [];
  let editsStart = 0;
  for (let i = 0; i < warmup + edits; i++) {
    if (i === warmup) editsStart = await now(page);
    const column = (i * 5) % size; // edit different columns, not always the same one
    const text = fresh();
    captions[column] = text;
    await page.evaluate((n) => (window as unknown as Probe).__vlmBench.arm(n, n), size);
    await inputs.nth(column).fill(text);
    const sample = await page.evaluate(() => (window as unknown as Probe).__vlmBench.settle());
    if (i >= warmup) samples.push(sample);
    await page.waitForTimeout(100); // a person's pause; also keeps edits from overlapping
  }
  const editsEnd = await now(page);

  // The matrix must hold what was typed: every caption, in order, embedded.
  const matrix = await readMatrix(page);
  if (matrix.rows.length !== size || matrix.columns.join('\n') !== captions.join('\n')) {
    throw new Error(`(b) ${size}×${size}: the matrix does not show the edited captions`);
  }
  return { size, warmup, samples, setup: embedded(setupSpans), whole: { start: wholeStart, end: editsEnd }, edits: { start: editsStart, end: editsEnd } };
}

export async function runEdits(sizes: readonly number[], edits: number, warmup: number, log: (line: string) => void): Promise<EditsRun> {
  const session = await openApp('?device=wasm#contrastive');
  const { page } = session;
  try {
    // The probe must run before the app's scripts: add it, then load the app again.
    await page.addInitScript({ path: PROBE });
    await page.reload();
    const device = await waitForModel(page);
    if (device !== 'wasm') throw new Error(`(b) the app runs on "${device}", not wasm`);
    const initial = await (await captionInputs(page)).evaluateAll((els) => els.map((el) => (el as HTMLInputElement).value));
    const fresh = captionSource(initial);
    const series: EditSeries[] = [];
    for (const size of sizes) series.push(await runSize(page, size, edits, warmup, fresh, log));
    const longEntries = await page.evaluate(() => (window as unknown as Probe).__vlmBench.longEntries());
    return { series, longEntries, external: session.external, pageErrors: session.pageErrors };
  } finally {
    await session.close();
  }
}
