/**
 * The symmetric eigen-solver against the closed-form 3 × 3 solution and against its own
 * defining identities (A v = λ v, Vᵀ V = I, Σ λ = trace) on larger matrices.
 */
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../src/lib/projection/eigen';

function stream(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647 - 0.5;
  };
}

function expectEigenpairs(a: Float64Array, n: number, digits: number): void {
  const { values, vectors } = symmetricEigen(a, n);
  const column = (c: number) => Array.from({ length: n }, (_, r) => vectors[r * n + c]);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, digits);
  for (let c = 0; c < n; c++) {
    if (c > 0) expect(values[c]).toBeLessThanOrEqual(values[c - 1]);
    const v = column(c);
    for (let r = 0; r < n; r++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += a[r * n + k] * v[k];
      expect(av).toBeCloseTo(values[c] * v[r], digits);
    }
    for (let other = 0; other < n; other++) {
      const w = column(other);
      expect(v.reduce((s, x, k) => s + x * w[k], 0)).toBeCloseTo(c === other ? 1 : 0, 12);
    }
  }
}

describe('symmetricEigen', () => {
  it('gives the documented 2 × 2 example', () => {
    const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(Array.from(values).map((v) => +v.toFixed(12))).toEqual([3, 1]);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0] * vectors[2]).toBeCloseTo(0.5, 12); // (1, 1) direction
  });

  it('agrees with the closed-form (trigonometric) eigenvalues of a 3 × 3 matrix', () => {
    const m = [[4, 1, 2], [1, 3, 0], [2, 0, 5]];
    // det(B) / 2 with B = (A − qI) / p, q = trace / 3: the characteristic cubic solved by angle.
    const q = 4;
    const p = Math.sqrt((0 + 1 + 1 + 2 * (1 + 4 + 0)) / 6);
    const b = m.map((r, i) => r.map((v, j) => (v - (i === j ? q : 0)) / p));
    const det = b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1]) - b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0]) + b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0]);
    const angle = Math.acos(det / 2) / 3;
    const expected = [0, 1, 2].map((k) => q + 2 * p * Math.cos(angle + (2 * Math.PI * k) / 3)).sort((x, y) => y - x);
    const { values } = symmetricEigen(new Float64Array(m.flat()), 3);
    Array.from(values).forEach((v, k) => expect(v).toBeCloseTo(expected[k], 12));
    expectEigenpairs(new Float64Array(m.flat()), 3, 12);
  });

  it('satisfies A v = λ v with orthonormal vectors on a random 40 × 40 matrix and a rank-2 Gram matrix', () => {
    const random = stream(11);
    const n = 40;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random();
    expectEigenpairs(a, n, 10);
    // Twelve points in a plane: a Gram matrix with ten zero eigenvalues.
    const points = Array.from({ length: 12 }, () => [random(), random()]);
    const gram = new Float64Array(144);
    points.forEach((u, i) => points.forEach((w, j) => (gram[i * 12 + j] = u[0] * w[0] + u[1] * w[1])));
    expectEigenpairs(gram, 12, 12);
    const { values } = symmetricEigen(gram, 12);
    for (let k = 2; k < 12; k++) expect(Math.abs(values[k])).toBeLessThan(1e-14);
  });

  it('handles diagonal, repeated, zero and tiny matrices', () => {
    expect(Array.from(symmetricEigen(new Float64Array([1, 0, 0, 0, 3, 0, 0, 0, 2]), 3).values)).toEqual([3, 2, 1]);
    expectEigenpairs(new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3, 14);
    const zero = symmetricEigen(new Float64Array(9), 3);
    expect(Array.from(zero.values)).toEqual([0, 0, 0]);
    expect(Array.from(zero.vectors).every(Number.isFinite)).toBe(true);
    expect(Array.from(symmetricEigen(new Float64Array([-2.5]), 1).values)).toEqual([-2.5]);
    expect(symmetricEigen(new Float64Array(0), 0).values).toHaveLength(0);
  });
});
