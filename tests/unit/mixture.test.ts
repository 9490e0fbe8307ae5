import { describe, expect, it } from 'vitest';
import { mixtureMaps, weightsForImage } from '../../src/lib/llip/mixture';

describe('weightsForImage', () => {
  // 2 images × 2 captions × 2 heads × 3 tokens, each value its own flat index.
  const weights = { dims: [2, 2, 2, 3], data: Float32Array.from({ length: 24 }, (_, i) => i) };

  it('slices one image by caption and head, and averages the heads', () => {
    const { perHead, mean } = weightsForImage(weights, 1);
    expect(Array.from(perHead[0][0])).toEqual([12, 13, 14]);
    expect(Array.from(perHead[0][1])).toEqual([15, 16, 17]);
    expect(Array.from(perHead[1][1])).toEqual([21, 22, 23]);
    expect(Array.from(mean[0])).toEqual([13.5, 14.5, 15.5]);
  });

  it('refuses an image that is not there', () => {
    expect(() => weightsForImage(weights, 2)).toThrow(RangeError);
  });
});

describe('mixtureMaps', () => {
  // 2 layers, 1 head, 2 mixture tokens + 2 patches.
  const shape = { layers: 2, heads: 1, tokens: 4, mixture: 2 };
  const attentions = Float32Array.from([
    // layer 0: rows are queries (m0, m1, p0, p1), columns keys (m0, m1, p0, p1)
    0.5, 0, 0.4, 0.1,
    0, 0, 0.25, 0.75,
    0.25, 0.25, 0.25, 0.25,
    0.25, 0.25, 0.25, 0.25,
    // layer 1
    0, 0, 1, 0,
    0.5, 0, 0, 0.5,
    0.25, 0.25, 0.25, 0.25,
    0.25, 0.25, 0.25, 0.25,
  ]);

  it('keeps the patch columns of the mixture rows and renormalises them', () => {
    const { maps, patchShare } = mixtureMaps(attentions, shape, 0);
    expect(Array.from(maps)).toEqual([0.8, 0.2, 0.25, 0.75].map(Math.fround));
    expect(patchShare[0]).toBeCloseTo(0.5, 6);
    expect(patchShare[1]).toBeCloseTo(1, 6);
  });

  it('averages the layers for "mean"', () => {
    const { maps } = mixtureMaps(attentions, shape, 'mean');
    // token 0: (0.4 + 1) / 2, (0.1 + 0) / 2 over 0.75; token 1: (0.25 + 0)/2, (0.75 + 0.5)/2 over 0.75
    expect(maps[0]).toBeCloseTo(0.7 / 0.75, 6);
    expect(maps[1]).toBeCloseTo(0.05 / 0.75, 6);
    expect(maps[2]).toBeCloseTo(0.125 / 0.75, 6);
    expect(maps[3]).toBeCloseTo(0.625 / 0.75, 6);
  });

  it('refuses attention of the wrong size or a layer that is not there', () => {
    expect(() => mixtureMaps(attentions.subarray(1), shape, 0)).toThrow(RangeError);
    expect(() => mixtureMaps(attentions, shape, 2)).toThrow(RangeError);
  });
});
