/**
 * The caption grammar and its vocabulary: meanings, truth of partial captions, sampling,
 * and the tokenizer words.
 */
import { describe, expect, it } from 'vitest';
import {
  BOS_ID, captionText, GOLDEN_CAPTIONS, encodeCaption, EOS_ID, fullCaption, generateScene, holds, indexOfMeaning,
  MAX_TEXT_TOKENS, meanings, sampleCaption, seededRandom, spec, UNK_ID, vocabulary, type Meaning, type Scene, type SceneShape,
} from '../../src/lib/shapes';

const WHITE = [255, 255, 255] as const;
const shape = (kind: string, colour: string, cx: number, cy: number, radius = 0.1): SceneShape => ({ kind, colour, cx, cy, radius });

/** The one meaning whose canonical text is `text`. */
function said(text: string): Meaning {
  const found = meanings.filter((m) => captionText(m) === text);
  expect(found, `meanings saying "${text}"`).toHaveLength(1);
  return found[0];
}

describe('meanings', () => {
  it('has unique ids, each found again by indexOfMeaning', () => {
    expect(new Set(meanings.map((m) => m.id)).size).toBe(meanings.length);
    meanings.forEach((m, i) => expect(indexOfMeaning(m.id)).toBe(i));
    expect(() => indexOfMeaning('colour-shape:purple:circle')).toThrow(/purple/);
  });

  it('enumerates every slot combination (counted by hand)', () => {
    // full 2·4·3·9, colour-shape 4·3, shape 3, something-colour 4, size-shape 2·3, size-colour-shape 2·4·3,
    // shape-column 3·2, shape-row 3·2, colour-shape-column 4·3·2, colour-shape-row 4·3·2,
    // colour-shape-cell 4·3·9, something-colour-cell 4·9, relation 4·3·4·4·3, and 4·3·4·3, count 3, two-shapes 1
    const expected = 216 + 12 + 3 + 4 + 6 + 24 + 6 + 6 + 24 + 24 + 108 + 36 + 576 + 144 + 3 + 1;
    expect(meanings.length).toBe(expected);
    expect(meanings[indexOfMeaning('colour-shape:red:circle')].slots).toEqual({ colour: 'red', shape: 'circle' });
  });

  it('says meanings with canonical words, or synonyms from a random source', () => {
    expect(captionText(meanings[indexOfMeaning('colour-shape:red:circle')])).toBe('a red circle');
    expect(captionText(meanings[indexOfMeaning('full:small:blue:triangle:22')])).toBe('a small blue triangle at the bottom right');
    expect(captionText(meanings[indexOfMeaning('relation:green:square:above:yellow:circle')])).toBe('a green square above a yellow circle');
    expect(captionText(meanings[indexOfMeaning('count:triangle')])).toBe('two triangles');
    const m = meanings[indexOfMeaning('size-shape:large:square')];
    const random = seededRandom(3);
    const texts = new Set(Array.from({ length: 100 }, () => captionText(m, random)));
    expect(texts).toEqual(new Set(['a large square', 'a big square']));
  });
});

