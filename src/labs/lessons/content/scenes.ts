/** Inputs the lessons share: the page's first four samples with their captions, and simple scenes. */
import type { LinkedImage } from '../../../lib/link/inputs';
import type { ColourId, ShapeKind } from '../../../lib/shapes/spec';
import { WHITE } from '../../../lib/shapes/scene';

/** Samples 1–4, as the page opens. */
export const SAMPLES: LinkedImage[] = [1, 2, 3, 4].map((seed) => ({ kind: 'sample', seed }));
/** Their captions, in the same order (the pairs of the loss). */
export const SAMPLE_CAPTIONS = ['a green square', 'a red triangle', 'a red circle', 'a yellow triangle to the right of a green triangle'];

/** One shape on white. */
export function scene(...shapes: [ShapeKind, ColourId, number, number, number][]): LinkedImage {
  return { kind: 'composed', scene: { shapes: shapes.map(([kind, colour, cx, cy, radius]) => ({ kind, colour, cx, cy, radius })), background: WHITE } };
}
