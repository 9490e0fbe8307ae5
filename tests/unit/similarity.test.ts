/** The contrastive lab's math against values worked out by hand. */
import { describe, expect, it } from 'vitest';
import {
  affineMatrix, argmaxColumns, argmaxRows, cosineMatrix, diagonalPairs, infoNce, matrixAt, normalizeRows, scaleMatrix, sigmoidLoss, sigmoidMatrix,
  softmaxColumns, softmaxRows,
  type Matrix,
} from '../../src/lib/contrastive/similarity';

const matrix = (rows: number[][]): Matrix => ({ rows: rows.length, columns: rows[0].length, values: new Float64Array(rows.flat()) });
const toRows = (m: Matrix) => Array.from({ length: m.rows }, (_, i) => Array.from({ length: m.columns }, (_, j) => matrixAt(m, i, j)));
const e = Math.E;

type Values = readonly (number | null)[] | readonly (readonly (number | null)[])[];
function expectClose(actual: Values, expected: Values, digits = 12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const b = expected[i];
    if (Array.isArray(a) && Array.isArray(b)) expectClose(a as Values, b as Values, digits);
    else if (a === null || b === null) expect(a).toBe(b);
    else expect(a as number).toBeCloseTo(b as number, digits);
  });
}

describe('normalizeRows and cosineMatrix', () => {
  it('divides rows by their L2 norm and keeps zero rows zero', () => {
    const out = normalizeRows([3, 4, 0, 0, 0, -2], 3, 2);
    expectClose(Array.from(out), [0.6, 0.8, 0, 0, 0, -1]);
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
  });

  it('computes cosines of hand-worked vectors', () => {
    // images [1,0], [3,4], [0,0]; texts [1,1], [4,3], [-1,0]
    const m = cosineMatrix([1, 0, 3, 4, 0, 0], 3, [1, 1, 4, 3, -1, 0], 3, 2);
    expect([m.rows, m.columns]).toEqual([3, 3]);
    expectClose(toRows(m), [
      [1 / Math.SQRT2, 4 / 5, -1], // [1,0]·[1,1]/√2 = 0.7071…; [1,0]·[4,3]/5 = 0.8
      [7 / (5 * Math.SQRT2), 24 / 25, -3 / 5], // (3+4)/(5√2); (12+12)/25; −3/5
      [0, 0, 0], // zero image: no direction
    ]);
    expect(matrixAt(m, 0, 0)).toBeCloseTo(0.70710678, 8);
  });

  it('ignores vector length, and a vector with itself is 1', () => {
    const m = cosineMatrix([2, -1, 5], 1, [20, -10, 50], 1, 3);
    expect(matrixAt(m, 0, 0)).toBeCloseTo(1, 12);
  });

  it('scales logits without touching the input', () => {
    const m = matrix([[0.5, -0.25]]);
    expect(Array.from(scaleMatrix(m, 100).values)).toEqual([50, -25]);
    expect(Array.from(m.values)).toEqual([0.5, -0.25]);
  });
});

