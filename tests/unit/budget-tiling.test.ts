import { describe, expect, it } from 'vitest';
import { candidateGrids, closestGrid, internvl } from '../../src/lib/budget/internvl';
import { ensureDivide, findBestResize, minicpmv, refineSize, slicedGrid } from '../../src/lib/budget/minicpmv';
import { paligemma } from '../../src/lib/budget/paligemma';
import { qwen2vl, smartResize } from '../../src/lib/budget/qwen2vl';
import { expandedText } from '../../src/lib/budget/sequence';
import { ProcessorRefusal } from '../../src/lib/budget/types';

describe('InternVL2.5 dynamic tiling', () => {
  it('visits grids in Python\'s order: by tile count, then the set\'s own order', () => {
    expect(candidateGrids(2)).toEqual([[1, 1], [1, 2], [2, 1]]);
    expect(candidateGrids(12).slice(5, 8)).toEqual([[2, 2], [4, 1], [1, 4]]);
    expect(candidateGrids(12)).toHaveLength(35);
  });

  it('1920 × 1080: (2, 1) and (4, 2) are equally close; the image is big enough for the later one', () => {
    // |1.777… − 2| ties; area 2073600 > 0.5 · 448² · 8 = 802816, so (4, 2) replaces (2, 1).
    expect(closestGrid(1920, 1080, 12, 448)).toEqual([4, 2]);
    const b = internvl.budget({ width: 1920, height: 1080 }, { maxTiles: 12 });
    expect(b.resized).toEqual({ width: 1792, height: 896 });
    expect(b.encoderPasses).toBe(9); // 8 tiles + thumbnail
    expect(b.visualTokens).toBe(9 * 256);
    expect(expandedText(b.sequence)).toBe(`<img>${'<IMG_CONTEXT>'.repeat(2304)}</img>`);
  });

  it('a small image keeps the earlier grid of a tie, and one tile gets no thumbnail', () => {
    // 200 × 100: area 20000 is not > 0.5 · 448² · 8, so (2, 1) stays.
    expect(closestGrid(200, 100, 12, 448)).toEqual([2, 1]);
    const square = internvl.budget({ width: 300, height: 300 }, { maxTiles: 12 });
    expect(square.encoderPasses).toBe(1);
    expect(square.global).toBeNull();
    expect(internvl.budget({ width: 1920, height: 1080 }, { maxTiles: 6 }).grid).toEqual({ rows: 1, cols: 2 });
  });
});

describe('Qwen2-VL smart_resize', () => {
  it('rounds half to even: 70 / 28 = 2.5 → 2 (56 px), 98 / 28 = 3.5 → 4 (112 px)', () => {
    expect(smartResize(70, 70, 28, 3136, 12845056)).toEqual({ height: 56, width: 56 });
    expect(smartResize(98, 98, 28, 3136, 12845056)).toEqual({ height: 112, width: 112 });
    expect(qwen2vl.budget({ width: 70, height: 70 }, {}).visualTokens).toBe(4);
  });

  it('1920 × 1080 → 1932 × 1092: 138 × 78 patches, 2691 tokens between vision_start and vision_end', () => {
    const b = qwen2vl.budget({ width: 1920, height: 1080 }, {});
    expect(b.resized).toEqual({ width: 1932, height: 1092 });
    expect(b.visualTokens).toBe((138 * 78) / 4);
    expect(b.sequence[0].text).toBe('<|vision_start|>');
    expect(b.sequence.at(-1)?.text).toBe('<|vision_end|>');
  });

  it('scales into [min_pixels, max_pixels] by floor or ceil', () => {
    // 5 × 7: both round to 0 → area 0 < 3136: beta = sqrt(3136 / 35); ceil(7β / 28) · 28 = 84, ceil(5β / 28) · 28 = 56.
    expect(smartResize(7, 5, 28, 3136, 12845056)).toEqual({ height: 84, width: 56 });
    // 8000 × 6000 with max_pixels 1003520: beta = sqrt(48e6 / 1003520); floor(6000 / β / 28) · 28 = 840, width 1148.
    expect(smartResize(6000, 8000, 28, 3136, 1003520)).toEqual({ height: 840, width: 1148 });
  });

  it('refuses an aspect ratio above 200', () => {
    expect(() => smartResize(1, 201, 28, 3136, 12845056)).toThrow(ProcessorRefusal);
    expect(() => qwen2vl.budget({ width: 201, height: 1 }, {})).toThrow(/aspect ratio/);
  });
});

describe('MiniCPM-V 2.6 slicing', () => {
  it('ensure_divide rounds half to even: 399 / 14 = 28.5 → 392', () => {
    expect(ensureDivide(399, 14)).toBe(392);
    expect(ensureDivide(413, 14)).toBe(420); // 29.5 → 30
    expect(ensureDivide(3, 14)).toBe(14);
    // 500 × 397 is not sliced and is resized up: height int(448 / sqrt(1.2594)) = 399 → 392, width int(399 · 1.2594) = 502 → 504.
    expect(findBestResize(500, 397, 448, 14, true)).toEqual({ width: 504, height: 392 });
  });

  it('1920 × 1080: 9 slices wanted, the 4 × 2 grid is closest in log ratio', () => {
    expect(slicedGrid(1920, 1080, 9, 448)).toEqual([4, 2]);
    expect(refineSize(1920, 1080, [4, 2], 448, 14)).toEqual({ width: 1680, height: 952 });
    const b = minicpmv.budget({ width: 1920, height: 1080 }, { maxSlices: 9 });
    expect(b.encoderPasses).toBe(9);
    expect(b.visualTokens).toBe(9 * 64);
    const text = expandedText(b.sequence);
    expect(text.startsWith(`<image_id>0</image_id><image>${'<unk>'.repeat(64)}</image><slice>`)).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
  });

  it('an image of at most 448² pixels is one view, upscaled', () => {
    expect(slicedGrid(448, 448, 9, 448)).toBeNull();
    const b = minicpmv.budget({ width: 100, height: 100 }, { maxSlices: 9 });
    expect(b.encoderPasses).toBe(1);
    expect(b.global).toMatchObject({ width: 448, height: 448 });
  });
});

describe('PaliGemma', () => {
  it('is 256 image tokens then <bos> for any image', () => {
    for (const size of [{ width: 1, height: 1 }, { width: 4000, height: 300 }]) {
      const b = paligemma.budget(size, {});
      expect(b.visualTokens).toBe(256);
      expect(b.resized).toEqual({ width: 224, height: 224 });
    }
    expect(expandedText(paligemma.budget({ width: 10, height: 10 }, {}).sequence)).toBe(`${'<image>'.repeat(256)}<bos>prompt\n`);
  });
});
