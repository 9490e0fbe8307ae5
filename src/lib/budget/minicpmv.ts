/**
 * MiniCPM-V 2.6's adaptive slicing (`image_processing_minicpmv.py` shipped with the
 * checkpoint): the number of 448²-sized slices the area calls for (at most `max_slice_nums`),
 * the grid whose log aspect ratio is closest to the image's among those counts ±1, the
 * whole image resized as the source view, and 64 resampler queries for each view.
 */
import { pyInt, pyRound } from './pyMath';
import { countKind, SequenceBuilder } from './sequence';
import type { Architecture, Budget, Size, Tile } from './types';

// openbmb/MiniCPM-V-2_6: preprocessor_config.json max_slice_nums 9, scale_resolution 448,
// patch_size 14, image_feature_size 64, use_image_id true, slice_mode true.
const MINICPM = { scale: 448, patch: 14, queries: 64, maxSlices: 9 };

/** `ensure_divide`: the nearest multiple (Python round, half to even), at least one. */
export function ensureDivide(length: number, patch: number): number {
  return Math.max(pyRound(length / patch) * patch, patch);
}

/** `find_best_resize`: shrink (or, allowed, grow) to about scale² pixels at the image's aspect, sides multiples of the patch. */
export function findBestResize(width: number, height: number, scale: number, patch: number, allowUpscale: boolean): Size {
  if (width * height > scale * scale || allowUpscale) {
    const r = width / height;
    height = pyInt(scale / Math.sqrt(r));
    width = pyInt(height * r);
  }
  return { width: ensureDivide(width, patch), height: ensureDivide(height, patch) };
}

/** `get_sliced_grid`: `[columns, rows]`, or null when the image is not sliced. */
export function slicedGrid(width: number, height: number, maxSlices: number, scale: number): readonly [number, number] | null {
  const logRatio = Math.log(width / height);
  const ratio = (width * height) / (scale * scale);
  const multiple = Math.min(Math.ceil(ratio), maxSlices);
  if (multiple <= 1) return null;
  const counts = [multiple - 1, multiple, multiple + 1].filter((n) => n !== 1 && n <= maxSlices);
  let best: readonly [number, number] = [1, 1];
  let minError = Infinity;
  for (const n of counts) {
    for (let m = 1; m <= n; m++) {
      if (n % m !== 0) continue;
      const error = Math.abs(logRatio - Math.log(m / (n / m)));
      if (error < minError) {
        best = [m, n / m];
        minError = error;
      }
    }
  }
  return best;
}

/** `get_refine_size`: the size the image is resized to before it is cut into the grid's slices. */
export function refineSize(width: number, height: number, grid: readonly [number, number], scale: number, patch: number): Size {
  const [gx, gy] = grid;
  const refineW = ensureDivide(width, gx);
  const refineH = ensureDivide(height, gy);
  const best = findBestResize(refineW / gx, refineH / gy, scale, patch, true);
  return { width: best.width * gx, height: best.height * gy };
}

export const minicpmv: Architecture = {
  id: 'minicpm-v-2.6',
  name: 'MiniCPM-V 2.6',
  checkpoint: 'openbmb/MiniCPM-V-2_6',
  source: 'openbmb/MiniCPM-V-2_6: image_processing_minicpmv.py (get_sliced_grid, find_best_resize, get_refine_size), processing_minicpmv.py',
  rule: [
    'Slices wanted: ceil(area / 448²), at most max_slice_nums; among grids of that count ±1, the one closest in log aspect ratio.',
    'The whole image is resized to about 448² (sides rounded to multiples of 14, Python round); the slices come from a refined resize.',
    'Each view: SigLIP patch 14, then a resampler of 64 queries; <image>…</image> for the source, <slice>…</slice> per slice.',
  ],
  knobs: [{ id: 'maxSlices', label: 'Max slices (max_slice_nums)', min: 1, max: 16, step: 1, reference: MINICPM.maxSlices }],
  budget(size: Size, knobs): Budget {
    const maxSlices = knobs.maxSlices ?? MINICPM.maxSlices;
    const grid = slicedGrid(size.width, size.height, maxSlices, MINICPM.scale);
    const source = findBestResize(size.width, size.height, MINICPM.scale, MINICPM.patch, grid === null);
    const b = new SequenceBuilder()
      .marker('<image_id>').text('0').marker('</image_id>')
      .marker('<image>').image('<unk>', MINICPM.queries).marker('</image>');
    const tiles: Tile[] = [];
    let canvas = source;
    if (grid) {
      const [cols, rows] = grid;
      canvas = refineSize(size.width, size.height, grid, MINICPM.scale, MINICPM.patch);
      // split_to_patches: int(width / cols) × int(height / rows) boxes, row by row.
      const sliceW = pyInt(canvas.width / cols);
      const sliceH = pyInt(canvas.height / rows);
      for (let r = 0; r < rows; r++) {
        if (r > 0) b.text('\n');
        for (let c = 0; c < cols; c++) {
          tiles.push({ x: c * sliceW, y: r * sliceH, width: sliceW, height: sliceH, row: r + 1, col: c + 1 });
          b.marker('<slice>').image('<unk>', MINICPM.queries).marker('</slice>');
        }
      }
    }
    const sequence = b.build();
    return {
      resized: canvas,
      grid: grid ? { rows: grid[1], cols: grid[0] } : { rows: 0, cols: 0 },
      tiles,
      global: { label: 'source image', width: source.width, height: source.height },
      encoderPasses: tiles.length + 1,
      encoderInput: tiles.length ? { width: tiles[0].width, height: tiles[0].height } : source,
      patchSize: MINICPM.patch,
      reduction: { kind: 'resampler', queries: MINICPM.queries, name: 'resampler, 64 queries' },
      visualTokens: countKind(sequence, 'image'),
      markerTokens: countKind(sequence, 'marker'),
      sequence,
      notes: grid
        ? [`Source view ${source.width} × ${source.height}; slices cut from ${canvas.width} × ${canvas.height}.`]
        : [`Not sliced: the image is resized (up or down) to ${source.width} × ${source.height}.`],
    };
  },
};
