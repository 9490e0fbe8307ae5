/**
 * What each lab's thumbnail on the front door shows, read from the lab's own accessible tables
 * (the same numbers the lab displays), or null while the lab has shown none yet. A lab is read
 * only while it is mounted; the explorer's rules need no model and are computed directly.
 */
import { budgetTable } from '../../lib/budget/registry';
import { readNumber, readTable, readText } from '../lessons/course/readings';

export type Thumb =
  | { readonly kind: 'grid'; readonly rows: readonly string[]; readonly columns: readonly string[]; readonly values: readonly (readonly number[])[]; readonly note: string }
  | { readonly kind: 'bars'; readonly labels: readonly string[]; readonly values: readonly number[]; readonly note: string }
  | { readonly kind: 'text'; readonly text: string; readonly value: number; readonly note: string };

type Reader = (root: HTMLElement) => Thumb | null;

const READERS: Readonly<Record<string, Reader>> = {
  contrastive: (root) => {
    const table = readTable(root, 'matrix-table');
    if (!table) return null;
    const mode = root.querySelector('[data-testid="matrix-table"] caption')?.textContent?.split(':')[0] ?? '';
    return { kind: 'grid', ...table, note: mode };
  },
  llip: (root) => {
    const table = readTable(root, 'llip-weights');
    if (!table) return null;
    // One row per caption: the mean of its heads' weights (the table lists each head).
    const captions = [...new Set(table.rows)];
    const values = captions.map((c) => {
      const rows = table.values.filter((_, r) => table.rows[r] === c);
      return rows[0].map((_, m) => rows.reduce((s, row) => s + row[m], 0) / rows.length);
    });
    return { kind: 'grid', rows: captions, columns: values[0].map((_, m) => `m${m + 1}`), values, note: 'mixture-token weights per caption (mean of the heads)' };
  },
  masking: (root) => {
    const itm = readNumber(root, 'itm');
    const caption = root.querySelector('[data-testid="reconstruction"]')?.getAttribute('data-caption');
    return itm === null || !caption ? null : { kind: 'text', text: caption, value: itm, note: 'image–text match probability' };
  },
  generative: (root) => {
    const text = readText(root, 'caption-text');
    const first = readTable(root, 'alternatives')?.values[0]?.[0];
    return text === null || first === undefined ? null : { kind: 'text', text, value: first, note: 'probability of the token shown' };
  },
  backbone: (root) => {
    const text = readText(root, 'answer-text');
    const first = readTable(root, 'answer-alternatives')?.values[0]?.[0];
    return text === null || first === undefined ? null : { kind: 'text', text, value: first, note: 'probability of the token shown' };
  },
  tokens: (root) => {
    const figure = root.querySelector('[data-testid="tokenized"]');
    const codes = figure?.getAttribute('data-codes');
    const error = Number(figure?.getAttribute('data-error'));
    if (!codes || !Number.isFinite(error)) return null;
    const list = codes.split(',');
    return { kind: 'text', text: `${figure!.getAttribute('data-label') ?? 'the image'}: ${list.length} codes, ${new Set(list).size} distinct`, value: error, note: 'mean error of the image rebuilt from its codes (of 255 levels)' };
  },
  probes: (root) => {
    const cells = [...root.querySelectorAll<HTMLElement>('[data-testid="probe-table"] [data-group]')];
    if (cells.length === 0) return null;
    return { kind: 'bars', labels: cells.map((c) => `${c.dataset.model} · ${c.dataset.suite}`), values: cells.map((c) => Number(c.dataset.group)), note: 'group score per model and suite' };
  },
};

/** The live thumbnail of a mounted lab, or null. */
export function readThumbnail(lab: string): Thumb | null {
  const root = document.getElementById(lab);
  const reader = READERS[lab];
  return root && reader ? reader(root) : null;
}

export const hasReader = (lab: string) => lab in READERS;

/** The explorer's thumbnail: the visual tokens each architecture spends on a 1920 × 1080 photo. */
export function budgetThumbnail(): Thumb {
  const rows = budgetTable({ width: 1920, height: 1080 }).filter((r) => r.budget);
  return { kind: 'bars', labels: rows.map((r) => r.architecture.name), values: rows.map((r) => r.budget!.visualTokens), note: 'visual tokens for a 1920 × 1080 photo' };
}
