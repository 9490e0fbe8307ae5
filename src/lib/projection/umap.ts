/**
 * UMAP of the joint image + caption points, computed in small slices so the page stays
 * responsive: each slice runs a few optimisation epochs, then yields to the event loop.
 * Seeded, so the same inputs give the same map.
 */
import { UMAP } from 'umap-js';
import { seededRandom } from '../shapes/random';

export interface UmapOptions {
  readonly seed?: number;
  /** Neighbours per point (UMAP's balance between local and global structure). */
  readonly neighbours?: number;
  /** Milliseconds of work between yields. */
  readonly sliceMs?: number;
  /** Stops early (resolving null) when it returns true: the inputs changed. */
  readonly cancelled?: () => boolean;
}

/** Fewest points UMAP is run on: below this its neighbour graph means little. */
export const UMAP_MIN_POINTS = 4;

/**
 * 2-D UMAP coordinates of `[n, dim]` row-major points, `[n, 2]` row-major.
 * @example await umapCoordinates(unit, 16, 64) // Float64Array(32)
 */
export async function umapCoordinates(data: ArrayLike<number>, n: number, dim: number, options: UmapOptions = {}): Promise<Float64Array | null> {
  if (n < UMAP_MIN_POINTS) throw new Error(`UMAP needs at least ${UMAP_MIN_POINTS} points; there are ${n}.`);
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: dim }, (_, k) => data[i * dim + k]));
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(options.neighbours ?? 15, n - 1), minDist: 0.1, random: seededRandom(options.seed ?? 7) });
  const epochs = umap.initializeFit(rows);
  const slice = options.sliceMs ?? 8;
  for (let epoch = 0; epoch < epochs; ) {
    const started = performance.now();
    while (epoch < epochs && performance.now() - started < slice) epoch = umap.step();
    if (options.cancelled?.()) return null;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return Float64Array.from(umap.getEmbedding().flat());
}
