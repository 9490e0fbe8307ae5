import { describe, expect, it } from 'vitest';
import { attentionRow } from '../../src/lib/attention/rows';

// 2 layers × 2 heads × 2 queries × 3 keys; each value its flat index.
const dims = [2, 2, 2, 3];
const data = Float32Array.from({ length: 24 }, (_, i) => i);

describe('attentionRow', () => {
  it('reads one layer, head and query', () => {
    expect(Array.from(attentionRow(data, dims, 1, 1, 0))).toEqual([15, 16, 17]);
  });

  it('averages heads, layers or both', () => {
    expect(Array.from(attentionRow(data, dims, 0, 0, 'mean'))).toEqual([3, 4, 5]);
    expect(Array.from(attentionRow(data, dims, 0, 'mean', 1))).toEqual([12, 13, 14]);
    expect(Array.from(attentionRow(data, dims, 1, 'mean', 'mean'))).toEqual([12, 13, 14]);
  });

  it('refuses what is not there', () => {
    expect(() => attentionRow(data, dims, 2, 0, 0)).toThrow(RangeError);
    expect(() => attentionRow(data, dims, 0, 2, 0)).toThrow(RangeError);
    expect(() => attentionRow(data.subarray(1), dims, 0, 0, 0)).toThrow(RangeError);
  });
});
