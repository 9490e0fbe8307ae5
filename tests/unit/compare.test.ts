/** Comparing two matrices, against values worked out by hand. */
import { describe, expect, it } from 'vitest';
import { agreement, differenceMatrix, ranks, spearman } from '../../src/lib/contrastive/compare';
import type { Matrix } from '../../src/lib/contrastive/similarity';

const matrix = (rows: number[][]): Matrix => ({ rows: rows.length, columns: rows[0].length, values: new Float64Array(rows.flat()) });

describe('compare', () => {
  it('ranks with ties sharing their mean rank', () => {
    expect(ranks([10, 30, 20])).toEqual([1, 3, 2]);
    expect(ranks([5, 5, 1, 7])).toEqual([2.5, 2.5, 1, 4]);
  });

  it('Spearman: +1 for the same order, −1 for the reverse, a hand-worked middle case, NaN when constant', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Ranks (1,2,3,4) vs (2,1,4,3): d² = 1+1+1+1 = 4; ρ = 1 − 6·4 / (4·15) = 0.6.
    expect(spearman([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('difference is B − A and refuses different shapes', () => {
    expect(Array.from(differenceMatrix(matrix([[1, 2]]), matrix([[0.5, 4]])).values)).toEqual([-0.5, 2]);
    expect(() => differenceMatrix(matrix([[1, 2]]), matrix([[1], [2]]))).toThrow();
  });

  it('top-1 agreement and per-row correlation', () => {
    const a = matrix([[0.9, 0.1, 0.3], [0.2, 0.8, 0.1]]);
    const b = matrix([[0.7, 0.2, 0.4], [0.6, 0.5, 0.1]]);
    const result = agreement(a, b);
    expect(result.top1).toEqual([true, false]);
    expect(result.top1Rate).toBe(0.5);
    expect(result.rowSpearman[0]).toBeCloseTo(1, 12); // same order 0 > 2 > 1
    // Row 1: A ranks (2,3,1), B ranks (3,2,1): d² = 1+1+0 = 2; ρ = 1 − 6·2/(3·8) = 0.5.
    expect(result.rowSpearman[1]).toBeCloseTo(0.5, 12);
  });
});
