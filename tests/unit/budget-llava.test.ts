import { describe, expect, it } from 'vitest';
import { selectBestResolution, unpaddedFeatures } from '../../src/lib/budget/anyres';
import { llava15, llavaNext, llavaOneVision, resizeShortestEdge } from '../../src/lib/budget/llava';
import { expandedText } from '../../src/lib/budget/sequence';

const NEXT_PINPOINTS = [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]] as const;

describe('LLaVA-1.5', () => {
  it('resizes the short side to 336 (long side int()) and always reads 576 tokens', () => {
    expect(resizeShortestEdge({ width: 1920, height: 1080 }, 336)).toEqual({ width: 597, height: 336 }); // int(336 · 1920 / 1080) = int(597.33)
    expect(resizeShortestEdge({ width: 336, height: 500 }, 336)).toEqual({ width: 336, height: 500 }); // short side already 336
    const b = llava15.budget({ width: 1920, height: 1080 }, {});
    expect(b.visualTokens).toBe(576);
    expect(b.markerTokens).toBe(0);
    expect(b.tiles[0]).toMatchObject({ x: 130, y: 0, width: 336, height: 336 }); // (597 - 336) // 2
    expect(expandedText(b.sequence)).toBe('<image>'.repeat(576));
  });
});

describe('LLaVA-NeXT (anyres)', () => {
  it('picks the resolution that keeps the most pixels, then wastes the fewest', () => {
    // 1920 × 1080: [336, 672] keeps int(1920 · 0.3111) · 336 = 597 · 336; [672, 672] keeps 672 · 378 = 254016.
    expect(selectBestResolution(1080, 1920, NEXT_PINPOINTS)).toEqual([672, 672]);
    // 500 × 500: [672, 672] keeps all 250000 pixels; nothing else does.
    expect(selectBestResolution(500, 500, NEXT_PINPOINTS)).toEqual([672, 672]);
    // 100 × 100: every pinpoint keeps all 10000 pixels, [336, 672] wastes the fewest (first of the ties).
    expect(selectBestResolution(100, 100, NEXT_PINPOINTS)).toEqual([336, 672]);
  });

  it('1920 × 1080: 2 × 2 tiles + base, 28 feature rows × 48 + 28 newlines + 576 = 1948', () => {
    // current 48 × 48; 1920/1080 > 1, so new_height = int(round(1080 · 48 / 1920, 7)) = 27,
    // padding (48 - 27) // 2 = 10, rows 48 - 20 = 28.
    const b = llavaNext.budget({ width: 1920, height: 1080 }, {});
    expect(b.grid).toEqual({ rows: 2, cols: 2 });
    expect(b.encoderPasses).toBe(5);
    expect(b.visualTokens).toBe(28 * 48 + 28 + 576);
  });

  it('47 × 1128 hits round(x, 7): 2.9999999999999996 → 3 columns, 936 tokens (plain int() would give 792)', () => {
    // best [1008, 336] (scale 0.8936: 42 · 1008 pixels kept): 72 rows × 24 columns of features.
    // new_width = int(round(47 · (72 / 1128), 7)) = 3, padding (24 - 3) // 2 = 10, columns 4.
    expect(selectBestResolution(1128, 47, NEXT_PINPOINTS)).toEqual([1008, 336]);
    expect(unpaddedFeatures(1128, 47, 24, 24, 3, 1, null)).toMatchObject({ rows: 72, cols: 4 });
    expect(llavaNext.budget({ width: 47, height: 1128 }, {}).visualTokens).toBe(72 * 4 + 72 + 576);
  });
});

describe('LLaVA-OneVision (anyres_max_9)', () => {
  it('640 × 480: 2 × 2 tiles of 384, no pooling, 40 rows × 54 + 40 newlines + 729 = 2929', () => {
    // best [768, 768]; 640/480 = 1.33 > 1: new_height = int(round(480 · 54 / 640, 7)) = 40,
    // padding 7, rows 40: 40 · 54 + 40 + 729 = 2929. ratio sqrt(40 · 54 / (9 · 729)) = 0.57 ≤ 1.1.
    const b = llavaOneVision.budget({ width: 640, height: 480 }, {});
    expect(b.resized).toEqual({ width: 768, height: 768 });
    expect(b.visualTokens).toBe(40 * 54 + 40 + 729);
    expect(b.reduction.kind).toBe('none');
  });

  it('605 × 2000 pools by 10/9 and Python // floors 50 / 1.111… to 44 (not 45): 7254 tokens', () => {
    // best [2304, 768]: 162 rows × 54 columns; new_width = int(round(605 · 162 / 2000, 7)) = 49,
    // padding (54 - 49) // 2 = 2, columns 50. ratio sqrt(162 · 50 / (9 · 729)) = 1.1111111111111112 > 1.1:
    // rows int(162 // ratio) = 145, columns int(50 // ratio) = 44.
    const features = unpaddedFeatures(2000, 605, 27, 27, 6, 2, 9);
    expect(features).toMatchObject({ rows: 145, cols: 44, unpadded: 6380, newlines: 145 });
    const b = llavaOneVision.budget({ width: 605, height: 2000 }, {});
    expect(b.visualTokens).toBe(6380 + 145 + 729);
    expect(b.reduction.kind).toBe('pool');
    expect(b.encoderPasses).toBe(6 * 2 + 1);
  });
});
