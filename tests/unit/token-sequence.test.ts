import { describe, expect, it } from 'vitest';
import type { TokenVocabulary } from '../../src/lib/runtime/protocol';
import { captionPrompt, cellRegion, centrePatch, codeOf, codeToken, codeUsage, drawnCells, drawPrompt, pieceOf, reconstructionError, toRgb } from '../../src/lib/tokens/sequence';
import { cellChange, editDifference, patchMosaic } from '../../src/lib/tokens/pictures';

// shapes-cm3's layout: 36 words, then <image> and </image>, then 128 codes over 8 × 8 cells.
const V: TokenVocabulary = { words: 36, codes: 128, cells: 64, begin_image: 36, end_image: 37, first_code: 38, size: 166 };

describe('CM3 sequences', () => {
  it('tells codes from words and markers', () => {
    expect(codeOf(V, 38)).toBe(0);
    expect(codeOf(V, 165)).toBe(127);
    expect(codeOf(V, 37)).toBeNull();
    expect(codeOf(V, 166)).toBeNull();
    expect(codeToken(V, 5)).toBe(43);
    expect(() => codeToken(V, 128)).toThrow(RangeError);
    expect(pieceOf(V, 40, () => 'x')).toBe('#2');
    expect(pieceOf(V, 36, () => 'x')).toBe('<image>');
    expect(pieceOf(V, 37, () => 'x')).toBe('</image>');
    expect(pieceOf(V, 22, (id) => `w${id}`)).toBe('w22');
  });

  it('builds both prompts in the orders the model was trained on', () => {
    expect(drawPrompt(V, [2, 4, 22, 13, 3])).toEqual([2, 4, 22, 13, 3, 36]);
    const codes = Array.from({ length: 64 }, (_, i) => i % 128);
    const prompt = captionPrompt(V, codes, 2);
    expect(prompt).toHaveLength(67);
    expect(prompt.slice(0, 3)).toEqual([36, 38, 39]);
    expect(prompt.slice(-2)).toEqual([37, 2]);
    expect(() => captionPrompt(V, codes.slice(1), 2)).toThrow(/64 codes/);
  });

  it('reads a drawing\'s cells: a word leaves code 0 in its cell, an early </image> leaves the rest 0', () => {
    const full = drawnCells(V, [...Array.from({ length: 64 }, (_, i) => 38 + (i % 5)), 37]);
    expect(full.drawn).toBe(64);
    expect(full.codes.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 0]);
    const early = drawnCells(V, [40, 22, 41, 37]);
    expect(early.drawn).toBe(3);
    expect(early.codes.slice(0, 4)).toEqual([2, 0, 3, 0]);
    expect(codeUsage(early.codes, 128).slice(0, 4)).toEqual([62, 0, 1, 1]);
  });
});

describe('Token lab pictures', () => {
  it('maps cells to pixel squares and normalised values to 8-bit RGB', () => {
    expect(cellRegion(9, 8, 32)).toEqual({ x0: 4, y0: 4, x1: 8, y1: 8 });
    // One pixel of a 1 × 1 image: channels -1, 0, 1 with mean and std 0.5.
    expect(Array.from(toRgb([-1, 0, 1], 0, 1, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]))).toEqual([0, 128, 255]);
  });

  it('measures the reconstruction error in 8-bit levels', () => {
    const a = new Uint8ClampedArray([0, 0, 0, 10, 10, 10]);
    const b = new Uint8ClampedArray([3, 3, 3, 10, 10, 10]);
    const { mean, perPixel } = reconstructionError(a, b);
    expect(mean).toBe(1.5);
    expect(Array.from(perPixel)).toEqual([3, 0]);
  });

  it('takes the centre cell as a code\'s patch and lays patches out as the grid holds them', () => {
    // A 4 × 4 image on a 2 × 2 grid: each pixel's red channel is its index.
    const image = Uint8ClampedArray.from({ length: 48 }, (_, i) => (i % 3 === 0 ? i / 3 : 0));
    expect(Array.from(centrePatch(image, 4, 2)).filter((_, i) => i % 3 === 0)).toEqual([10, 11, 14, 15]);
    const patches = [new Uint8ClampedArray(12).fill(1), new Uint8ClampedArray(12).fill(2)];
    const mosaic = patchMosaic([0, 1, 1, 0], patches, 2, 4);
    expect(mosaic[0]).toBe(1);
    expect(mosaic[(0 * 4 + 2) * 3]).toBe(2);
    expect(mosaic[(3 * 4 + 3) * 3]).toBe(1);
  });

  it('finds where an edit changed an image, cell by cell', () => {
    const before = new Uint8ClampedArray(48);
    const after = before.slice();
    after[(1 * 4 + 3) * 3 + 1] = 40; // a pixel of the top-right cell
    // 40 levels in one of the cell's 4 pixels × 3 channels.
    const change = Array.from(cellChange(before, after, 2, 4));
    expect(change.map((v) => v > 0)).toEqual([false, true, false, false]);
    expect(change[1]).toBeCloseTo(40 / 12, 5);
    const difference = editDifference(before, after);
    expect(difference[0]).toBe(255);
    expect(difference[(1 * 4 + 3) * 3]).toBe(255 - 160);
  });
});
