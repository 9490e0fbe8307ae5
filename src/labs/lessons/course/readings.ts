/**
 * Reads the numbers a lab shows from its accessible tables (the same cells a screen reader and
 * a copy-paste get): the lessons' checks and the front door's thumbnails use these, so both rest
 * on exactly what the page displays. Each reader returns null while its table is not there.
 */

export interface TableReading {
  readonly columns: readonly string[];
  readonly rows: readonly string[];
  /** Row-major, from each cell's `data-value` (full precision). */
  readonly values: readonly (readonly number[])[];
}

const byTestId = (root: ParentNode, id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`);

/**
 * A table whose header row names its columns, whose rows start with a `<th>` and whose numeric
 * cells carry `data-value`: the Contrastive lab's matrix, Llip's weights, the alternatives.
 */
export function readTable(root: ParentNode, testid: string): TableReading | null {
  const table = byTestId(root, testid);
  if (!table) return null;
  const columns = [...table.querySelectorAll('thead th')].slice(1).map((th) => th.textContent?.trim() ?? '');
  const body = [...table.querySelectorAll('tbody tr')];
  if (body.length === 0) return null;
  const rows = body.map((tr) => tr.querySelector('th')?.textContent?.trim() ?? '');
  const values = body.map((tr) => [...tr.querySelectorAll('td[data-value]')].map((td) => Number(td.getAttribute('data-value'))));
  if (values.some((row) => row.some((v) => !Number.isFinite(v)))) return null;
  return { columns, rows, values };
}

/** The number an element shows as its text (`loss-total`, `scale-value`, `itm`, …). */
export function readNumber(root: ParentNode, testid: string): number | null {
  const text = byTestId(root, testid)?.textContent?.trim();
  if (!text) return null;
  const value = Number(text.replace(/[^0-9eE.+-]/g, ''));
  return Number.isFinite(value) ? value : null;
}

export function readText(root: ParentNode, testid: string): string | null {
  const text = byTestId(root, testid)?.textContent?.trim();
  return text ? text : null;
}

/** True while some image of the shared inputs is still being embedded. */
export function imagesPending(root: ParentNode): boolean {
  return root.querySelector('[data-testid="image-card"][data-status="pending"]') !== null;
}

/**
 * The Contrastive lab's matrix once it is settled on exactly these captions (a column keeps its
 * previous caption until the new one is embedded) and this logit scale (shown to 2 decimals).
 */
export function settledMatrix(root: ParentNode, expect: { captions?: readonly string[]; scale?: number; rows?: number } = {}): TableReading | null {
  if (imagesPending(document)) return null;
  const matrix = readTable(root, 'matrix-table');
  if (!matrix) return null;
  if (expect.captions && JSON.stringify(matrix.columns) !== JSON.stringify(expect.captions)) return null;
  if (expect.rows !== undefined && matrix.rows.length !== expect.rows) return null;
  if (expect.scale !== undefined) {
    const scale = readNumber(root, 'scale-value');
    if (scale === null || Math.abs(scale - expect.scale) > 0.006) return null;
  }
  return matrix;
}

/** Points of an embedding map's table (`embedding-table`): kind, label and 2-D position. */
export function readMapPoints(root: ParentNode): { kind: string; label: string; x: number; y: number }[] | null {
  const table = byTestId(root, 'embedding-table');
  if (!table) return null;
  const points = [...table.querySelectorAll('tbody tr')].map((tr) => {
    const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '');
    return { kind: cells[0], label: cells[2], x: Number(cells[3]), y: Number(cells[4]) };
  });
  return points.length > 0 && points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y)) ? points : null;
}

/** Index of the largest value. */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k] > values[best]) best = k;
  return best;
}

/** A number for a sentence: 3 significant digits. */
export const show = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
