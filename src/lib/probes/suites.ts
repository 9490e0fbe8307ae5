/**
 * The probe suites, drawn from a seed: each item is a minimal pair (two scenes, two captions)
 * that differs in exactly the property its suite probes. Every caption is judged on every scene
 * by ShapesWorld's truth function, and an item whose truth is not the suite's pattern is a bug
 * (`generateSuite` throws), so a model's score is always against the world's own answer.
 */
import { seededRandom, pick, uniform, type Random } from '../shapes/random';
import { spec } from '../shapes/spec';
import { captionText, holds, indexOfMeaning, meanings } from '../shapes/captions';
import { countCaption, countHolds, COUNT_WORDS } from '../shapes/counts';
import type { Scene, SceneShape } from '../shapes/scene';
import { ALL_CELLS, LARGE_RADIUS, colourIds, distinctCells, greyBackground, shapeIds, shapeInCell, twoOf, type Cell } from './layout';
import { SUITE_IDS, type Claim, type ProbeItem, type QaProbe, type Suite, type SuiteId } from './types';

/** The pair's two members: scenes, claims, what they differ in, and the questions for QA models. */
interface Pair {
  readonly scenes: readonly [Scene, Scene];
  readonly claims: readonly [Claim, Claim];
  readonly differs: string;
  readonly questions: readonly QaProbe[];
}

const word = (list: readonly { id: string; words: readonly string[] }[], id: string) => list.find((e) => e.id === id)!.words[0];
const colourWord = (id: string) => word(spec.colours, id);
const shapeWord = (id: string) => word(spec.shapes, id);
const relationWord = (id: string) => word(spec.relations, id);
const meaning = (id: string): Claim => ({ kind: 'meaning', id: meanings[indexOfMeaning(id)].id });

/** A caption's text in the grammar's canonical words. */
export function claimText(claim: Claim): string {
  return claim.kind === 'count' ? countCaption(claim.shape, claim.n) : captionText(meanings[indexOfMeaning(claim.id)]);
}

/** ShapesWorld's truth of a caption on a scene. */
export function claimHolds(claim: Claim, scene: Scene): boolean {
  return claim.kind === 'count' ? countHolds(claim.shape, claim.n, scene) : holds(meanings[indexOfMeaning(claim.id)], scene);
}

const yesNo = (image: 0 | 1, question: string, yes: boolean): QaProbe => ({ image, question, answer: yes ? 'yes' : 'no', options: 2, absent: !yes });
const mirror = (s: SceneShape, axis: 'x' | 'y'): SceneShape => (axis === 'x' ? { ...s, cx: 1 - s.cx } : { ...s, cy: 1 - s.cy });

/** Two cells in a line (a row or a column), the first before the second: where a relation shows. */
function cellsInLine(random: Random): { horizontal: boolean; near: Cell; far: Cell } {
  const horizontal = random() < 0.5;
  const line = Math.floor(random() * 3);
  const [near, far] = random() < 0.5 ? [0, 2] : random() < 0.5 ? [0, 1] : [1, 2];
  const cell = (k: number): Cell => (horizontal ? { row: line, column: k } : { row: k, column: line });
  return { horizontal, near: cell(near), far: cell(far) };
}

/** Two shapes in a line; the second image is the first mirrored, so "left of" becomes "right of". */
function spatialPair(random: Random): Pair {
  const [kindA, kindB] = twoOf(random, shapeIds());
  const [colourA, colourB] = twoOf(random, colourIds());
  const { horizontal, near, far } = cellsInLine(random);
  const background = greyBackground(random);
  const a = shapeInCell(random, kindA, colourA, near);
  const b = shapeInCell(random, kindB, colourB, far);
  const axis = horizontal ? 'x' : 'y';
  const [yes, no] = horizontal ? ['left-of', 'right-of'] : ['above', 'below'];
  const claim = (relation: string) => meaning(`relation:${colourA}:${kindA}:${relation}:${colourB}:${kindB}`);
  const question = `Is the ${colourWord(colourA)} ${shapeWord(kindA)} ${relationWord(yes)} the ${colourWord(colourB)} ${shapeWord(kindB)}?`;
  return {
    scenes: [{ shapes: [a, b], background }, { shapes: [mirror(a, axis), mirror(b, axis)], background }],
    claims: [claim(yes), claim(no)],
    differs: `${relationWord(yes)} / ${relationWord(no)}`,
    questions: [yesNo(0, question, true), yesNo(1, question, false)],
  };
}

