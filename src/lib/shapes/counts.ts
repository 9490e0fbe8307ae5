/**
 * Counting captions from one to four ("one circle", "three squares") and their truth. The
 * caption grammar (spec.json) says only "two circles"; the probes need every count a scene can
 * hold, and adding templates to the spec would renumber the meanings the forge trained on, so
 * counts are judged here, beside the grammar, without changing it.
 */
import { spec } from './spec';
import type { Scene } from './scene';

export const COUNT_WORDS: readonly string[] = ['none', 'one', 'two', 'three', 'four'];

/** The most shapes a counting caption speaks of. */
export const MAX_COUNT = 4;

/**
 * "one circle", "two circles", … for `n` from 1 to 4.
 * @example countCaption('square', 3) // "three squares"
 */
export function countCaption(kind: string, n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) throw new Error(`Counts go from 1 to ${MAX_COUNT}, not ${n}.`);
  const shape = spec.shapes.find((s) => s.id === kind);
  if (!shape) throw new Error(`Unknown shape "${kind}"`);
  return `${COUNT_WORDS[n]} ${n === 1 ? shape.words[0] : shape.plural}`;
}

/** Whether the scene holds exactly `n` shapes of `kind` (what "three circles" claims). */
export function countHolds(kind: string, n: number, scene: Scene): boolean {
  return scene.shapes.filter((s) => s.kind === kind).length === n;
}
