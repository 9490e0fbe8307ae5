/**
 * PCA against references worked out another way: a rotated ellipse whose axes and variances
 * are known analytically, and a 3-D cloud whose covariance eigenvalues come from the
 * closed-form (trigonometric) solution of the characteristic cubic, not from an iteration.
 */
import { describe, expect, it } from 'vitest';
import { pca, type Pca } from '../../src/lib/projection/pca';

const row = (a: Float64Array, i: number, width: number) => Array.from(a.subarray(i * width, (i + 1) * width));
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

/** A deterministic stream in [-0.5, 0.5) (Park–Miller), so the clouds are the same every run. */
function stream(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647 - 0.5;
  };
}

function expectOrthonormal(result: Pca): void {
  for (let a = 0; a < result.k; a++) {
    for (let b = 0; b < result.k; b++) {
      expect(dot(row(result.components, a, result.dim), row(result.components, b, result.dim))).toBeCloseTo(a === b ? 1 : 0, 12);
    }
  }
}

function expectSignConvention(result: Pca): void {
  for (let c = 0; c < result.k; c++) {
    const axis = row(result.components, c, result.dim);
    const largest = axis.reduce((best, v, j) => (Math.abs(v) > Math.abs(axis[best]) ? j : best), 0);
    expect(axis[largest]).toBeGreaterThan(0);
  }
}

function expectFinite(result: Pca): void {
  for (const values of [result.scores, result.components, result.mean, result.explainedVariance, result.explainedVarianceRatio]) {
    expect(Array.from(values).every(Number.isFinite)).toBe(true);
  }
}

/**
 * K points evenly spaced on an ellipse with semi-axes a > b, rotated by φ and shifted, then
 * placed in `dim` dimensions by an orthogonal (Householder) map. Over K ≥ 3 even steps
 * Σ cos² = Σ sin² = K / 2 and Σ cos·sin = 0, so the principal axes are the ellipse's axes with
 * variances a²K / (2(K − 1)) and b²K / (2(K − 1)).
 */
function rotatedEllipse(count: number, a: number, b: number, phi: number, dim: number) {
  const w = Array.from({ length: dim }, (_, j) => 1 + j * 0.37);
  const ww = dot(w, w);
  // Column c of the Householder matrix I − 2wwᵀ/(wᵀw).
  const column = (c: number) => w.map((wj, j) => (j === c ? 1 : 0) - (2 * wj * w[c]) / ww);
  const [e0, e1] = [column(0), column(1)];
  const lift = (u: number, v: number) => e0.map((x, j) => 3 + 0.5 * j + u * x + v * e1[j]);
  const data = new Float64Array(count * dim);
  for (let t = 0; t < count; t++) {
    const angle = (2 * Math.PI * t) / count;
    const [u, v] = [a * Math.cos(angle), b * Math.sin(angle)];
    data.set(lift(u * Math.cos(phi) - v * Math.sin(phi), u * Math.sin(phi) + v * Math.cos(phi)), t * dim);
  }
  const major = e0.map((x, j) => Math.cos(phi) * x + Math.sin(phi) * e1[j]);
  const minor = e0.map((x, j) => -Math.sin(phi) * x + Math.cos(phi) * e1[j]);
  return { data, major, minor, variances: [(a * a * count) / (2 * (count - 1)), (b * b * count) / (2 * (count - 1))] };
}

/** Eigenvalues of a symmetric 3 × 3 matrix, largest first, by the trigonometric solution of its cubic. */
function eigenvalues3(m: readonly number[][]): number[] {
  const p1 = m[0][1] ** 2 + m[0][2] ** 2 + m[1][2] ** 2;
  const q = (m[0][0] + m[1][1] + m[2][2]) / 3;
  const p = Math.sqrt(((m[0][0] - q) ** 2 + (m[1][1] - q) ** 2 + (m[2][2] - q) ** 2 + 2 * p1) / 6);
  const b = m.map((r, i) => r.map((v, j) => (v - (i === j ? q : 0)) / p));
  const det = b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1]) - b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0]) + b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0]);
  const angle = Math.acos(Math.min(1, Math.max(-1, det / 2))) / 3;
  const largest = q + 2 * p * Math.cos(angle);
  const smallest = q + 2 * p * Math.cos(angle + (2 * Math.PI) / 3);
  return [largest, 3 * q - largest - smallest, smallest];
}