describe('softmax', () => {
  it('softmaxRows of [[1,0],[0,1]] gives e/(e+1) and 1/(e+1)', () => {
    const p = softmaxRows(matrix([[1, 0], [0, 1]]));
    expectClose(toRows(p), [[e / (e + 1), 1 / (e + 1)], [1 / (e + 1), e / (e + 1)]]);
  });

  it('softmaxRows of a 2 × 3 matrix: rows sum to 1 and match by hand', () => {
    const p = toRows(softmaxRows(matrix([[0, Math.log(2), Math.log(5)], [3, 3, 3]])));
    // exp: 1, 2, 5 → /8
    expectClose(p, [[1 / 8, 2 / 8, 5 / 8], [1 / 3, 1 / 3, 1 / 3]]);
    for (const r of p) expect(r.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('survives large logits without overflow', () => {
    const p = toRows(softmaxRows(matrix([[1000, 1000 + Math.log(3)]])));
    expectClose(p, [[1 / 4, 3 / 4]]);
  });

  it('softmaxColumns: columns sum to 1 and match by hand', () => {
    const p = toRows(softmaxColumns(matrix([[0, 1, 7], [Math.log(3), 1, 7], [-Infinity, 1, 7]])));
    // column 0: exp 1, 3, 0 → /4; columns 1 and 2: uniform over 3
    expectClose(p, [[1 / 4, 1 / 3, 1 / 3], [3 / 4, 1 / 3, 1 / 3], [0, 1 / 3, 1 / 3]]);
    for (let j = 0; j < 3; j++) expect(p[0][j] + p[1][j] + p[2][j]).toBeCloseTo(1, 12);
  });
});

describe('argmax', () => {
  it('finds the largest of each row and column, the first on ties', () => {
    const m = matrix([[0.1, 0.9, 0.3], [0.8, 0.2, 0.8], [-1, -2, -0.5]]);
    expect(argmaxRows(m)).toEqual([1, 0, 2]);
    expect(argmaxColumns(m)).toEqual([1, 0, 1]);
  });
});

describe('infoNce', () => {
  it('for [[1,0],[0,1]] every loss is log(1 + e^-1) ≈ 0.31326', () => {
    const loss = infoNce(matrix([[1, 0], [0, 1]]), [0, 1]);
    const expected = Math.log(1 + Math.exp(-1));
    expect(expected).toBeCloseTo(0.31326, 5);
    expectClose(loss.rows, [expected, expected]);
    expectClose(loss.columns, [expected, expected]);
    expect(loss.imageToText).toBeCloseTo(expected, 12);
    expect(loss.textToImage).toBeCloseTo(expected, 12);
    expect(loss.total).toBeCloseTo(expected, 12);
  });

  it('2 images × 3 texts, paired on the diagonal', () => {
    const loss = infoNce(matrix([[2, 0, 1], [0, 1, 3]]), [0, 1]);
    const r0 = Math.log(Math.exp(2) + Math.exp(0) + Math.exp(1)) - 2;
    const r1 = Math.log(Math.exp(0) + Math.exp(1) + Math.exp(3)) - 1;
    const c0 = Math.log(Math.exp(2) + Math.exp(0)) - 2; // column 0: [2, 0], image 0
    const c1 = Math.log(Math.exp(0) + Math.exp(1)) - 1; // column 1: [0, 1], image 1
    expectClose(loss.rows, [r0, r1]);
    expectClose(loss.columns, [c0, c1, null]); // text 2 has no image
    expect(loss.imageToText).toBeCloseTo((r0 + r1) / 2, 12);
    expect(loss.textToImage).toBeCloseTo((c0 + c1) / 2, 12);
    expect(loss.total).toBeCloseTo(((r0 + r1) / 2 + (c0 + c1) / 2) / 2, 12);
  });

  it('3 images × 2 texts: the unpaired image has a null row but still competes in columns', () => {
    const loss = infoNce(matrix([[1, 0], [0, 2], [3, 0]]), diagonalPairs(3, 2));
    const r0 = Math.log(Math.exp(1) + Math.exp(0)) - 1;
    const r1 = Math.log(Math.exp(0) + Math.exp(2)) - 2;
    const c0 = Math.log(Math.exp(1) + Math.exp(0) + Math.exp(3)) - 1;
    const c1 = Math.log(Math.exp(0) + Math.exp(2) + Math.exp(0)) - 2;
    expectClose(loss.rows, [r0, r1, null]);
    expectClose(loss.columns, [c0, c1]);
    expect(loss.total).toBeCloseTo(((r0 + r1) / 2 + (c0 + c1) / 2) / 2, 12);
  });

  it('follows explicit pairs, skipping nulls and texts out of range', () => {
    const logits = matrix([[0, 1], [2, 0], [5, 5]]);
    const loss = infoNce(logits, [1, 0, 7]);
    const r0 = Math.log(Math.exp(0) + Math.exp(1)) - 1;
    const r1 = Math.log(Math.exp(2) + Math.exp(0)) - 2;
    const c0 = Math.log(Math.exp(0) + Math.exp(2) + Math.exp(5)) - 2; // text 0 ↔ image 1
    const c1 = Math.log(Math.exp(1) + Math.exp(0) + Math.exp(5)) - 1; // text 1 ↔ image 0
    expectClose(loss.rows, [r0, r1, null]);
    expectClose(loss.columns, [c0, c1]);
    const none = infoNce(logits, [null, null, null]);
    expect(none.rows).toEqual([null, null, null]);
    expect(none.columns).toEqual([null, null]);
    expect(Number.isNaN(none.total)).toBe(true);
  });

  it('is lower when the pairs score highest', () => {
    const good = infoNce(matrix([[10, 0], [0, 10]]), [0, 1]).total;
    const bad = infoNce(matrix([[0, 10], [10, 0]]), [0, 1]).total;
    expect(good).toBeLessThan(0.001);
    expect(bad).toBeGreaterThan(9.9); // ≈ log(1 + e^10) − 0
  });
});

describe('diagonalPairs', () => {
  it('pairs image i with text i where both exist', () => {
    expect(diagonalPairs(3, 3)).toEqual([0, 1, 2]);
    expect(diagonalPairs(4, 2)).toEqual([0, 1, null, null]);
    expect(diagonalPairs(2, 5)).toEqual([0, 1]);
    expect(diagonalPairs(0, 3)).toEqual([]);
  });
});

describe('SigLIP: affine logits, sigmoid and the pairwise sigmoid loss', () => {
  it('applies scale and bias, then σ', () => {
    const m = { rows: 1, columns: 2, values: Float64Array.from([0.5, -0.25]) };
    const logits = affineMatrix(m, 10, -2);
    expect(Array.from(logits.values)).toEqual([3, -4.5]);
    const p = sigmoidMatrix(logits);
    expect(p.values[0]).toBeCloseTo(1 / (1 + Math.exp(-3)), 12);
    expect(p.values[1]).toBeCloseTo(1 / (1 + Math.exp(4.5)), 12);
  });

  it('sums −log σ(z·logit) over pairs and divides by the number of images (worked by hand)', () => {
    // logits [[2, -1], [0, 3]], pairs image 0 ↔ text 0, image 1 ↔ text 1.
    const logits = { rows: 2, columns: 2, values: Float64Array.from([2, -1, 0, 3]) };
    const nls = (x: number) => Math.log(1 + Math.exp(-x));
    const row0 = nls(2) + nls(1); // positive 2, negative −1 → z·x = +1
    const row1 = nls(-0) + nls(3); // negative 0 → z·x = 0, positive 3
    const loss = sigmoidLoss(logits, [0, 1]);
    expect(loss.rows[0]).toBeCloseTo(row0, 12);
    expect(loss.rows[1]).toBeCloseTo(row1, 12);
    expect(loss.columns[0]).toBeCloseTo(nls(2) + nls(0), 12);
    expect(loss.total).toBeCloseTo((row0 + row1) / 2, 12);
  });

  it('stays finite for very large logits', () => {
    const loss = sigmoidLoss({ rows: 1, columns: 2, values: Float64Array.from([-800, 800]) }, [0]);
    expect(loss.total).toBeCloseTo(1600, 6);
  });
});
