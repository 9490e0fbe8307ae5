/**
 * The frame of a 2-D projection: axis domains with equal units on both axes (a map that
 * stretched one axis would show distances that are not there), and the axes' names.
 */

export interface FrameOptions {
  /** Plot area in pixels. */
  readonly width: number;
  readonly height: number;
  /** Empty margin around the points, as a share of their larger extent. Default 0.08. */
  readonly padding?: number;
}

/**
 * x and y domains centred on the points, one data unit the same number of pixels on both
 * axes, the points filling the plot area as far as that allows. One point, or none, gets a
 * unit square around it (or the origin).
 *
 * @example equalAspectDomains([{ x: 0, y: 0 }, { x: 2, y: 1 }], { width: 200, height: 200, padding: 0 })
 * // { x: [0, 2], y: [-0.5, 1.5] }
 */
export function equalAspectDomains(
  points: readonly { readonly x: number; readonly y: number }[],
  { width, height, padding = 0.08 }: FrameOptions,
): { x: [number, number]; y: [number, number] } {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  if (points.length === 0) [x0, x1, y0, y1] = [0, 0, 0, 0];
  const pad = padding * Math.max(x1 - x0, y1 - y0);
  // Units per pixel: whichever axis is tighter sets it for both. No spread: a unit square.
  const perPixel = Math.max((x1 - x0 + 2 * pad) / width, (y1 - y0 + 2 * pad) / height) || 1 / Math.min(width, height);
  const halfX = (perPixel * width) / 2;
  const halfY = (perPixel * height) / 2;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { x: [cx - halfX, cx + halfX], y: [cy - halfY, cy + halfY] };
}

/**
 * An axis title: the component and its share of the variance.
 * @example varianceLabel(0, 0.4271) // 'PC1 (43% of variance)'
 */
export function varianceLabel(component: number, ratio: number): string {
  const percent = ratio * 100;
  const shown = percent > 0 && percent < 1 ? percent.toPrecision(1) : percent.toFixed(0);
  return `PC${component + 1} (${shown}% of variance)`;
}
