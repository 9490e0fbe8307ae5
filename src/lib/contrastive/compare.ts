/**
 * Comparing two models' matrices over the same images and captions: their difference, whether
 * they pick the same caption for each image (top-1 agreement), and how alike their rankings
 * are (Spearman's rank correlation, per row and over every cell).
 */
import { argmaxRows, type Matrix } from './similarity';

/** B − A, cell by cell (the matrices must have the same shape). */
export function differenceMatrix(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows || a.columns !== b.columns) throw new Error('Matrices of different shapes cannot be compared');
  return { rows: a.rows, columns: a.columns, values: b.values.map((v, k) => v - a.values[k]) };
}

/** Ranks 1…n, ties sharing the mean of the ranks they span. */
export function ranks(values: ArrayLike<number>): number[] {
  const order = Array.from(values, (v, i) => ({ v, i })).sort((p, q) => p.v - q.v);
  const out = new Array<number>(order.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) out[order[k].i] = rank;
    start = end + 1;
  }
  return out;
}

/** Spearman's ρ: the Pearson correlation of the ranks. NaN when either side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error('Spearman needs two series of the same length');
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  const mean = (n + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let k = 0; k < n; k++) {
    cov += (ra[k] - mean) * (rb[k] - mean);
    va += (ra[k] - mean) ** 2;
    vb += (rb[k] - mean) ** 2;
  }
  return va === 0 || vb === 0 ? NaN : cov / Math.sqrt(va * vb);
}

export interface Agreement {
  /** Per image: both models rank the same caption first. */
  readonly top1: readonly boolean[];
  readonly top1Rate: number;
  /** Per image: Spearman's ρ between the two models' scores for its captions. */
  readonly rowSpearman: readonly number[];
  /** Spearman's ρ over every cell of the two matrices. */
  readonly overallSpearman: number;
}

export function agreement(a: Matrix, b: Matrix): Agreement {
  differenceMatrix(a, b); // shape check
  const bestA = argmaxRows(a);
  const bestB = argmaxRows(b);
  const top1 = bestA.map((j, i) => j === bestB[i]);
  const row = (m: Matrix, i: number) => m.values.subarray(i * m.columns, (i + 1) * m.columns);
  return {
    top1,
    top1Rate: top1.length ? top1.filter(Boolean).length / top1.length : NaN,
    rowSpearman: Array.from({ length: a.rows }, (_, i) => spearman(row(a, i), row(b, i))),
    overallSpearman: spearman(a.values, b.values),
  };
}
