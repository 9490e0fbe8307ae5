/**
 * Scenes for the probes, placed by hand on ShapesWorld's 3 × 3 grid: each shape near the
 * centre of a cell of its own, small enough that shapes in neighbouring cells never touch, so
 * the two members of a pair can differ in exactly one property (a colour, a position, one more
 * shape) and everything else stays put.
 */
import { spec } from '../shapes/spec';
import type { Scene, SceneShape } from '../shapes/scene';
import { uniform, type Random } from '../shapes/random';

/** Radii of probe shapes: all "small", and two neighbours' reaches stay apart. */
export const SMALL_RADIUS: readonly [number, number] = [0.09, 0.115];
/** A "large" shape (above spec.sizeThreshold); it needs its neighbouring cells empty. */
export const LARGE_RADIUS: readonly [number, number] = [0.2, 0.23];
const JITTER = 0.01;

export interface Cell {
  readonly row: number;
  readonly column: number;
}

/** A shape near the centre of a cell. */
export function shapeInCell(random: Random, kind: string, colour: string, cell: Cell, radius = uniform(random, ...SMALL_RADIUS)): SceneShape {
  return {
    kind,
    colour,
    cx: (cell.column + 0.5) / 3 + uniform(random, -JITTER, JITTER),
    cy: (cell.row + 0.5) / 3 + uniform(random, -JITTER, JITTER),
    radius,
  };
}

/** A grey background in ShapesWorld's range of light ones, the same for both members of a pair. */
export function greyBackground(random: Random): Scene['background'] {
  const level = Math.round(255 * uniform(random, ...spec.backgrounds.grey));
  return [level, level, level];
}

/** `count` different cells, in random order. */
export function distinctCells(random: Random, count: number, from: readonly Cell[] = ALL_CELLS): Cell[] {
  const pool = [...from];
  const out: Cell[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(random() * pool.length) % pool.length, 1)[0]);
  return out;
}

export const ALL_CELLS: readonly Cell[] = [0, 1, 2].flatMap((row) => [0, 1, 2].map((column) => ({ row, column })));

/** Two different entries of a list. */
export function twoOf<T>(random: Random, items: readonly T[]): [T, T] {
  const [a, b] = distinctCells(random, 2, items.map((_, k) => ({ row: 0, column: k }))).map((c) => items[c.column]);
  return [a, b];
}

export const shapeIds = () => spec.shapes.map((s) => s.id);
export const colourIds = () => spec.colours.map((c) => c.id);