describe('pca on a rotated ellipse (axes known analytically)', () => {
  for (const [route, dim, count] of [['scatter XᵀX (n > dim)', 2, 24], ['Gram X Xᵀ (n ≤ dim)', 40, 24]] as const) {
    it(`finds the axes and variances by the ${route} route`, () => {
      const { data, major, minor, variances } = rotatedEllipse(count, 3, 1, 0.6, dim);
      const result = pca(data, count, dim);
      expect(result.k).toBe(2);
      expect(Math.abs(dot(row(result.components, 0, dim), major))).toBeCloseTo(1, 10);
      expect(Math.abs(dot(row(result.components, 1, dim), minor))).toBeCloseTo(1, 10);
      expect(result.explainedVariance[0]).toBeCloseTo(variances[0], 10);
      expect(result.explainedVariance[1]).toBeCloseTo(variances[1], 10);
      // The ellipse is flat, so the two components hold all of it: a² / (a² + b²) and b² / (a² + b²).
      expect(result.explainedVarianceRatio[0]).toBeCloseTo(0.9, 12);
      expect(result.explainedVarianceRatio[1]).toBeCloseTo(0.1, 12);
      expectOrthonormal(result);
      expectSignConvention(result);
    });
  }

  it('puts the point at angle 0 at ±a on the first axis and 0 on the second', () => {
    const { data } = rotatedEllipse(12, 3, 1, 0.6, 5);
    const result = pca(data, 12, 5);
    expect(Math.abs(result.scores[0])).toBeCloseTo(3, 10);
    expect(result.scores[1]).toBeCloseTo(0, 10);
  });
});

describe('pca on a 3-D cloud (closed-form covariance eigenvalues)', () => {
  const random = stream(7);
  const n = 60;
  const data = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const [u, v, w] = [random() * 4, random() * 2, random() * 0.5];
    // Correlated coordinates, so no axis is a coordinate axis.
    data.set([u + 0.3 * v + 1, 0.5 * u - v + 0.2 * w - 2, 0.2 * u + w + 0.5], i * 3);
  }
  const mean = [0, 1, 2].map((j) => Array.from({ length: n }, (_, i) => data[i * 3 + j]).reduce((s, v) => s + v, 0) / n);
  const covariance = [0, 1, 2].map((a) =>
    [0, 1, 2].map((b) => Array.from({ length: n }, (_, i) => (data[i * 3 + a] - mean[a]) * (data[i * 3 + b] - mean[b])).reduce((s, v) => s + v, 0) / (n - 1)),
  );
  const eigen = eigenvalues3(covariance);

  it('projects with the variance of the top eigenvalues', () => {
    const result = pca(data, n, 3);
    expect(result.explainedVariance[0]).toBeCloseTo(eigen[0], 10);
    expect(result.explainedVariance[1]).toBeCloseTo(eigen[1], 10);
    const total = eigen[0] + eigen[1] + eigen[2];
    expect(result.explainedVarianceRatio[0]).toBeCloseTo(eigen[0] / total, 12);
    expect(result.explainedVarianceRatio[1]).toBeCloseTo(eigen[1] / total, 12);
    for (let j = 0; j < 3; j++) expect(result.mean[j]).toBeCloseTo(mean[j], 12);
  });

  it('returns orthonormal eigenvectors of the covariance (C v = λ v) and scores (x − mean) · v', () => {
    const result = pca(data, n, 3, 3);
    expectOrthonormal(result);
    expectSignConvention(result);
    for (let c = 0; c < 3; c++) {
      const v = row(result.components, c, 3);
      const cv = covariance.map((r) => dot(r, v));
      cv.forEach((value, j) => expect(value).toBeCloseTo(eigen[c] * v[j], 10));
    }
    for (let i = 0; i < n; i++) {
      const centred = [0, 1, 2].map((j) => data[i * 3 + j] - mean[j]);
      for (let c = 0; c < 3; c++) expect(result.scores[i * 3 + c]).toBeCloseTo(dot(centred, row(result.components, c, 3)), 10);
    }
    const ratios = Array.from(result.explainedVarianceRatio);
    expect(ratios.reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1 + 1e-12);
    expect(ratios.every((r, c) => r >= 0 && (c === 0 || r <= ratios[c - 1]))).toBe(true);
  });

  it('is unchanged by mirroring the data or reordering the rows (the sign convention)', () => {
    const result = pca(data, n, 3);
    const mirrored = pca(data.map((v) => -v), n, 3);
    const reversed = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) reversed.set(data.subarray((n - 1 - i) * 3, (n - i) * 3), i * 3);
    const reordered = pca(reversed, n, 3);
    for (let j = 0; j < 6; j++) {
      expect(mirrored.components[j]).toBeCloseTo(result.components[j], 12);
      expect(reordered.components[j]).toBeCloseTo(result.components[j], 12);
    }
    for (let j = 0; j < n * 2; j++) expect(mirrored.scores[j]).toBeCloseTo(-result.scores[j], 12);
    expect(reordered.scores[0]).toBeCloseTo(result.scores[(n - 1) * 2], 12);
  });
});

