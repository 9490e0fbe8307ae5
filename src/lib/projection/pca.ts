/**
 * Principal component analysis of a few embeddings, for maps a person reads.
 *
 * Why the eigen-decomposition of the smaller of X Xᵀ and XᵀX (X the centred rows): a map
 * holds tens to a few hundred points of hundreds of dimensions (n ≪ dim), so the Gram matrix
 * X Xᵀ is small and XᵀX (dim × dim) need never be formed; with more points than dimensions
 * XᵀX is the smaller. Both have the same non-zero eigenvalues, and an eigenvector u of X Xᵀ
 * gives the axis Xᵀu. A full symmetric eigen-solver (./eigen.ts) rather than power iteration
 * with deflation: it is exact to rounding when the top eigenvalues are close (where power
 * iteration stalls or mixes the two axes), needs no random start, and at these sizes costs
 * milliseconds.
 */
import { symmetricEigen } from './eigen';

export interface Pca {
  /** Each row projected on the components: `[n, k]` row-major. */
  readonly scores: Float64Array;
  /** The principal axes, unit length and mutually orthogonal: `[k, dim]` row-major. */
  readonly components: Float64Array;
  /** The mean row that was subtracted: `[dim]`. */
  readonly mean: Float64Array;
  /** Variance along each component (sum of squared scores / (n − 1)): `[k]`. */
  readonly explainedVariance: Float64Array;
  /** Each component's share of the total variance: `[k]`, summing to ≤ 1; all 0 when the rows are identical. */
  readonly explainedVarianceRatio: Float64Array;
  readonly n: number;
  readonly dim: number;
  readonly k: number;
}

/**
 * Components carrying less than this share of the total variance are rounding noise (the
 * second axis of two points, say): their scores are 0 and their axis is any unit vector
 * orthogonal to the others.
 */
const NEGLIGIBLE_SHARE = 1e-10;

/**
 * PCA of `n` rows of `dim` values to `k` components (at most `dim`).
 *
 * Deterministic: each component's largest-magnitude loading is made positive (the first such
 * index on a tie), so the same input gives the same map, not a mirrored one. Handles n = 0,
 * 1 and 2 and identical rows without NaN: directions with no variance get scores 0.
 *
 * @example
 * // Four points in 3-D that vary mostly along x: data is `[n = 4, dim = 3]` row-major.
 * const result = pca(new Float64Array([2, 0, 0, -2, 0, 0, 0, 1, 0, 0, -1, 0]), 4, 3);
 * result.scores;                 // Float64Array [n = 4, k = 2]: [2, 0, -2, 0, 0, 1, 0, -1]
 * result.components;             // Float64Array [k = 2, dim = 3]: [1, 0, 0, 0, 1, 0]
 * result.explainedVarianceRatio; // Float64Array [k = 2]: [0.8, 0.2]
 */
export function pca(data: ArrayLike<number>, n: number, dim: number, k = 2): Pca {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim < 1) throw new Error(`pca: bad shape [${n}, ${dim}]`);
  if (data.length < n * dim) throw new Error(`pca: ${data.length} values cannot hold [${n}, ${dim}]`);
  for (let i = 0; i < n * dim; i++) if (!Number.isFinite(data[i])) throw new Error(`pca: value ${i} is ${data[i]}`);
  const count = Math.max(0, Math.min(Math.floor(k), dim));
  const { centred, mean } = centre(data, n, dim);
  let total = 0;
  for (const v of centred) total += v * v;

  const axes = total > 0 ? principalAxes(centred, n, dim, count, total) : [];
  const components = new Float64Array(count * dim);
  const real: boolean[] = [];
  for (let c = 0; c < count; c++) {
    const fitted = orthogonalise(axes[c] ?? null, components, c, dim);
    real.push(fitted !== null);
    const axis = fitted ?? basisVector(components, c, dim);
    signByLargestLoading(axis);
    components.set(axis, c * dim);
  }

  const scores = new Float64Array(n * count);
  const explainedVariance = new Float64Array(count);
  const explainedVarianceRatio = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    if (!real[c]) continue;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += centred[i * dim + j] * components[c * dim + j];
      scores[i * count + c] = dot;
      squares += dot * dot;
    }
    explainedVariance[c] = squares / Math.max(n - 1, 1);
    explainedVarianceRatio[c] = Math.min(1, squares / total);
  }
  return { scores, components, mean, explainedVariance, explainedVarianceRatio, n, dim, k: count };
}