describe('holds', () => {
  const redCircleLeft: Scene = { shapes: [shape('circle', 'red', 0.15, 0.5)], background: WHITE };

  it('judges partial descriptions of a red circle on the left', () => {
    for (const t of ['a red circle', 'something red', 'a circle on the left', 'a circle', 'a small circle', 'a small red circle',
      'a small red circle at the centre left', 'a red circle on the left', 'something red at the centre left']) expect(holds(said(t), redCircleLeft), t).toBe(true);
    for (const t of ['a blue circle', 'a circle on the right', 'a red square', 'something blue', 'a large circle',
      'a circle at the top', 'a circle at the bottom', 'a small red circle in the centre', 'something red at the top left',
      'two shapes', 'two circles', 'a red circle and a red circle']) expect(holds(said(t), redCircleLeft), t).toBe(false);
  });

  it('uses the size threshold and the 3 × 3 grid', () => {
    const big: Scene = { shapes: [shape('square', 'yellow', 0.9, 0.1, 0.25)], background: WHITE };
    expect(holds(said('a large yellow square at the top right'), big)).toBe(true);
    expect(holds(said('a large square'), big)).toBe(true);
    expect(holds(said('a small square'), big)).toBe(false);
    expect(holds(said('a square at the top'), big)).toBe(true); // row phrase: any column
    expect(holds(said('a square on the right'), big)).toBe(true); // column phrase: any row
    expect(holds(said('a large yellow square at the top left'), big)).toBe(false);
  });

  it('judges relations and conjunctions between two shapes', () => {
    // Red circle middle-left, blue square top-right.
    const scene: Scene = { shapes: [shape('circle', 'red', 0.15, 0.5), shape('square', 'blue', 0.85, 0.15)], background: WHITE };
    for (const t of ['a red circle to the left of a blue square', 'a blue square to the right of a red circle',
      'a blue square above a red circle', 'a red circle below a blue square', 'a red circle and a blue square',
      'a blue square and a red circle', 'two shapes', 'a red circle', 'a square on the right']) expect(holds(said(t), scene), t).toBe(true);
    for (const t of ['a red circle to the right of a blue square', 'a red circle above a blue square',
      'a blue square below a red circle', 'a red circle to the left of a red circle', 'a red circle and a green square',
      'a red circle to the left of a blue circle', 'two circles', 'two squares']) expect(holds(said(t), scene), t).toBe(false);
  });

  it('needs different columns for left/right and different rows for above/below', () => {
    // Same column, green triangle above yellow circle.
    const scene: Scene = { shapes: [shape('triangle', 'green', 0.5, 0.15), shape('circle', 'yellow', 0.5, 0.85)], background: WHITE };
    expect(holds(said('a green triangle above a yellow circle'), scene)).toBe(true);
    expect(holds(said('a yellow circle below a green triangle'), scene)).toBe(true);
    expect(holds(said('a green triangle to the left of a yellow circle'), scene)).toBe(false);
    expect(holds(said('a green triangle to the right of a yellow circle'), scene)).toBe(false);
    // Same row, side by side: neither above nor below.
    const row: Scene = { shapes: [shape('circle', 'red', 0.15, 0.5), shape('square', 'blue', 0.85, 0.5)], background: WHITE };
    for (const t of ['a red circle above a blue square', 'a red circle below a blue square', 'a blue square below a red circle',
      'a blue square above a red circle']) expect(holds(said(t), row), t).toBe(false);
    expect(holds(said('a blue square to the right of a red circle'), row)).toBe(true);
    const circles: Scene = { shapes: [shape('circle', 'red', 0.15, 0.15), shape('circle', 'blue', 0.85, 0.85)], background: WHITE };
    expect(holds(said('two circles'), circles)).toBe(true);
    expect(holds(said('a red circle to the left of a blue circle'), circles)).toBe(true);
    expect(holds(said('a blue circle to the left of a red circle'), circles)).toBe(false);
  });

  // Fails today: "a red circle on the left" is the text of both colour-shape-column:red:circle:left
  // (any row) and colour-shape-cell:red:circle:10 (middle row only), so the same words are judged
  // true and false of the same image; likewise for every colour × shape with "on the right",
  // "at the top" and "at the bottom" (48 texts).
  it('judges a caption text the same whichever meaning produced it', () => {
    const topLeft: Scene = { shapes: [shape('circle', 'red', 0.15, 0.15)], background: WHITE };
    const sameText = meanings.filter((m) => captionText(m) === 'a red circle on the left');
    expect(sameText.length).toBeGreaterThan(0);
    expect(new Set(sameText.map((m) => holds(m, topLeft))).size, sameText.map((m) => m.id).join(' / ')).toBe(1);
    const byText = new Map<string, Meaning[]>();
    for (const m of meanings) byText.set(captionText(m), [...(byText.get(captionText(m)) ?? []), m]);
    const scenes = Array.from({ length: 300 }, (_, s) => generateScene(seededRandom(s)));
    const inconsistent = [...byText].filter(([, ms]) => scenes.some((sc) => new Set(ms.map((m) => holds(m, sc))).size > 1));
    expect(inconsistent.map(([text]) => text)).toEqual([]);
  });
});

