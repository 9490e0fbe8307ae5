/**
 * Number formats and Markdown pieces shared by the model cards (and the eval tables), so every
 * card prints a share, a count or a size the same way.
 */
import { VARIANTS, type Variant } from '../eval/variants.ts';

/** 0.9734 → "97.3%" */
export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** 150000 → "150,000" */
export const thousands = (n: number) => n.toLocaleString('en');

/**
 * A Markdown table: the header row, its rule, and one row per entry.
 * @example table(['drawn as', 'F1'], [['32 px', '97.3%']]) // "| drawn as | F1 |\n|---|---|\n| 32 px | 97.3% |"
 */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [head, head.map(() => '---'), ...rows].map((cells, i) => (i === 1 ? `|${cells.join('|')}|` : `| ${cells.join(' | ')} |`)).join('\n');
}

/** One table row per drawn variant: its name, then `cells(v)`. */
export function variantRows(cells: (v: Variant) => readonly string[]): string[][] {
  return VARIANTS.map((v) => [v.name, ...cells(v)]);
}

/** The mean of a per-variant measure over the drawn variants. */
export const variantMean = (values: Record<string, number>) => VARIANTS.reduce((s, v) => s + values[v.name], 0) / VARIANTS.length;

/** A card's last section: how to rebuild the model, as a fenced block of commands. */
export function rebuildSection(commands: readonly string[], language = 'sh'): string {
  return ['## Rebuild', '', `\`\`\`${language}`, ...commands, '```', ''].join('\n');
}