/** Two shapes; the second image swaps their colours, and the captions swap which shape has which. */
function bindingPair(random: Random): Pair {
  const [kindA, kindB] = twoOf(random, shapeIds());
  const [c1, c2] = twoOf(random, colourIds());
  const [p, q] = distinctCells(random, 2);
  const background = greyBackground(random);
  const a = shapeInCell(random, kindA, c1, p);
  const b = shapeInCell(random, kindB, c2, q);
  const question = `Is there a ${colourWord(c1)} ${shapeWord(kindA)}?`;
  return {
    scenes: [{ shapes: [a, b], background }, { shapes: [{ ...a, colour: c2 }, { ...b, colour: c1 }], background }],
    claims: [meaning(`and:${c1}:${kindA}:${c2}:${kindB}`), meaning(`and:${c2}:${kindA}:${c1}:${kindB}`)],
    differs: `${colourWord(c1)} ${shapeWord(kindA)} / ${colourWord(c2)} ${shapeWord(kindA)}`,
    questions: [yesNo(0, question, true), yesNo(1, question, false)],
  };
}

/** Two shapes of one colour in a line; the second image swaps them; the captions use the same words in the other order. */
function orderPair(random: Random): Pair {
  const [kindA, kindB] = twoOf(random, shapeIds());
  const colour = pick(random, colourIds());
  const { horizontal, near, far } = cellsInLine(random);
  const background = greyBackground(random);
  const a = shapeInCell(random, kindA, colour, near);
  const b = shapeInCell(random, kindB, colour, far);
  const relation = horizontal ? 'left-of' : 'above';
  const swapped: [SceneShape, SceneShape] = [{ ...a, kind: kindB }, { ...b, kind: kindA }];
  const question = `Is the ${shapeWord(kindA)} ${relationWord(relation)} the ${shapeWord(kindB)}?`;
  return {
    scenes: [{ shapes: [a, b], background }, { shapes: swapped, background }],
    claims: [meaning(`relation:${colour}:${kindA}:${relation}:${colour}:${kindB}`), meaning(`relation:${colour}:${kindB}:${relation}:${colour}:${kindA}`)],
    differs: `${shapeWord(kindA)} first / ${shapeWord(kindB)} first`,
    questions: [yesNo(0, question, true), yesNo(1, question, false)],
  };
}

/** n shapes of one kind (and maybe one of another kind); the second image adds one more of the kind. */
function countingPair(random: Random, index: number): Pair {
  const n = 1 + (index % 3);
  const kind = pick(random, shapeIds());
  const other = pick(random, shapeIds().filter((k) => k !== kind));
  const distractor = random() < 0.5;
  const cells = distinctCells(random, n + 1 + (distractor ? 1 : 0));
  const background = greyBackground(random);
  const shapes = cells.slice(0, n).map((c) => shapeInCell(random, kind, pick(random, colourIds()), c));
  const extra = shapeInCell(random, kind, pick(random, colourIds()), cells[n]);
  const rest = distractor ? [shapeInCell(random, other, pick(random, colourIds()), cells[n + 1])] : [];
  const plural = spec.shapes.find((s) => s.id === kind)!.plural;
  const question = `How many ${plural} are there?`;
  return {
    scenes: [{ shapes: [...shapes, ...rest], background }, { shapes: [...shapes, extra, ...rest], background }],
    claims: [{ kind: 'count', shape: kind, n }, { kind: 'count', shape: kind, n: n + 1 }],
    differs: `${COUNT_WORDS[n]} / ${COUNT_WORDS[n + 1]}`,
    questions: [
      { image: 0, question, answer: COUNT_WORDS[n], options: 4, absent: false },
      { image: 1, question, answer: COUNT_WORDS[n + 1], options: 4, absent: false },
    ],
  };
}

/** One shape in both images; the other differs in colour and kind, so each caption names an object the other image lacks. */
function existencePair(random: Random): Pair {
  const [kindX, kindY] = twoOf(random, shapeIds());
  const [colourX, colourY] = twoOf(random, colourIds());
  // The shared shape is neither the named X nor the named Y.
  const base = { kind: pick(random, shapeIds()), colour: pick(random, colourIds().filter((c) => c !== colourX && c !== colourY)) };
  const [p, q] = distinctCells(random, 2);
  const background = greyBackground(random);
  const shared = shapeInCell(random, base.kind, base.colour, p);
  const x = shapeInCell(random, kindX, colourX, q);
  const question = `Is there a ${colourWord(colourY)} ${shapeWord(kindY)}?`;
  return {
    scenes: [{ shapes: [shared, x], background }, { shapes: [shared, { ...x, kind: kindY, colour: colourY }], background }],
    claims: [meaning(`colour-shape:${colourX}:${kindX}`), meaning(`colour-shape:${colourY}:${kindY}`)],
    differs: `${colourWord(colourX)} ${shapeWord(kindX)} / ${colourWord(colourY)} ${shapeWord(kindY)}`,
    questions: [yesNo(0, question, false), yesNo(1, question, true)],
  };
}

const CORNERS: readonly Cell[] = [{ row: 0, column: 0 }, { row: 0, column: 2 }, { row: 2, column: 0 }, { row: 2, column: 2 }];
const cellPhrase = (c: Cell) => spec.cells[c.row][c.column];

/**
 * A true caption against the same caption with one false detail added (a colour, a size or a
 * place). The second image makes that detail true, so the longer caption has an image of its own.
 */
