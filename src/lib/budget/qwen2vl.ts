/**
 * Qwen2-VL keeps the image near its own resolution: `smart_resize` rounds both sides to
 * multiples of 28 (patch 14 × merge 2), then scales into [min_pixels, max_pixels]; the ViT
 * runs once over all patches and a 2 × 2 merger makes one token of four patches.
 */
import { pyRound } from './pyMath';
import { countKind, SequenceBuilder } from './sequence';
import { ProcessorRefusal, type Architecture, type Budget, type Size } from './types';

/**
 * transformers' `models/qwen2_vl/image_processing_qwen2_vl.smart_resize` (the version that
 * refuses only an aspect ratio above 200 and keeps at least one factor per side when shrinking),
 * with Python's half-to-even `round`.
 * @example smartResize(70, 70, 28, 56 * 56, 28 * 28 * 1280) // { height: 56, width: 56 } (70 / 28 = 2.5 rounds to 2)
 */
export function smartResize(height: number, width: number, factor: number, minPixels: number, maxPixels: number): { height: number; width: number } {
  if (Math.max(height, width) / Math.min(height, width) > 200) {
    throw new ProcessorRefusal(`absolute aspect ratio must be smaller than 200, got ${Math.max(height, width) / Math.min(height, width)}`);
  }
  let hBar = pyRound(height / factor) * factor;
  let wBar = pyRound(width / factor) * factor;
  if (hBar * wBar > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    hBar = Math.max(factor, Math.floor(height / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (hBar * wBar < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    hBar = Math.ceil((height * beta) / factor) * factor;
    wBar = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: hBar, width: wBar };
}

// Qwen/Qwen2-VL-2B-Instruct: preprocessor_config.json min_pixels 3136, max_pixels 12845056,
// patch_size 14, temporal_patch_size 2, merge_size 2.
const QWEN = { patch: 14, merge: 2, minPixels: 3136, maxPixels: 12845056 };

export const qwen2vl: Architecture = {
  id: 'qwen2-vl',
  name: 'Qwen2-VL',
  checkpoint: 'Qwen/Qwen2-VL-2B-Instruct',
  source: 'transformers: models/qwen2_vl/image_processing_qwen2_vl.py (smart_resize), processing_qwen2_vl.py',
  rule: [
    'Round each side to a multiple of 28 (Python round: half to even); if the area leaves [min_pixels, max_pixels],',
    'scale by sqrt(area ratio) and floor (too big) or ceil (too small) to multiples of 28.',
    'One ViT pass over all 14 × 14 patches (the frame is doubled for the temporal patch); 2 × 2 patches merge into one token.',
  ],
  knobs: [
    { id: 'minPixels', label: 'min_pixels', min: 784, max: 1_003_520, step: 784, reference: QWEN.minPixels },
    { id: 'maxPixels', label: 'max_pixels', min: 3136, max: 16_056_320, step: 784, reference: QWEN.maxPixels },
  ],
  budget(size: Size, knobs): Budget {
    const factor = QWEN.patch * QWEN.merge;
    const { height, width } = smartResize(size.height, size.width, factor, knobs.minPixels ?? QWEN.minPixels, knobs.maxPixels ?? QWEN.maxPixels);
    const gridH = height / QWEN.patch;
    const gridW = width / QWEN.patch;
    // processing_qwen2_vl: image_grid_thw.prod() // merge_size ** 2, with grid_t = 1.
    const tokens = Math.floor((gridH * gridW) / QWEN.merge ** 2);
    const sequence = new SequenceBuilder().marker('<|vision_start|>').image('<|image_pad|>', tokens).marker('<|vision_end|>').build();
    return {
      resized: { width, height },
      grid: { rows: 1, cols: 1 },
      tiles: [{ x: 0, y: 0, width, height, row: 1, col: 1 }],
      global: null,
      encoderPasses: 1,
      encoderInput: { width, height },
      patchSize: QWEN.patch,
      reduction: { kind: 'merge', factor: QWEN.merge, name: 'patch merger 2 × 2 → 1' },
      visualTokens: countKind(sequence, 'image'),
      markerTokens: countKind(sequence, 'marker'),
      sequence,
      notes: [`Patch grid ${gridH} × ${gridW} (image_grid_thw [1, ${gridH}, ${gridW}]); ${gridH * gridW} patches → ${tokens} tokens.`],
    };
  },
};
