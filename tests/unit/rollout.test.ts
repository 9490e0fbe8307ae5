import { describe, expect, it } from 'vitest';
import { attentionRollout } from '../../src/lib/attention/rollout';

describe('attentionRollout', () => {
  it('with one layer is half the head-mean attention plus half the identity', () => {
    // 1 layer, 2 heads, 2 tokens: head means [[0.5, 0.5], [0, 1]].
    const data = [1, 0, 0, 1, 0, 1, 0, 1];
    expect(Array.from(attentionRollout(data, [1, 2, 2, 2]))).toEqual([0.75, 0.25, 0, 1]);
  });

  it('multiplies the layers in order, and its rows stay distributions', () => {
    // Layer 1 moves everything to token 1, layer 2 everything to token 0.
    const data = [0, 1, 0, 1, 1, 0, 1, 0];
    const r = attentionRollout(data, [2, 1, 2, 2]);
    // A1' = [[.5,.5],[0,1]], A2' = [[1,0],[.5,.5]]: A2'·A1' = [[.5,.5],[.25,.75]].
    expect(Array.from(r)).toEqual([0.5, 0.5, 0.25, 0.75]);
    for (let row = 0; row < 2; row++) expect(r[row * 2] + r[row * 2 + 1]).toBeCloseTo(1, 12);
  });

  it('refuses attention that is not square or not the stated size', () => {
    expect(() => attentionRollout(new Array(12).fill(0), [1, 2, 2, 3])).toThrow(RangeError);
    expect(() => attentionRollout(new Array(7).fill(0), [1, 2, 2, 2])).toThrow(RangeError);
  });
});
