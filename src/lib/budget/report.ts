/**
 * What the explorer's figures show, as numbers: the table as CSV, the growth of each row's
 * count with resolution (a sweep of sizes at one aspect ratio), and the tiles of one budget.
 */
import { prefillFlops, type LanguageModelShape, LLAMA_7B_SHAPE } from './cost';
import { budgetTable, type TableRow } from './registry';
import { expandedText } from './sequence';
import type { Budget, KnobValues, Size } from './types';

function field(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of fields as CSV text with a header line. */
export function csv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/**
 * The table for one size as CSV: one line per architecture, refusals with their reason.
 * @example tableCsv(budgetTable({ width: 224, height: 224 }), { width: 224, height: 224 }).split('\n')[1] // 'llava-1.5,LLaVA-1.5,llava-hf/llava-1.5-7b-hf,224,224,336,336,1,1,1,576,0,…'
 */
export function tableCsv(rows: readonly TableRow[], size: Size, shape: LanguageModelShape = LLAMA_7B_SHAPE): string {
  return csv(
    ['id', 'architecture', 'checkpoint', 'image_width', 'image_height', 'resized_width', 'resized_height', 'grid_rows', 'grid_cols', 'encoder_passes', 'visual_tokens', 'marker_tokens', 'prefill_flops', 'refusal'],
    rows.map(({ architecture: a, budget: b, refusal }) => [
      a.id, a.name, a.checkpoint, size.width, size.height,
      b?.resized.width ?? null, b?.resized.height ?? null, b?.grid.rows ?? null, b?.grid.cols ?? null, b?.encoderPasses ?? null,
      b?.visualTokens ?? null, b?.markerTokens ?? null, b ? prefillFlops(b.visualTokens + b.markerTokens, shape) : null, refusal,
    ]),
  );
}

export interface GrowthSeries {
  /** The long side of each size of the sweep. */
  readonly longSides: readonly number[];
  readonly sizes: readonly Size[];
  /** Per architecture id, visual tokens at each size (null: the processor refuses it). */
  readonly tokens: Readonly<Record<string, readonly (number | null)[]>>;
}

/**
 * Visual tokens of every architecture as the image grows at a fixed aspect ratio: long sides
 * from `from` to `to`, `steps` of them spaced evenly on a log scale, the short side rounded.
 */
export function growthSeries(aspect: Size, knobs: KnobValues, from = 112, to = 4096, steps = 48): GrowthSeries {
  const longSides: number[] = [];
  const sizes: Size[] = [];
  const tokens: Record<string, (number | null)[]> = {};
  const wide = aspect.width >= aspect.height;
  const ratio = Math.min(aspect.width, aspect.height) / Math.max(aspect.width, aspect.height);
  for (let k = 0; k < steps; k++) {
    const long = Math.round(from * (to / from) ** (k / (steps - 1)));
    const short = Math.max(1, Math.round(long * ratio));
    const size = wide ? { width: long, height: short } : { width: short, height: long };
    longSides.push(long);
    sizes.push(size);
    for (const row of budgetTable(size, knobs)) (tokens[row.architecture.id] ??= []).push(row.budget?.visualTokens ?? null);
  }
  return { longSides, sizes, tokens };
}

export function growthCsv(series: GrowthSeries, names: Readonly<Record<string, string>>): string {
  const ids = Object.keys(series.tokens);
  return csv(['width', 'height', ...ids.map((id) => names[id] ?? id)], series.sizes.map((s, k) => [s.width, s.height, ...ids.map((id) => series.tokens[id][k])]));
}

/** One budget's views (tiles and global view) and its prompt, as CSV. */
export function tilesCsv(budget: Budget): string {
  const rows: (string | number)[][] = budget.tiles.map((t) => ['tile', t.row, t.col, t.x, t.y, t.width, t.height]);
  if (budget.global) rows.push([budget.global.label, 0, 0, '', '', budget.global.width, budget.global.height]);
  return csv(['view', 'row', 'col', 'x', 'y', 'width', 'height'], rows) + `\nprompt\n${field(expandedText(budget.sequence))}\n`;
}