function ignoredPair(random: Random, index: number): Pair {
  const detail = (['colour', 'size', 'cell'] as const)[index % 3];
  const kind = pick(random, shapeIds());
  const [colour, otherColour] = twoOf(random, colourIds());
  const [corner, opposite] = (() => {
    const c = pick(random, CORNERS);
    return [c, { row: 2 - c.row, column: 2 - c.column }];
  })();
  const background = greyBackground(random);
  // The second shape is of another kind, far away in the opposite corner.
  const other = shapeInCell(random, pick(random, shapeIds().filter((k) => k !== kind)), pick(random, colourIds()), opposite);
  const target = shapeInCell(random, kind, colour, corner);
  const it = `the ${colourWord(colour)} ${shapeWord(kind)}`;
  switch (detail) {
    case 'colour': {
      const question = `Is there a ${colourWord(otherColour)} ${shapeWord(kind)}?`;
      return {
        scenes: [{ shapes: [target, other], background }, { shapes: [{ ...target, colour: otherColour }, other], background }],
        claims: [meaning(`shape:${kind}`), meaning(`colour-shape:${otherColour}:${kind}`)],
        differs: `+ ${colourWord(otherColour)}`,
        questions: [yesNo(0, question, false), yesNo(1, question, true)],
      };
    }
    case 'size': {
      const large = { ...target, radius: uniform(random, ...LARGE_RADIUS) };
      const question = `Is ${it} big or small?`;
      return {
        scenes: [{ shapes: [target, other], background }, { shapes: [large, other], background }],
        claims: [meaning(`colour-shape:${colour}:${kind}`), meaning(`size-colour-shape:large:${colour}:${kind}`)],
        differs: '+ large',
        questions: [
          { image: 0, question, answer: 'small', options: 2, absent: false },
          { image: 1, question, answer: 'large', options: 2, absent: false },
        ],
      };
    }
    case 'cell': {
      // The target moves to an empty corner next to its own; the caption names that corner.
      const free = CORNERS.filter((c) => c !== corner && !(c.row === opposite.row && c.column === opposite.column));
      const to = pick(random, free);
      const moved = shapeInCell(random, kind, colour, to, target.radius);
      const question = `Where is ${it}?`;
      return {
        scenes: [{ shapes: [target, other], background }, { shapes: [moved, other], background }],
        claims: [meaning(`colour-shape:${colour}:${kind}`), meaning(`colour-shape-cell:${colour}:${kind}:${to.row}${to.column}`)],
        differs: `+ ${cellPhrase(to)}`,
        questions: [
          { image: 0, question, answer: cellPhrase(corner), options: 9, absent: false },
          { image: 1, question, answer: cellPhrase(to), options: 9, absent: false },
        ],
      };
    }
  }
}

const GENERATORS: Readonly<Record<SuiteId, (random: Random, index: number) => Pair>> = {
  spatial: spatialPair,
  binding: bindingPair,
  order: orderPair,
  counting: countingPair,
  existence: existencePair,
  ignored: ignoredPair,
};

/** The truth pattern each suite's items must have: Winoground's diagonal, or (ignored words) the longer caption true of the second image only. */
export const EXPECTED_TRUTH: Readonly<Record<SuiteId, ProbeItem['truth']>> = {
  spatial: [[true, false], [false, true]],
  binding: [[true, false], [false, true]],
  order: [[true, false], [false, true]],
  counting: [[true, false], [false, true]],
  existence: [[true, false], [false, true]],
  ignored: [[true, false], [true, true]],
};

/** The seed of one item: the suite's seed, the suite and the item's index, mixed. */
export function itemSeed(seed: number, suite: SuiteId, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(SUITE_IDS.indexOf(suite) + 1, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

/** One item of a suite, from its seed. */
export function generateItem(suite: SuiteId, seed: number, index: number): ProbeItem {
  const s = itemSeed(seed, suite, index);
  const pair = GENERATORS[suite](seededRandom(s), index);
  const truth = pair.scenes.map((scene) => pair.claims.map((claim) => claimHolds(claim, scene))) as unknown as ProbeItem['truth'];
  const expected = EXPECTED_TRUTH[suite];
  if (truth.some((row, i) => row.some((t, c) => t !== expected[i][c]))) {
    throw new Error(`Probe ${suite} #${index} (seed ${seed}): the truth ${JSON.stringify(truth)} is not the suite's ${JSON.stringify(expected)}.`);
  }
  return {
    suite,
    index,
    seed: s,
    scenes: pair.scenes,
    captions: [claimText(pair.claims[0]), claimText(pair.claims[1])],
    claims: pair.claims,
    truth,
    differs: pair.differs,
    questions: pair.questions,
  };
}

/**
 * `count` items of a suite from a seed: the same seed gives the same items on every machine.
 * @example generateSuite('spatial', 7, 24).items[0].captions // ["a red circle to the left of a blue square", "… to the right of …"]
 */
export function generateSuite(id: SuiteId, seed: number, count: number): Suite {
  return { id, seed, items: Array.from({ length: count }, (_, k) => generateItem(id, seed, k)) };
}
