/**
 * Pictures the Token lab builds from the models' pixels: the codes' own patches laid out as the
 * grid holds them, the codebook as one sheet, and where an edit changed an image. Pure: RGB in,
 * RGB out (`[height, width, 3]`).
 */
import { cellRegion } from './sequence';

/**
 * Each cell filled with its code's own patch (`patches[code]`, `[side, side, 3]` with side = size / grid).
 * @example patchMosaic(codes, patches, 8, 32)  // [32, 32, 3]
 */
export function patchMosaic(codes: readonly number[], patches: readonly Uint8ClampedArray[], grid: number, size: number): Uint8ClampedArray {
  const side = size / grid;
  const out = new Uint8ClampedArray(size * size * 3);
  codes.forEach((code, cell) => {
    const { x0, y0 } = cellRegion(cell, grid, size);
    const patch = patches[code];
    for (let y = 0; y < side; y++) out.set(patch.subarray(y * side * 3, (y + 1) * side * 3), ((y0 + y) * size + x0) * 3);
  });
  return out;
}

/** Grey per pixel: white where two images agree, darker with the largest channel difference (×4, clipped). */
export function editDifference(before: Uint8ClampedArray, after: Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(before.length);
  for (let i = 0; i < before.length; i += 3) {
    let most = 0;
    for (let c = 0; c < 3; c++) most = Math.max(most, Math.abs(before[i + c] - after[i + c]));
    out.fill(255 - Math.min(255, 4 * most), i, i + 3);
  }
  return out;
}

/**
 * How much each cell (row-major) of a `[size, size, 3]` image changed: the mean absolute
 * difference over its pixels and channels, in 8-bit levels (0: not a pixel changed).
 */
export function cellChange(before: Uint8ClampedArray, after: Uint8ClampedArray, grid: number, size: number): Float32Array {
  const out = new Float32Array(grid * grid);
  for (let cell = 0; cell < grid * grid; cell++) {
    const { x0, y0, x1, y1 } = cellRegion(cell, grid, size);
    let sum = 0;
    for (let y = y0; y < y1; y++) for (let x = x0 * 3; x < x1 * 3; x++) sum += Math.abs(before[y * size * 3 + x] - after[y * size * 3 + x]);
    out[cell] = sum / ((x1 - x0) * (y1 - y0) * 3);
  }
  return out;
}