/**
 * Rows minus their mean. Shifting by the first row before averaging keeps identical rows at
 * exactly zero (a plain mean can differ from them in the last bit) and loses less precision.
 */
function centre(data: ArrayLike<number>, n: number, dim: number): { centred: Float64Array; mean: Float64Array } {
  const centred = new Float64Array(n * dim);
  const mean = new Float64Array(dim);
  if (n === 0) return { centred, mean };
  for (let j = 0; j < dim; j++) {
    const shift = data[j];
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[i * dim + j] - shift;
    const offset = sum / n;
    mean[j] = shift + offset;
    for (let i = 0; i < n; i++) centred[i * dim + j] = data[i * dim + j] - shift - offset;
  }
  return { centred, mean };
}

/** Unit axes of the top `count` non-negligible eigenvalues, largest first (maybe fewer than `count`). */
function principalAxes(x: Float64Array, n: number, dim: number, count: number, total: number): Float64Array[] {
  const gram = n <= dim;
  const size = gram ? n : dim;
  // Gram: G[a][b] = row a · row b. Scatter: S[a][b] = column a · column b.
  const matrix = new Float64Array(size * size);
  for (let a = 0; a < size; a++) {
    for (let b = a; b < size; b++) {
      let dot = 0;
      if (gram) for (let j = 0; j < dim; j++) dot += x[a * dim + j] * x[b * dim + j];
      else for (let i = 0; i < n; i++) dot += x[i * dim + a] * x[i * dim + b];
      matrix[a * size + b] = dot;
      matrix[b * size + a] = dot;
    }
  }
  const { values, vectors } = symmetricEigen(matrix, size);
  const axes: Float64Array[] = [];
  for (let e = 0; e < Math.min(count, size); e++) {
    if (values[e] <= NEGLIGIBLE_SHARE * total) break;
    const axis = new Float64Array(dim);
    // An eigenvector u of X Xᵀ maps to the axis Xᵀu (normalised below); of XᵀX it is the axis.
    if (gram) for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) axis[j] += x[i * dim + j] * vectors[i * size + e];
    else for (let j = 0; j < dim; j++) axis[j] = vectors[j * size + e];
    axes.push(axis);
  }
  return axes;
}

/** `axis` made orthogonal to the first `count` components and unit length; null if nothing is left of it. */
function orthogonalise(axis: Float64Array | null, components: Float64Array, count: number, dim: number): Float64Array | null {
  if (axis === null) return null;
  const out = Float64Array.from(axis);
  const before = norm(out);
  // Twice: one pass of Gram–Schmidt can leave rounding-sized overlaps ("twice is enough").
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < count; c++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += out[j] * components[c * dim + j];
      for (let j = 0; j < dim; j++) out[j] -= dot * components[c * dim + j];
    }
  }
  const after = norm(out);
  if (!(after > 1e-8 * before)) return null;
  for (let j = 0; j < dim; j++) out[j] /= after;
  return out;
}

/**
 * An axis for a direction without variance: the standard basis vector that keeps most of
 * its length once made orthogonal to the components so far (at least √((dim − count) / dim)
 * of it, so the result is well conditioned).
 */
function basisVector(components: Float64Array, count: number, dim: number): Float64Array {
  let best = 0;
  let bestLeft = -Infinity;
  for (let j = 0; j < dim; j++) {
    let left = 1;
    for (let c = 0; c < count; c++) left -= components[c * dim + j] ** 2;
    if (left > bestLeft + 1e-12) {
      best = j;
      bestLeft = left;
    }
  }
  const e = new Float64Array(dim);
  e[best] = 1;
  const axis = orthogonalise(e, components, count, dim);
  if (axis === null) throw new Error('pca: no direction left (more components than dimensions)');
  return axis;
}

function norm(v: Float64Array): number {
  let squares = 0;
  for (const x of v) squares += x * x;
  return Math.sqrt(squares);
}

function signByLargestLoading(axis: Float64Array): void {
  let best = 0;
  for (let j = 1; j < axis.length; j++) if (Math.abs(axis[j]) > Math.abs(axis[best])) best = j;
  if (axis[best] < 0) for (let j = 0; j < axis.length; j++) axis[j] = -axis[j];
}
