import { describe, expect, it } from 'vitest';
import { idefics2, idefics2Resize, idefics3, idefics3Resize, resizeForVisionEncoder, smolvlm } from '../../src/lib/budget/idefics';
import { expandedText } from '../../src/lib/budget/sequence';
import { ProcessorRefusal } from '../../src/lib/budget/types';

describe('Idefics2 with image splitting', () => {
  it('cuts four crops at (w // 2, h // 2), resizes each on its own, and reads 5 × 64 tokens between 6 fake tokens', () => {
    // 1001 × 2000: crops 500 × 1000, 501 × 1000 (twice each); longest 1000 > 980: height 980,
    // width int(980 · 0.5) = 490 and int(980 · 0.501) = 490; whole image: height 980, width int(980 · 0.5005) = 490.
    expect(idefics2Resize({ width: 501, height: 1000 }, 378, 980)).toEqual({ width: 490, height: 980 });
    expect(idefics2Resize({ width: 100, height: 50 }, 378, 980)).toEqual({ width: 378, height: 378 }); // each side at least 378
    const b = idefics2.budget({ width: 1001, height: 2000 }, {});
    expect(b.tiles.map((t) => [t.width, t.height])).toEqual([[500, 1000], [501, 1000], [500, 1000], [501, 1000]]);
    expect(b.encoderPasses).toBe(5);
    expect(b.visualTokens).toBe(320);
    expect(b.markerTokens).toBe(6);
    expect(expandedText(b.sequence)).toBe(`<fake_token_around_image>${`${'<image>'.repeat(64)}<fake_token_around_image>`.repeat(5)}`);
  });

  it('refuses a 1-pixel-wide image (a crop of width 0)', () => {
    expect(() => idefics2.budget({ width: 1, height: 500 }, {})).toThrow(ProcessorRefusal);
  });
});

describe('Idefics3', () => {
  it('longest edge to 1456 with the other side int() and made even, then up to multiples of 364', () => {
    // 3 × 1: height int(1456 / 3) = 485, odd → 486; then int(1456 / (1456 / 486)) = 486 → 728.
    expect(idefics3Resize({ width: 3, height: 1 }, 1456)).toEqual({ width: 1456, height: 486 });
    expect(resizeForVisionEncoder({ width: 1456, height: 486 }, 364)).toEqual({ width: 1456, height: 728 });
    // 1920 × 1080: int(1456 / 1.777…) = 819, odd → 820; int(1456 / (1456 / 820)) = 820 → 1092.
    expect(idefics3Resize({ width: 1920, height: 1080 }, 1456)).toEqual({ width: 1456, height: 820 });
    // small images are scaled up: 5 × 7 → height 1456, width int(1456 · 5 / 7) = 1040.
    expect(idefics3Resize({ width: 5, height: 7 }, 1456)).toEqual({ width: 1040, height: 1456 });
  });

  it('1920 × 1080: 3 × 4 tiles + global, 169 tokens each, the row/column markers and newlines', () => {
    const b = idefics3.budget({ width: 1920, height: 1080 }, {});
    expect(b.resized).toEqual({ width: 1456, height: 1092 });
    expect(b.grid).toEqual({ rows: 3, cols: 4 });
    expect(b.visualTokens).toBe(13 * 169);
    // 12 × (<fake> + <row_r_col_c>) + <fake><global-img> … <fake>
    expect(b.markerTokens).toBe(12 * 2 + 3);
    const text = expandedText(b.sequence);
    expect(text.startsWith(`<fake_token_around_image><row_1_col_1>${'<image>'.repeat(169)}<fake_token_around_image><row_1_col_2>`)).toBe(true);
    expect(text.endsWith(`<row_3_col_4>${'<image>'.repeat(169)}\n\n<fake_token_around_image><global-img>${'<image>'.repeat(169)}<fake_token_around_image>`)).toBe(true);
  });
});

describe('SmolVLM-256M', () => {
  it('1920 × 1080 at longest edge 2048: 2048 × 1152 → 2048 × 1536, 3 × 4 tiles of 512, 64 tokens each', () => {
    // int(2048 / 1.777…) = 1152 (even); snapped up: ceil(1152 / 512) · 512 = 1536.
    const b = smolvlm.budget({ width: 1920, height: 1080 }, { longestEdge: 2048 });
    expect(b.resized).toEqual({ width: 2048, height: 1536 });
    expect(b.visualTokens).toBe(13 * 64);
  });

  it('at longest edge 512 the image is one view: <fake><global-img> 64 tokens <fake>', () => {
    const b = smolvlm.budget({ width: 1920, height: 1080 }, { longestEdge: 512 });
    expect(b.grid).toEqual({ rows: 0, cols: 0 });
    expect(b.encoderPasses).toBe(1);
    expect(expandedText(b.sequence)).toBe(`<fake_token_around_image><global-img>${'<image>'.repeat(64)}<fake_token_around_image>`);
  });
});
