/**
 * InternVL2.5's dynamic tiling (`dynamic_preprocess` and `find_closest_aspect_ratio` in the
 * model card's README and OpenGVLab/InternVL's internvl_chat): the grid of 448-pixel tiles
 * (at most `max_num`) whose aspect ratio is closest to the image's, the image stretched onto
 * it, plus a 448 × 448 thumbnail when there is more than one tile.
 */
import ratioOrder from './internvl-ratio-order.json';
import { countKind, SequenceBuilder } from './sequence';
import type { Architecture, Budget, Size, Tile } from './types';

/** Candidate grids `[columns, rows]` in the order Python visits them (see tooling/budget/internvl-ratio-order.py). */
export function candidateGrids(maxNum: number): readonly (readonly [number, number])[] {
  const order = (ratioOrder.orders as Record<string, number[][]>)[String(maxNum)];
  if (!order) throw new RangeError(`max tiles must be between 1 and ${Object.keys(ratioOrder.orders).length}`);
  return order as unknown as readonly (readonly [number, number])[];
}

/**
 * `find_closest_aspect_ratio`: the first grid with the smallest aspect difference, except that
 * an equally close later grid wins when the image has more than half its pixels.
 */
export function closestGrid(width: number, height: number, maxNum: number, imageSize: number): readonly [number, number] {
  const aspect = width / height;
  const area = width * height;
  let bestDiff = Infinity;
  let best: readonly [number, number] = [1, 1];
  for (const ratio of candidateGrids(maxNum)) {
    const diff = Math.abs(aspect - ratio[0] / ratio[1]);
    if (diff < bestDiff) {
      bestDiff = diff;
      best = ratio;
    } else if (diff === bestDiff && area > 0.5 * imageSize * imageSize * ratio[0] * ratio[1]) {
      best = ratio;
    }
  }
  return best;
}

// OpenGVLab/InternVL2_5-1B: README load_image(input_size=448, max_num=12), use_thumbnail=True;
// config.json force_image_size 448, downsample_ratio 0.5, vision_config.patch_size 14, so
// num_image_token = int((448 // 14) ** 2 * 0.5 ** 2) = 256.
const INTERNVL = { side: 448, patch: 14, tokensPerTile: 256 };

export const internvl: Architecture = {
  id: 'internvl2.5',
  name: 'InternVL2.5',
  checkpoint: 'OpenGVLab/InternVL2_5-1B',
  source: 'InternVL2_5-1B README (dynamic_preprocess, find_closest_aspect_ratio); OpenGVLab/InternVL internvl_chat',
  rule: [
    'Among grids of i × j 448-pixel tiles with i · j ≤ max_num, take the one whose aspect ratio is closest to the image\'s.',
    'Stretch the image onto it (aspect not kept), cut the tiles, add a 448 × 448 thumbnail when there is more than one.',
    'InternViT patch 14 (32 × 32 per tile), pixel shuffle 0.5 → 256 tokens per tile, between <img> and </img>.',
  ],
  knobs: [{ id: 'maxTiles', label: 'Max tiles (max_num)', min: 1, max: 24, step: 1, reference: 12 }],
  budget(size: Size, knobs): Budget {
    const maxNum = knobs.maxTiles ?? 12;
    const [cols, rows] = closestGrid(size.width, size.height, maxNum, INTERNVL.side);
    const canvas = { width: INTERNVL.side * cols, height: INTERNVL.side * rows };
    const tiles: Tile[] = [];
    for (let k = 0; k < rows * cols; k++) {
      tiles.push({ x: (k % cols) * INTERNVL.side, y: Math.floor(k / cols) * INTERNVL.side, width: INTERNVL.side, height: INTERNVL.side, row: Math.floor(k / cols) + 1, col: (k % cols) + 1 });
    }
    const thumbnail = tiles.length !== 1;
    const passes = tiles.length + (thumbnail ? 1 : 0);
    const sequence = new SequenceBuilder().marker('<img>').image('<IMG_CONTEXT>', INTERNVL.tokensPerTile * passes).marker('</img>').build();
    return {
      resized: canvas,
      grid: { rows, cols },
      tiles,
      global: thumbnail ? { label: 'thumbnail', width: INTERNVL.side, height: INTERNVL.side } : null,
      encoderPasses: passes,
      encoderInput: { width: INTERNVL.side, height: INTERNVL.side },
      patchSize: INTERNVL.patch,
      reduction: { kind: 'merge', factor: 2, name: 'pixel shuffle 2 × 2 → 1' },
      visualTokens: countKind(sequence, 'image'),
      markerTokens: countKind(sequence, 'marker'),
      sequence,
      notes: [`Grid ${cols} × ${rows} (columns × rows, aspect ${(cols / rows).toFixed(3)} for the image's ${(size.width / size.height).toFixed(3)}).`],
    };
  },
};
