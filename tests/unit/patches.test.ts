import { describe, expect, it } from 'vitest';
import { compositePatches, patchColours, patchErrors, patchesToPixels, pixelValuesToPatches, randomMask } from '../../src/lib/masking/patches';

const layout = { grid: 2, patch: 2 };
const half = [0.5, 0.5, 0.5];

/** `[3, 4, 4]` values where the value encodes the channel, row and column. */
function planar(): Float32Array {
  return Float32Array.from({ length: 48 }, (_, i) => i / 100);
}

describe('patch layout', () => {
  it('cuts planar pixel values into row-major patches of row, column, RGB', () => {
    const patches = pixelValuesToPatches(planar(), layout);
    // Patch 1 is the top-right one: its first pixel is row 0, column 2.
    expect(Array.from(patches.slice(12, 15))).toEqual([2, 18, 34].map((i) => Math.fround(i / 100)));
    // Patch 2 (bottom-left), its last pixel: row 3, column 1.
    expect(Array.from(patches.slice(33, 36))).toEqual([13, 29, 45].map((i) => Math.fround(i / 100)));
  });

  it('turns patches back into bytes with the processor normalisation', () => {
    const values = new Float32Array(48).fill(-1);
    values.fill(1, 12, 24); // patch 1 white
    const pixels = patchesToPixels(values, layout, half, half);
    expect(Array.from(pixels.slice(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(pixels.slice((0 * 4 + 2) * 3, (0 * 4 + 2) * 3 + 3))).toEqual([255, 255, 255]);
    expect(Array.from(pixels.slice((2 * 4 + 2) * 3, (2 * 4 + 2) * 3 + 3))).toEqual([0, 0, 0]);
    expect(() => patchesToPixels(values.subarray(1), layout, half, half)).toThrow(RangeError);
  });

  it('round-trips: planar values to patches to bytes equal a direct conversion', () => {
    const values = planar();
    const pixels = patchesToPixels(pixelValuesToPatches(values, layout), layout, half, half);
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) for (let ch = 0; ch < 3; ch++) {
      expect(pixels[(r * 4 + c) * 3 + ch]).toBe(Math.round((values[ch * 16 + r * 4 + c] * 0.5 + 0.5) * 255));
    }
  });
});

describe('patchErrors, compositePatches, patchColours', () => {
  it('measures the mean squared error per patch', () => {
    const a = new Float32Array(48);
    const b = new Float32Array(48);
    b.fill(2, 24, 36); // patch 2 off by 2 everywhere
    expect(Array.from(patchErrors(a, b, layout))).toEqual([0, 0, 4, 0]);
  });

  it('puts the masked patches from the reconstruction (or grey) over the visible image', () => {
    const visible = new Uint8ClampedArray(48).fill(10);
    const masked = new Uint8ClampedArray(48).fill(200);
    const mask = [0, 1, 0, 0];
    const shown = compositePatches(visible, masked, mask, layout);
    const colours = patchColours(shown, layout);
    expect(colours).toEqual([[10, 10, 10], [200, 200, 200], [10, 10, 10], [10, 10, 10]]);
    expect(patchColours(compositePatches(visible, null, mask, layout), layout)[1]).toEqual([128, 128, 128]);
  });
});

describe('randomMask', () => {
  it('masks the asked share of patches, the same for the same seed', () => {
    const mask = randomMask(64, 0.5, 3);
    expect(mask.reduce((s, v) => s + v, 0)).toBe(32);
    expect(randomMask(64, 0.5, 3)).toEqual(mask);
    expect(randomMask(64, 0.5, 4)).not.toEqual(mask);
    expect(randomMask(64, 0, 1).every((v) => v === 0)).toBe(true);
    expect(randomMask(64, 1, 1).every((v) => v === 1)).toBe(true);
  });
});
