/** Area-averaging downscale, shortest-edge shrink and alpha compositing. */
import { describe, expect, it } from 'vitest';
import { areaResize, rgbaToRgb, shrinkShortestEdge, type PixelImage } from '../../src/lib/image/resample';
import { seededRandom } from '../../src/lib/shapes/random';

function image(width: number, height: number, channels: number, fill: (x: number, y: number, c: number) => number): PixelImage {
  const data = new Uint8ClampedArray(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = fill(x, y, c);
  return { width, height, channels, data };
}

const mean = (data: ArrayLike<number>, channels: number, c: number) => {
  let sum = 0;
  for (let i = c; i < data.length; i += channels) sum += data[i];
  return sum / (data.length / channels);
};

describe('areaResize', () => {
  it('keeps a constant image constant, for integer and non-integer ratios', () => {
    for (const [w, h, tw, th] of [[64, 64, 32, 32], [100, 70, 32, 32], [7, 5, 3, 2], [129, 97, 13, 11]]) {
      const src = image(w, h, 3, (_x, _y, c) => [17, 200, 255][c]);
      const out = areaResize(src, tw, th);
      expect([out.width, out.height, out.channels, out.data.length]).toEqual([tw, th, 3, tw * th * 3]);
      for (let i = 0; i < out.data.length; i++) expect(out.data[i]).toBe([17, 200, 255][i % 3]);
    }
  });

  it('averages a 2 × 2 checkerboard of 0 and 255 to 127.5, stored as 128', () => {
    const board = image(2, 2, 1, (x, y) => ((x + y) % 2 ? 255 : 0));
    // Uint8ClampedArray rounds half to even: 127.5 → 128.
    expect(Array.from(areaResize(board, 1, 1).data)).toEqual([128]);
  });

  it('averages 2 × 2 blocks exactly at ratio 2', () => {
    const src = image(4, 2, 1, (x, y) => [[0, 40, 100, 100], [80, 120, 100, 104]][y][x]);
    // (0+40+80+120)/4 = 60; (100+100+100+104)/4 = 101
    expect(Array.from(areaResize(src, 2, 1).data)).toEqual([60, 101]);
  });

  it('splits a pixel between targets at a non-integer ratio (5 → 2)', () => {
    const row = image(5, 1, 1, (x) => [0, 50, 100, 150, 200][x]);
    // Each target covers 2.5 source pixels: (0 + 50 + 100/2) / 2.5 = 40, (100/2 + 150 + 200) / 2.5 = 160.
    expect(Array.from(areaResize(row, 2, 1).data)).toEqual([40, 160]);
    const column = image(1, 5, 1, (_x, y) => [0, 50, 100, 150, 200][y]);
    expect(Array.from(areaResize(column, 1, 2).data)).toEqual([40, 160]);
  });

  it('preserves the mean of random images within 1 per channel', () => {
    const random = seededRandom(9);
    for (const [w, h, tw, th] of [[5, 5, 2, 2], [50, 30, 7, 11], [97, 61, 32, 32]]) {
      const src = image(w, h, 3, () => Math.floor(random() * 256));
      const out = areaResize(src, tw, th);
      for (let c = 0; c < 3; c++) expect(Math.abs(mean(out.data, 3, c) - mean(src.data, 3, c))).toBeLessThan(1);
    }
  });

  it('keeps channels apart', () => {
    const src = image(4, 4, 4, (_x, _y, c) => [10, 20, 30, 255][c]);
    expect(Array.from(areaResize(src, 1, 1).data)).toEqual([10, 20, 30, 255]);
  });

  it('returns the same image at the same size and refuses to enlarge', () => {
    const src = image(8, 6, 3, () => 5);
    expect(areaResize(src, 8, 6)).toBe(src);
    expect(() => areaResize(src, 9, 6)).toThrow(/shrinks/);
    expect(() => areaResize(src, 8, 7)).toThrow(/shrinks/);
  });
});

describe('shrinkShortestEdge', () => {
  it('brings the shorter side to the target and keeps the aspect ratio', () => {
    const cases: [number, number, number, number, number][] = [
      [200, 100, 50, 100, 50], // landscape 2:1
      [100, 300, 50, 50, 150], // portrait 1:3
      [512, 512, 32, 32, 32],
      [640, 480, 32, 43, 32], // 640 · 32/480 = 42.67 → 43
    ];
    for (const [w, h, edge, tw, th] of cases) {
      const out = shrinkShortestEdge(image(w, h, 3, () => 9), edge);
      expect([out.width, out.height]).toEqual([tw, th]);
      expect(out.data.length).toBe(tw * th * 3);
    }
  });

  it('leaves images no larger than the target unchanged', () => {
    const small = image(40, 30, 3, () => 1);
    expect(shrinkShortestEdge(small, 50)).toBe(small);
    expect(shrinkShortestEdge(small, 30)).toBe(small);
  });
});

describe('rgbaToRgb', () => {
  it('composites over white', () => {
    const src: PixelImage = {
      width: 4, height: 1, channels: 4,
      data: new Uint8ClampedArray([10, 20, 30, 255, 10, 20, 30, 0, 0, 0, 0, 0, 0, 100, 200, 51]),
    };
    const out = rgbaToRgb(src);
    expect([out.width, out.height, out.channels]).toEqual([4, 1, 3]);
    // alpha 51/255 = 0.2: 0·0.2 + 255·0.8 = 204; 100·0.2 + 204 = 224; 200·0.2 + 204 = 244
    expect(Array.from(out.data)).toEqual([10, 20, 30, 255, 255, 255, 255, 255, 255, 204, 224, 244]);
  });

  it('returns RGB images as they are', () => {
    const rgb = image(2, 2, 3, () => 7);
    expect(rgbaToRgb(rgb)).toBe(rgb);
  });
});
