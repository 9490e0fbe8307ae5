/**
 * The LLaVA family: LLaVA-1.5 (one centre-cropped square), LLaVA-NeXT (anyres: a grid chosen
 * from a few resolutions plus the whole image, padding cut off again in feature space, a
 * newline token per feature row) and LLaVA-OneVision (the same over a 6 × 6 range of grids,
 * pooled back toward 9 tiles' worth).
 */
import { patchOutputSize, selectBestResolution, unpaddedFeatures, type Pinpoint } from './anyres';
import { pyInt, pyIntDiv } from './pyMath';
import { countKind, SequenceBuilder } from './sequence';
import type { Architecture, Budget, Size, Tile } from './types';

const IMAGE = '<image>';

/**
 * transformers' `image_transforms.get_resize_output_image_size(size=s, default_to_square=False)`,
 * as CLIPImageProcessor calls it: the short side becomes `s`, the long side `int(s * long / short)`.
 */
export function resizeShortestEdge(size: Size, shortest: number): Size {
  const { width, height } = size;
  const [short, long] = width <= height ? [width, height] : [height, width];
  if (short === shortest) return size;
  const newLong = pyInt((shortest * long) / short);
  return width <= height ? { width: shortest, height: newLong } : { width: newLong, height: shortest };
}

/** The crops `divide_to_patches` cuts from the padded canvas, row by row. */
function gridTiles(rows: number, cols: number, side: number): Tile[] {
  const tiles: Tile[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) tiles.push({ x: c * side, y: r * side, width: side, height: side, row: r + 1, col: c + 1 });
  return tiles;
}

// llava-hf/llava-1.5-7b-hf: preprocessor_config.json (CLIPImageProcessor) size.shortest_edge 336,
// crop_size 336; processor_config.json patch_size 14, num_additional_image_tokens 1,
// vision_feature_select_strategy "default" (the CLS feature is dropped).
const LLAVA15 = { side: 336, patch: 14 };

export const llava15: Architecture = {
  id: 'llava-1.5',
  name: 'LLaVA-1.5',
  checkpoint: 'llava-hf/llava-1.5-7b-hf',
  source: 'transformers: models/clip/image_processing_clip.py, models/llava/processing_llava.py',
  rule: [
    'Resize the short side to 336 (long side: int(336 × long / short)), centre-crop 336 × 336.',
    'CLIP ViT-L/14-336: 24 × 24 patches; the "default" feature strategy drops the CLS token.',
    'Every patch is one token: 576 <image> tokens, whatever the image.',
  ],
  knobs: [],
  budget(size: Size): Budget {
    const resized = resizeShortestEdge(size, LLAVA15.side);
    const crop: Tile = {
      x: pyIntDiv(resized.width - LLAVA15.side, 2),
      y: pyIntDiv(resized.height - LLAVA15.side, 2),
      width: LLAVA15.side,
      height: LLAVA15.side,
      row: 1,
      col: 1,
    };
    const patches = (LLAVA15.side / LLAVA15.patch) ** 2;
    // processing_llava: (h // patch) * (w // patch) + num_additional_image_tokens, minus 1 for "default".
    const tokens = patches + 1 - 1;
    const sequence = new SequenceBuilder().image(IMAGE, tokens).build();
    const cropped = resized.width > LLAVA15.side || resized.height > LLAVA15.side;
    return {
      resized,
      grid: { rows: 1, cols: 1 },
      tiles: [crop],
      global: null,
      encoderPasses: 1,
      encoderInput: { width: LLAVA15.side, height: LLAVA15.side },
      patchSize: LLAVA15.patch,
      reduction: { kind: 'none' },
      visualTokens: countKind(sequence, 'image'),
      markerTokens: countKind(sequence, 'marker'),
      sequence,
      notes: cropped ? ['The centre crop drops the parts of the image outside the middle square.'] : [],
    };
  },
};

