/**
 * Scenes: what is in a ShapesWorld image, in coordinates that do not depend on pixel size.
 * Positions and radii are fractions of the image side; (0, 0) is the top-left corner.
 */
import { spec, type ColourId, type RGB, type ShapeKind } from './spec';
import { seededRandom, pick, uniform, type Random } from './random';

export interface SceneShape {
  readonly kind: ShapeKind;
  readonly colour: ColourId;
  /** Centre, as fractions of the image side. */
  readonly cx: number;
  readonly cy: number;
  /** Radius of the shape's circumscribing circle, as a fraction of the image side. */
  readonly radius: number;
}

export interface Scene {
  readonly shapes: readonly SceneShape[];
  /** Background colour, 0–255 per channel. */
  readonly background: RGB;
}

/** Column (0 left, 1 middle, 2 right) of the 3×3 grid that holds the shape's centre. */
export function columnOf(shape: SceneShape): number {
  return Math.min(2, Math.max(0, Math.floor(shape.cx * 3)));
}

/** Row (0 top, 1 middle, 2 bottom) of the 3×3 grid that holds the shape's centre. */
export function rowOf(shape: SceneShape): number {
  return Math.min(2, Math.max(0, Math.floor(shape.cy * 3)));
}

export function sizeOf(shape: SceneShape): string {
  return shape.radius < spec.sizeThreshold ? spec.sizes[0].id : spec.sizes[1].id;
}

export const WHITE: RGB = [255, 255, 255];

export interface SceneOptions {
  /**
   * Number of shapes (1 to 4); default: 1 three times in four, else 2. Three or four shapes come
   * only when asked for, by a path of their own, so scenes of one or two shapes (and every
   * dataset drawn from them) are the same as before that option existed.
   */
  readonly count?: 1 | 2 | 3 | 4;
  /** Plain white background instead of a random one. */
  readonly plainBackground?: boolean;
}

const CELL_MARGIN = 0.05;

function centreInCell(random: Random, cell: number, radius: number): number {
  // Keep the centre away from cell borders (so its cell is unambiguous) and keep most
  // of the shape inside the image.
  const lo = Math.max(cell / 3 + CELL_MARGIN, radius * 0.55);
  const hi = Math.min((cell + 1) / 3 - CELL_MARGIN, 1 - radius * 0.55);
  return uniform(random, lo, Math.max(lo, hi));
}

function randomShape(random: Random, column: number, row: number, sizeIndex: number): SceneShape {
  const radius = uniform(random, ...spec.sizes[sizeIndex].radius);
  return {
    kind: pick(random, spec.shapes).id,
    colour: pick(random, spec.colours).id,
    cx: centreInCell(random, column, radius),
    cy: centreInCell(random, row, radius),
    radius,
  };
}

function randomBackground(random: Random): RGB {
  const { grey, dark, darkShare, tint } = spec.backgrounds;
  const level = random() < darkShare ? uniform(random, ...dark) : uniform(random, ...grey);
  const channel = () => Math.round(255 * Math.min(1, Math.max(0, level + uniform(random, -tint, tint))));
  return [channel(), channel(), channel()];
}

/** How far a shape reaches from its centre, at most, in nominal radii (a square's corner). */
export const EXTENT = 1.21;

function overlaps(a: SceneShape, b: SceneShape): boolean {
  return Math.hypot(a.cx - b.cx, a.cy - b.cy) < EXTENT * (a.radius + b.radius) + 0.02;
}

/**
 * A random scene from a random source.
 * @example generateScene(seededRandom(7)).shapes.length // 1 or 2
 */
export function generateScene(random: Random, options: SceneOptions = {}): Scene {
  const count = options.count ?? (random() < 0.75 ? 1 : 2);
  const background = options.plainBackground ? WHITE : randomBackground(random);
  const first = randomShape(random, Math.floor(random() * 3), Math.floor(random() * 3), Math.floor(random() * 2));
  if (count === 1) return { shapes: [first], background };
  if (count > 2) return { shapes: placeMore(random, first, count), background };
  for (let attempt = 0; attempt < 50; attempt++) {
    // Late attempts fall back to small shapes, which always fit in two different cells.
    const sizeIndex = attempt < 25 ? Math.floor(random() * 2) : 0;
    const column = Math.floor(random() * 3);
    const row = Math.floor(random() * 3);
    if (column === columnOf(first) && row === rowOf(first)) continue;
    const second = randomShape(random, column, row, sizeIndex);
    const firstFit = attempt < 25 ? first : { ...first, radius: Math.min(first.radius, spec.sizes[0].radius[1]) };
    if (!overlaps(firstFit, second)) return { shapes: [firstFit, second], background };
  }
  return { shapes: [first], background };
}

/**
 * Three or four shapes, each in a cell of its own and overlapping none: each new shape tries
 * random cells (small shapes after the first tries), and the ones placed before it shrink to
 * small when it cannot fit otherwise. A scene gets fewer shapes only if 60 tries all fail.
 */
function placeMore(random: Random, first: SceneShape, count: number): SceneShape[] {
  const shapes = [first];
  const small = spec.sizes[0].radius[1];
  for (let attempt = 0; attempt < 60 && shapes.length < count; attempt++) {
    const late = attempt >= 20;
    const column = Math.floor(random() * 3);
    const row = Math.floor(random() * 3);
    if (shapes.some((s) => columnOf(s) === column && rowOf(s) === row)) continue;
    const next = randomShape(random, column, row, late ? 0 : Math.floor(random() * 2));
    const placed = late ? shapes.map((s) => ({ ...s, radius: Math.min(s.radius, small) })) : shapes;
    if (placed.every((s) => !overlaps(s, next))) {
      shapes.splice(0, shapes.length, ...placed, next);
    }
  }
  return shapes;
}

/** The scene a seed stands for: the samples the playground offers are these. */
export function sceneFromSeed(seed: number, options: SceneOptions = {}): Scene {
  return generateScene(seededRandom(seed), options);
}
