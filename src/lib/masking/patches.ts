/**
 * Patch arithmetic for the Masking lab: the model's reconstructed patches back to pixels,
 * the masked input and the composite a person sees, the per-patch error, and seeded masks.
 * Patches are row-major over a `grid × grid` layout; within a patch, values run by row, then
 * column, then RGB (the layout of MaskVLM's `reconstructed_patches`).
 */
import { seededRandom } from '../shapes/random';

export interface PatchLayout {
  /** Patches per side. */
  readonly grid: number;
  /** Pixels per patch side. */
  readonly patch: number;
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** `[P, patch·patch·3]` normalised values → `[S, S, 3]` RGB bytes (S = grid · patch). */
export function patchesToPixels(values: ArrayLike<number>, layout: PatchLayout, mean: readonly number[], std: readonly number[]): Uint8ClampedArray {
  const { grid, patch } = layout;
  const side = grid * patch;
  if (values.length !== grid * grid * patch * patch * 3) throw new RangeError(`expected ${grid * grid} patches of ${patch * patch * 3} values, got ${values.length} values`);
  const out = new Uint8ClampedArray(side * side * 3);
  for (let p = 0; p < grid * grid; p++) {
    const top = Math.floor(p / grid) * patch;
    const left = (p % grid) * patch;
    for (let r = 0; r < patch; r++) {
      for (let c = 0; c < patch; c++) {
        for (let ch = 0; ch < 3; ch++) {
          const v = values[((p * patch + r) * patch + c) * 3 + ch];
          out[((top + r) * side + left + c) * 3 + ch] = clampByte((v * std[ch] + mean[ch]) * 255);
        }
      }
    }
  }
  return out;
}

/** `[3, S, S]` normalised pixel values → the same `[P, patch·patch·3]` layout as the reconstruction. */
export function pixelValuesToPatches(values: ArrayLike<number>, layout: PatchLayout): Float32Array {
  const { grid, patch } = layout;
  const side = grid * patch;
  const plane = side * side;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < grid * grid; p++) {
    const top = Math.floor(p / grid) * patch;
    const left = (p % grid) * patch;
    for (let r = 0; r < patch; r++) {
      for (let c = 0; c < patch; c++) {
        for (let ch = 0; ch < 3; ch++) out[((p * patch + r) * patch + c) * 3 + ch] = values[ch * plane + (top + r) * side + left + c];
      }
    }
  }
  return out;
}

/** Mean squared error per patch between two `[P, patch·patch·3]` arrays. */
export function patchErrors(a: ArrayLike<number>, b: ArrayLike<number>, layout: PatchLayout): Float32Array {
  const count = layout.grid * layout.grid;
  const size = layout.patch * layout.patch * 3;
  const out = new Float32Array(count);
  for (let p = 0; p < count; p++) {
    let sum = 0;
    for (let i = p * size; i < (p + 1) * size; i++) sum += (a[i] - b[i]) ** 2;
    out[p] = sum / size;
  }
  return out;
}

/**
 * `[S, S, 3]` bytes where each masked patch comes from `masked` (or is grey when it is null)
 * and each visible patch from `visible`.
 */
export function compositePatches(visible: ArrayLike<number>, masked: ArrayLike<number> | null, mask: readonly number[], layout: PatchLayout): Uint8ClampedArray {
  const { grid, patch } = layout;
  const side = grid * patch;
  const out = Uint8ClampedArray.from(visible as ArrayLike<number>);
  for (let p = 0; p < grid * grid; p++) {
    if (!mask[p]) continue;
    const top = Math.floor(p / grid) * patch;
    const left = (p % grid) * patch;
    for (let r = 0; r < patch; r++) {
      for (let c = 0; c < patch; c++) {
        const at = ((top + r) * side + left + c) * 3;
        for (let ch = 0; ch < 3; ch++) out[at + ch] = masked ? masked[at + ch] : 128;
      }
    }
  }
  return out;
}

/** Mean RGB of each patch of `[S, S, 3]` bytes. */
export function patchColours(pixels: ArrayLike<number>, layout: PatchLayout): [number, number, number][] {
  const { grid, patch } = layout;
  const side = grid * patch;
  return Array.from({ length: grid * grid }, (_, p) => {
    const top = Math.floor(p / grid) * patch;
    const left = (p % grid) * patch;
    const sum = [0, 0, 0];
    for (let r = 0; r < patch; r++) for (let c = 0; c < patch; c++) for (let ch = 0; ch < 3; ch++) sum[ch] += pixels[((top + r) * side + left + c) * 3 + ch];
    return sum.map((s) => s / (patch * patch)) as [number, number, number];
  });
}

/** A seeded mask of `round(ratio · count)` patches (1 = masked). */
export function randomMask(count: number, ratio: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const mask = new Array<number>(count).fill(0);
  for (const i of order.slice(0, Math.round(Math.max(0, Math.min(1, ratio)) * count))) mask[i] = 1;
  return mask;
}