/** What anyres makes of one image, for LLaVA-NeXT and OneVision alike. */
function anyresBudget(
  size: Size,
  options: { side: number; patch: number; pinpoints: readonly Pinpoint[]; baseTokens: number; maxTiles: number | null },
): Budget {
  const { side, patch, pinpoints } = options;
  const [bestH, bestW] = selectBestResolution(size.height, size.width, pinpoints);
  const inside = patchOutputSize(size.height, size.width, [bestH, bestW]);
  const rows = bestH / side;
  const cols = bestW / side;
  // NeXT: height // patch_size; OneVision: int(sqrt(num_image_tokens)) = 27 = 384 // 14 as well.
  const patchesSide = pyIntDiv(side, patch);
  const features = unpaddedFeatures(size.height, size.width, patchesSide, patchesSide, pyIntDiv(bestH, side), pyIntDiv(bestW, side), options.maxTiles);
  const tokens = features.unpadded + features.newlines + options.baseTokens;
  const sequence = new SequenceBuilder().image(IMAGE, tokens).build();
  const notes = [
    `Best resolution ${bestW} × ${bestH} (width × height); the image fills ${inside.width} × ${inside.height} of it, centred, the rest is padding.`,
    `Features kept after unpadding: ${features.rows} rows × ${features.cols} columns + ${features.newlines} newline tokens + ${options.baseTokens} for the whole image.`,
  ];
  if (features.pooledBy !== null) notes.push(`More than ${options.maxTiles} tiles' worth: pooled by ${features.pooledBy.toFixed(4)} (bilinear).`);
  return {
    resized: { width: bestW, height: bestH },
    grid: { rows, cols },
    // _pad_for_patching centres the resized image: paste at ((W - w) // 2, (H - h) // 2).
    content: { x: pyIntDiv(bestW - inside.width, 2), y: pyIntDiv(bestH - inside.height, 2), width: inside.width, height: inside.height },
    tiles: gridTiles(rows, cols, side),
    global: { label: 'whole image', width: side, height: side },
    encoderPasses: rows * cols + 1,
    encoderInput: { width: side, height: side },
    patchSize: patch,
    reduction: features.pooledBy !== null ? { kind: 'pool', name: `bilinear pooling to ${features.rows} × ${features.cols}` } : { kind: 'none' },
    visualTokens: countKind(sequence, 'image'),
    markerTokens: 0,
    sequence,
    notes,
  };
}

// llava-hf/llava-v1.6-mistral-7b-hf: preprocessor_config.json (LlavaNextImageProcessor)
// crop_size 336, image_grid_pinpoints [[336,672],[672,336],[672,672],[1008,336],[336,1008]];
// processor_config.json patch_size 14, num_additional_image_tokens 1, strategy "default".
const NEXT_PINPOINTS: readonly Pinpoint[] = [[336, 672], [672, 336], [672, 672], [1008, 336], [336, 1008]];

export const llavaNext: Architecture = {
  id: 'llava-next',
  name: 'LLaVA-NeXT',
  checkpoint: 'llava-hf/llava-v1.6-mistral-7b-hf',
  source: 'transformers: models/llava_next/image_processing_llava_next.py, processing_llava_next.py; image_processing_utils.select_best_resolution',
  rule: [
    'Pick the grid resolution (of 5) that keeps the most pixels, then wastes the fewest; resize into it, pad, cut 336 × 336 tiles.',
    'Add the whole image resized to 336 × 336; every tile is 24 × 24 patches, one token each.',
    'The padding is cut off again in feature space (int(round(x, 7))) and each feature row ends in a newline token.',
  ],
  knobs: [],
  budget(size: Size): Budget {
    // base: 24 × 24 + 1 additional (CLS), minus 1 for the "default" strategy.
    return anyresBudget(size, { side: 336, patch: 14, pinpoints: NEXT_PINPOINTS, baseTokens: 576 + 1 - 1, maxTiles: null });
  },
};

// llava-hf/llava-onevision-qwen2-0.5b-ov-hf: preprocessor_config.json crop_size 384, pinpoints
// every [384·i, 384·j] for i, j in 1..6; processor_config.json num_image_tokens 729,
// vision_feature_select_strategy "full"; config.json vision_aspect_ratio "anyres_max_9".
const ONEVISION_PINPOINTS: readonly Pinpoint[] = Array.from({ length: 36 }, (_, k) => [384 * (Math.floor(k / 6) + 1), 384 * ((k % 6) + 1)] as const);

export const llavaOneVision: Architecture = {
  id: 'llava-onevision',
  name: 'LLaVA-OneVision',
  checkpoint: 'llava-hf/llava-onevision-qwen2-0.5b-ov-hf',
  source: 'transformers: models/llava_onevision/image_processing_llava_onevision.py, processing_llava_onevision.py',
  rule: [
    'Anyres over grids of 1–6 × 1–6 tiles of 384 (SigLIP, 27 × 27 = 729 tokens per tile), plus the whole image.',
    'Unpadded features get a newline per row; beyond 9 tiles\' worth (ratio > 1.1) they are pooled bilinearly by that ratio (anyres_max_9).',
    'Python float // decides the pooled rows and columns.',
  ],
  knobs: [],
  budget(size: Size): Budget {
    return anyresBudget(size, { side: 384, patch: 14, pinpoints: ONEVISION_PINPOINTS, baseTokens: 729, maxTiles: 9 });
  },
};
