/**
 * Image and text embeddings on one map: both sets L2-normalised (CLIP compares them on the
 * unit sphere), projected together by one PCA, so the distance between the two clouds (the
 * modality gap) is visible. Neighbours are measured in the full embedding space, not on the
 * map, because two dimensions keep only part of the variance.
 */
import { normalizeRows } from '../contrastive/similarity';
import { pca } from './pca';

export type PointKind = 'image' | 'text';

export interface JointPoint {
  readonly kind: PointKind;
  /** Position in its own list: image i or text j. */
  readonly index: number;
  readonly x: number;
  readonly y: number;
}

export interface JointMap {
  /** Images first (positions 0 … N−1), then texts (N … N+M−1). */
  readonly points: readonly JointPoint[];
  /** The unit-length embeddings in the same order: `[N + M, dim]` row-major. */
  readonly unit: Float64Array;
  readonly dim: number;
  readonly imageCount: number;
  readonly textCount: number;
  /** Share of the variance on each map axis. */
  readonly explainedVarianceRatio: readonly [number, number];
}

/**
 * Projects images `[N, dim]` and texts `[M, dim]` (one array per embedding) to 2-D together.
 * Throws if the embeddings are empty or differ in length.
 *
 * @example
 * const map = jointMap([imageEmbed0, imageEmbed1], [textEmbed0]); // each a Float32Array [dim]
 * map.points; // 3 points: { kind: 'image', index: 0, x, y }, { kind: 'image', index: 1, … }, { kind: 'text', index: 0, … }
 */
export function jointMap(images: readonly ArrayLike<number>[], texts: readonly ArrayLike<number>[]): JointMap {
  const rows = [...images, ...texts];
  const dim = rows[0]?.length ?? 0;
  const odd = rows.findIndex((r) => r.length !== dim);
  if (odd >= 0) throw new Error(`Embeddings differ in size: ${dim} and ${rows[odd].length} values.`);
  if (rows.length > 0 && dim === 0) throw new Error('Embeddings are empty.');
  const stacked = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => stacked.set(r, i * dim));
  const unit = normalizeRows(stacked, rows.length, dim);
  const none = { points: [], unit, dim, imageCount: images.length, textCount: texts.length, explainedVarianceRatio: [0, 0] as const };
  if (rows.length === 0) return none;

  const projected = pca(unit, rows.length, dim, 2);
  // One dimension leaves no second axis: its points sit on y = 0.
  const coordinate = (i: number, c: number) => (c < projected.k ? projected.scores[i * projected.k + c] : 0);
  const points = rows.map((_, i): JointPoint => ({
    kind: i < images.length ? 'image' : 'text',
    index: i < images.length ? i : i - images.length,
    x: coordinate(i, 0),
    y: coordinate(i, 1),
  }));
  const ratio = projected.explainedVarianceRatio;
  return { ...none, points, explainedVarianceRatio: [ratio[0] ?? 0, ratio[1] ?? 0] };
}

/** Where a point sits in `map.points` (and `map.unit`). */
export function pointPosition(map: JointMap, kind: PointKind, index: number): number {
  return kind === 'image' ? index : map.imageCount + index;
}

/**
 * A segment from each image to its paired caption: `pairs[i]` is the text of image i, or null.
 * Pairs pointing outside the lists are skipped.
 */
export function pairLines(map: JointMap, pairs: readonly (number | null)[]): { image: JointPoint; text: JointPoint }[] {
  const lines: { image: JointPoint; text: JointPoint }[] = [];
  pairs.forEach((text, image) => {
    if (text === null || image >= map.imageCount || text < 0 || text >= map.textCount) return;
    lines.push({ image: map.points[image], text: map.points[map.imageCount + text] });
  });
  return lines;
}

export interface Neighbour {
  /** Position in `map.points`. */
  readonly position: number;
  readonly point: JointPoint;
  /** Cosine similarity in the full embedding space. */
  readonly cosine: number;
}

/**
 * The `k` points most cosine-similar to the point at `position`, from both modalities,
 * itself excluded; most similar first, earlier positions first on a tie.
 *
 * @example nearestNeighbours(map, 0, 5) // [{ position: 7, point: { kind: 'text', … }, cosine: 0.31 }, …]
 */
export function nearestNeighbours(map: JointMap, position: number, k = 5): Neighbour[] {
  const { unit, dim } = map;
  const all: Neighbour[] = [];
  map.points.forEach((point, other) => {
    if (other === position) return;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += unit[position * dim + j] * unit[other * dim + j];
    all.push({ position: other, point, cosine: dot });
  });
  return all.sort((a, b) => b.cosine - a.cosine || a.position - b.position).slice(0, k);
}

/**
 * The modality gap: the centroid of each cloud on the map (the projection is linear, so the
 * mean of projected points is the projected mean) and the distance between the two centroids
 * of the unit embeddings in the full space. Null unless both modalities have points.
 */
export function modalityGap(map: JointMap): { image: [number, number]; text: [number, number]; distance: number } | null {
  const { imageCount, textCount, unit, dim } = map;
  if (imageCount === 0 || textCount === 0) return null;
  const centroid = (from: number, count: number): [number, number] => {
    const slice = map.points.slice(from, from + count);
    return [slice.reduce((s, p) => s + p.x, 0) / count, slice.reduce((s, p) => s + p.y, 0) / count];
  };
  let squares = 0;
  for (let j = 0; j < dim; j++) {
    let difference = 0;
    for (let i = 0; i < imageCount; i++) difference += unit[i * dim + j] / imageCount;
    for (let i = imageCount; i < imageCount + textCount; i++) difference -= unit[i * dim + j] / textCount;
    squares += difference * difference;
  }
  return { image: centroid(0, imageCount), text: centroid(imageCount, textCount), distance: Math.sqrt(squares) };
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The map's coordinates as CSV, one row per point, full precision; `index` counts from 0
 * within its kind, as `pairs` does.
 * @example coordinatesCsv(map, ['Sample 1'], ['a red circle']) // 'kind,index,label,x,y\nimage,0,Sample 1,0.41…,-0.02…\ntext,0,a red circle,…\n'
 */
export function coordinatesCsv(map: JointMap, imageLabels: readonly string[], textLabels: readonly string[]): string {
  const lines = ['kind,index,label,x,y'];
  for (const p of map.points) {
    const label = (p.kind === 'image' ? imageLabels : textLabels)[p.index] ?? '';
    lines.push([p.kind, String(p.index), csvField(label), String(p.x), String(p.y)].join(','));
  }
  return lines.join('\n') + '\n';
}
