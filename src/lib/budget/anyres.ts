/**
 * LLaVA-NeXT's "anyres" helpers shared by LLaVA-NeXT and LLaVA-OneVision: the choice of the
 * grid resolution (transformers' `image_processing_utils.select_best_resolution`), the size the
 * image is resized to inside it (`_get_patch_output_size`), and the count of feature rows and
 * columns left after the padding is removed (`_get_unpadded_features` of both processors).
 */
import { pyFloorDiv, pyInt, pyIntDiv, pyRoundDigits } from './pyMath';

/** A grid resolution as the configs list it: `[height, width]`. */
export type Pinpoint = readonly [number, number];

/**
 * The pinpoint that keeps the most of the image's pixels, then wastes the fewest.
 * @example selectBestResolution(1080, 1920, [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]]) // [672, 672]
 */
export function selectBestResolution(height: number, width: number, pinpoints: readonly Pinpoint[]): Pinpoint {
  let best: Pinpoint = pinpoints[0];
  let maxEffective = 0;
  let minWasted = Infinity;
  for (const [h, w] of pinpoints) {
    const scale = Math.min(w / width, h / height);
    const downW = pyInt(width * scale);
    const downH = pyInt(height * scale);
    const effective = Math.min(downW * downH, width * height);
    const wasted = w * h - effective;
    if (effective > maxEffective || (effective === maxEffective && wasted < minWasted)) {
      maxEffective = effective;
      minWasted = wasted;
      best = [h, w];
    }
  }
  return best;
}

/** The size the image is resized to inside the chosen resolution before it is padded (centred). */
export function patchOutputSize(height: number, width: number, target: Pinpoint): { height: number; width: number } {
  const [th, tw] = target;
  const scaleW = tw / width;
  const scaleH = th / height;
  if (scaleW < scaleH) return { width: tw, height: Math.min(Math.ceil(height * scaleW), th) };
  return { height: th, width: Math.min(Math.ceil(width * scaleH), tw) };
}

/**
 * Feature rows and columns after the padding is cut off, and, with `maxTiles` (OneVision's
 * anyres_max_9), after the bilinear pooling that keeps them near `maxTiles` tiles' worth.
 * `int(round(x, 7))` and `float // float` are Python's, exactly.
 */
export function unpaddedFeatures(
  height: number,
  width: number,
  patchesHeight: number,
  patchesWidth: number,
  scaleHeight: number,
  scaleWidth: number,
  maxTiles: number | null,
): { rows: number; cols: number; unpadded: number; newlines: number; pooledBy: number | null } {
  let currentHeight = patchesHeight * scaleHeight;
  let currentWidth = patchesWidth * scaleWidth;
  const originalAspect = width / height;
  const currentAspect = currentWidth / currentHeight;
  if (originalAspect > currentAspect) {
    const newHeight = pyInt(pyRoundDigits(height * (currentWidth / width), 7));
    const padding = pyIntDiv(currentHeight - newHeight, 2);
    currentHeight -= padding * 2;
  } else {
    const newWidth = pyInt(pyRoundDigits(width * (currentHeight / height), 7));
    const padding = pyIntDiv(currentWidth - newWidth, 2);
    currentWidth -= padding * 2;
  }
  if (maxTiles !== null) {
    const ratio = Math.sqrt((currentHeight * currentWidth) / (maxTiles * patchesHeight ** 2));
    if (ratio > 1.1) {
      const rows = pyInt(pyFloorDiv(currentHeight, ratio));
      const cols = pyInt(pyFloorDiv(currentWidth, ratio));
      return { rows, cols, unpadded: rows * cols, newlines: rows, pooledBy: ratio };
    }
  }
  return { rows: currentHeight, cols: currentWidth, unpadded: currentHeight * currentWidth, newlines: currentHeight, pooledBy: null };
}