describe('pca edge cases', () => {
  it('gives the documented example', () => {
    const result = pca(new Float64Array([2, 0, 0, -2, 0, 0, 0, 1, 0, 0, -1, 0]), 4, 3);
    expect(Array.from(result.scores)).toEqual([2, 0, -2, 0, 0, 1, 0, -1]);
    expect(Array.from(result.components)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(Array.from(result.explainedVarianceRatio).map((r) => +r.toFixed(12))).toEqual([0.8, 0.2]);
  });

  it('handles no rows and one row without NaN', () => {
    for (const n of [0, 1]) {
      const result = pca(new Float64Array([0.3, -0.2, 0.9]).subarray(0, n * 3), n, 3);
      expectFinite(result);
      expectOrthonormal(result);
      expect(Array.from(result.scores)).toEqual(new Array(n * 2).fill(0));
      expect(Array.from(result.explainedVarianceRatio)).toEqual([0, 0]);
    }
  });

  it('puts two rows on the first axis, half their distance either side', () => {
    const result = pca(new Float64Array([1, 2, 3, 4, 6, 3]), 2, 3);
    expectFinite(result);
    expectOrthonormal(result);
    expect(Array.from(result.components.subarray(0, 3)).map((v) => +v.toFixed(12))).toEqual([0.6, 0.8, 0]);
    expect(result.scores[0]).toBeCloseTo(-2.5, 12);
    expect(result.scores[2]).toBeCloseTo(2.5, 12);
    expect([result.scores[1], result.scores[3]]).toEqual([0, 0]);
    expect(Array.from(result.explainedVarianceRatio)).toEqual([1, 0]);
  });

  it('gives identical rows (float32, not exactly representable) zero scores and zero variance', () => {
    const data = new Float32Array(Array.from({ length: 5 }, () => [0.1, 0.7, -0.3, 1e-3]).flat());
    const result = pca(data, 5, 4);
    expectFinite(result);
    expectOrthonormal(result);
    expect(Array.from(result.scores)).toEqual(new Array(10).fill(0));
    expect(Array.from(result.explainedVariance)).toEqual([0, 0]);
    expect(Array.from(result.explainedVarianceRatio)).toEqual([0, 0]);
    expect(result.mean[1]).toBe(Math.fround(0.7));
  });

  it('clamps k to the dimension and refuses shapes the data cannot hold, and NaN', () => {
    const result = pca(new Float64Array([1, 2, 3, 5]), 4, 1, 2);
    expect(result.k).toBe(1);
    expect(Array.from(result.components)).toEqual([1]);
    expect(() => pca(new Float64Array(5), 2, 3)).toThrow(/cannot hold/);
    expect(() => pca(new Float64Array(0), 0, 0)).toThrow(/bad shape/);
    expect(() => pca(new Float64Array([1, Number.NaN]), 1, 2)).toThrow(/value 1 is NaN/);
  });

  it('is deterministic: the same input twice gives bit-identical output', () => {
    const random = stream(3);
    const data = new Float32Array(30 * 64).map(() => random());
    const [first, second] = [pca(data, 30, 64), pca(data, 30, 64)];
    expect(Array.from(second.scores)).toEqual(Array.from(first.scores));
    expect(Array.from(second.components)).toEqual(Array.from(first.components));
  });
});