describe('fullCaption and sampleCaption', () => {
  const scenes = Array.from({ length: 3000 }, (_, s) => generateScene(seededRandom(s)));

  it('fullCaption holds, and is the full template or a relation', () => {
    for (const scene of scenes) {
      const m = fullCaption(scene);
      expect(holds(m, scene)).toBe(true);
      expect(m.template.id).toBe(scene.shapes.length === 1 ? 'full' : 'relation');
    }
    expect(captionText(fullCaption({ shapes: [shape('triangle', 'green', 0.5, 0.5, 0.25)], background: WHITE })))
      .toBe('a large green triangle in the centre');
  });

  it('samples only true captions, reaching every template, relation and slot value', () => {
    const templates = new Set<string>(), relations = new Set<string>(), cells = new Set<string>(), words = new Set<string>();
    const colours = new Set<string>(), kinds = new Set<string>(), sizes = new Set<string>();
    scenes.forEach((scene, s) => {
      const random = seededRandom(1_000_000 + s);
      const m = sampleCaption(scene, random);
      expect(holds(m, scene), m.id).toBe(true);
      templates.add(m.template.id);
      const { relation, cell, colour, colour2, shape: kind, shape2, size } = m.slots;
      if (relation) relations.add(relation);
      if (cell) cells.add(cell);
      for (const c of [colour, colour2]) if (c) colours.add(c);
      for (const k of [kind, shape2]) if (k) kinds.add(k);
      if (size) sizes.add(size);
      captionText(m, random).split(' ').forEach((w) => words.add(w));
    });
    const specTemplates = [...spec.templates.one, ...spec.templates.two].map((t) => t.id);
    expect(templates).toEqual(new Set(specTemplates));
    expect(relations).toEqual(new Set(['left-of', 'right-of', 'above', 'below']));
    expect(cells).toEqual(new Set(['00', '01', '02', '10', '11', '12', '20', '21', '22']));
    expect(colours).toEqual(new Set(['red', 'green', 'blue', 'yellow']));
    expect(kinds).toEqual(new Set(['circle', 'square', 'triangle']));
    expect(sizes).toEqual(new Set(['small', 'large']));
    for (const w of ['little', 'big', 'small', 'large', 'circles', 'squares', 'triangles']) expect(words.has(w), w).toBe(true);
  });

  it('is deterministic for a seed', () => {
    for (let s = 0; s < 50; s++) expect(sampleCaption(scenes[s], seededRandom(s)).id).toBe(sampleCaption(scenes[s], seededRandom(s)).id);
  });
});

describe('vocabulary and encodeCaption', () => {
  const id = (w: string) => vocabulary.indexOf(w);

  it('starts with the special tokens, then sorted unique words', () => {
    expect(vocabulary.slice(0, 4)).toEqual(['[PAD]', '[UNK]', '[BOS]', '[EOS]']);
    const words = vocabulary.slice(4);
    expect(new Set(words).size).toBe(words.length);
    expect([...words].sort()).toEqual(words);
    for (const w of ['a', 'something', 'two', 'shapes', 'and', 'of', 'to', 'in', 'little', 'big', 'triangles']) expect(id(w), w).toBeGreaterThan(3);
  });

  it('encodes every meaning, with every synonym, without UNK and within MAX_TEXT_TOKENS', () => {
    const random = seededRandom(11);
    for (const m of meanings) {
      for (const text of [captionText(m), captionText(m, random), captionText(m, random)]) {
        const ids = encodeCaption(text);
        expect(ids.includes(UNK_ID), text).toBe(false);
        expect(ids.length).toBeLessThanOrEqual(MAX_TEXT_TOKENS);
        expect(ids.slice(1, -1).map((i) => vocabulary[i]).join(' ')).toBe(text);
      }
    }
  });

  it('wraps words in BOS/EOS, lowercases, and maps unknown words to UNK', () => {
    expect(encodeCaption('a red circle')).toEqual([BOS_ID, id('a'), id('red'), id('circle'), EOS_ID]);
    expect(encodeCaption('  A RED\tcircle ')).toEqual([BOS_ID, id('a'), id('red'), id('circle'), EOS_ID]);
    expect(encodeCaption('a purple circle')).toEqual([BOS_ID, id('a'), UNK_ID, id('circle'), EOS_ID]);
    expect(encodeCaption('')).toEqual([BOS_ID, EOS_ID]);
  });

  it('default captions are grammar captions', () => {
    const texts = new Set(meanings.map((m) => captionText(m)));
    for (const c of GOLDEN_CAPTIONS) {
      expect(texts.has(c), c).toBe(true);
      expect(encodeCaption(c).includes(UNK_ID)).toBe(false);
    }
  });
});
