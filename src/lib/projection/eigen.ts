/**
 * Every eigenpair of a small dense symmetric matrix: Householder reduction to tridiagonal
 * form, then the implicit QL algorithm (EISPACK tred2 / tql2, as in JAMA and Numerical
 * Recipes). About 9 size³ flops, a fixed sequence of operations (deterministic), accurate to
 * a few ulp of ‖A‖ whatever the spacing of the eigenvalues. Cyclic Jacobi gives the same
 * answers but takes ~10 sweeps of ~6 size³ flops: on a 256 × 256 Gram matrix (128 images and
 * 128 captions) 0.74 s against 0.08 s here, measured in Node.
 */

export interface SymmetricEigen {
  /** Eigenvalues, largest first (earlier original index first on a tie): `[size]`. */
  readonly values: Float64Array;
  /** Unit eigenvectors as the columns, in the order of `values`: `[size, size]` row-major. */
  readonly vectors: Float64Array;
}

/**
 * @example
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * values;  // Float64Array [2]: [3, 1]
 * vectors; // Float64Array [2, 2], columns ±(1, 1)/√2 and ±(1, −1)/√2
 */
export function symmetricEigen(matrix: ArrayLike<number>, size: number): SymmetricEigen {
  const n = size;
  const v = Float64Array.from({ length: n * n }, (_, i) => matrix[i]);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    tridiagonalise(v, d, e, n);
    diagonalise(v, d, e, n);
  }
  const order = Array.from(d.keys()).sort((a, b) => d[b] - d[a] || a - b);
  const values = Float64Array.from(order, (k) => d[k]);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) order.forEach((k, c) => (vectors[r * n + c] = v[r * n + k]));
  return { values, vectors };
}

/** Householder reduction: on return `d` is the diagonal, `e` the subdiagonal (e[0] = 0), `v` the accumulated transform. */
function tridiagonalise(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    // Scaled to avoid underflow and overflow.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j] * d[k];
          e[k] += v[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL with shifts on the tridiagonal (d, e); eigenvectors accumulate in `v`. */
function diagonalise(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let largest = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    // The first negligible subdiagonal entry at or after l splits the matrix there.
    largest = Math.max(largest, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * largest) m++;
    if (m > l) {
      // Converges in 1–3 iterations per eigenvalue; the cap only guards against a pathological input.
      for (let iteration = 0; iteration < 100 && Math.abs(e[l]) > eps * largest; iteration++) {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            h = v[k * n + i + 1];
            v[k * n + i + 1] = s * v[k * n + i] + c * h;
            v[k * n + i] = c * v[k * n + i] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}
