import { describe, expect, it } from 'vitest';
import { generateSuite, claimHolds, EXPECTED_TRUTH } from '../../src/lib/probes/suites';
import { SUITE_IDS, type ProbeItem } from '../../src/lib/probes/types';
import { chanceLevels, estimate, itemOutcome } from '../../src/lib/probes/scores';
import { answerIsRight, qaChance, qaOutcome } from '../../src/lib/probes/qa';
import { EXTENT, type SceneShape } from '../../src/lib/shapes/scene';
import { spec } from '../../src/lib/shapes/spec';

const SEEDS = [1, 7, 2024];
const N = 60;
const items = (suite: (typeof SUITE_IDS)[number]) => SEEDS.flatMap((seed) => generateSuite(suite, seed, N).items);

/** The fields in which two shapes differ. */
function changed(a: SceneShape, b: SceneShape): string[] {
  return (['kind', 'colour', 'cx', 'cy', 'radius'] as const).filter((k) => a[k] !== b[k]);
}
const words = (text: string) => text.split(' ');
const sorted = (text: string) => [...words(text)].sort().join(' ');

describe('probe suites', () => {
  it('are the same for the same seed and differ for another', () => {
    expect(generateSuite('spatial', 3, 5)).toEqual(generateSuite('spatial', 3, 5));
    expect(generateSuite('spatial', 4, 5).items[0].scenes).not.toEqual(generateSuite('spatial', 3, 5).items[0].scenes);
  });

  it.each(SUITE_IDS)('%s: the truth function says the true members hold and the false ones do not', (suite) => {
    for (const item of items(suite)) {
      item.scenes.forEach((scene, i) => item.claims.forEach((claim, c) => expect(claimHolds(claim, scene)).toBe(EXPECTED_TRUTH[suite][i][c])));
      expect(claimHolds(item.claims[0], item.scenes[0])).toBe(true);
      expect(claimHolds(item.claims[1], item.scenes[1])).toBe(true);
      expect(claimHolds(item.claims[1], item.scenes[0])).toBe(false);
    }
  });

  it.each(SUITE_IDS)('%s: shapes never overlap and keep the background of the pair', (suite) => {
    for (const item of items(suite)) {
      expect(item.scenes[1].background).toEqual(item.scenes[0].background);
      for (const scene of item.scenes) {
        scene.shapes.forEach((a, i) => scene.shapes.slice(i + 1).forEach((b) => {
          expect(Math.hypot(a.cx - b.cx, a.cy - b.cy)).toBeGreaterThan(EXTENT * (a.radius + b.radius));
        }));
      }
    }
  });

  it('spatial: the second image is the first mirrored, and the captions differ only in the relation', () => {
    for (const item of items('spatial')) {
      const [a, b] = item.scenes;
      const axis = a.shapes[0].cy === b.shapes[0].cy ? 'cx' : 'cy';
      a.shapes.forEach((s, k) => {
        expect(changed(s, b.shapes[k])).toEqual([axis]);
        expect(b.shapes[k][axis]).toBeCloseTo(1 - s[axis], 12);
      });
      const relations = spec.relations.map((r) => r.words[0]);
      const strip = (t: string) => relations.reduce((x, r) => x.replace(` ${r} `, ' _ '), t);
      expect(strip(item.captions[0])).toBe(strip(item.captions[1]));
      expect(item.captions[0]).not.toBe(item.captions[1]);
    }
  });

  it('binding: only the colours are swapped, in the images and in the captions', () => {
    for (const item of items('binding')) {
      const [a, b] = item.scenes;
      a.shapes.forEach((s, k) => expect(changed(s, b.shapes[k])).toEqual(['colour']));
      expect(b.shapes.map((s) => s.colour)).toEqual([a.shapes[1].colour, a.shapes[0].colour]);
      expect(sorted(item.captions[0])).toBe(sorted(item.captions[1]));
      const [w0, w1] = item.captions.map(words);
      expect(w0.filter((w, k) => w !== w1[k])).toHaveLength(2);
    }
  });

  it('word order: only the kinds are swapped; the captions hold the same words in another order', () => {
    for (const item of items('order')) {
      const [a, b] = item.scenes;
      a.shapes.forEach((s, k) => expect(changed(s, b.shapes[k])).toEqual(['kind']));
      expect(a.shapes[0].colour).toBe(a.shapes[1].colour);
      expect(sorted(item.captions[0])).toBe(sorted(item.captions[1]));
    }
  });

  it('counting: the second image is the first with one more shape of the counted kind', () => {
    const counts = new Set<number>();
    for (const item of items('counting')) {
      const [a, b] = item.scenes;
      const claim = item.claims[0];
      if (claim.kind !== 'count') throw new Error('a counting claim');
      counts.add(claim.n).add(claim.n + 1);
      expect(b.shapes.length).toBe(a.shapes.length + 1);
      const added = b.shapes.filter((s) => !a.shapes.includes(s) && !a.shapes.some((t) => changed(s, t).length === 0));
      expect(added).toHaveLength(1);
      expect(added[0].kind).toBe(claim.shape);
      expect(words(item.captions[0]).length).toBe(2);
      expect(words(item.captions[1]).length).toBe(2);
    }
    expect([...counts].sort()).toEqual([1, 2, 3, 4]);
  });

  it('existence: one shape differs, in colour and kind; each caption names the shape the other image lacks', () => {
    for (const item of items('existence')) {
      const [a, b] = item.scenes;
      expect(changed(a.shapes[0], b.shapes[0])).toEqual([]);
      expect(changed(a.shapes[1], b.shapes[1])).toEqual(['kind', 'colour']);
      const probe = item.questions.find((q) => q.absent)!;
      expect(probe.image).toBe(0);
      expect(probe.answer).toBe('no');
    }
  });

  it('ignored words: the longer caption is the true one with words added, and the second image changes only its detail', () => {
    const details = new Set<string>();
    for (const item of items('ignored')) {
      const [short, long] = item.captions.map(words);
      // The short caption's words, in order, inside the long one.
      let at = 0;
      for (const w of long) if (w === short[at]) at++;
      expect(at).toBe(short.length);
      expect(long.length).toBeGreaterThan(short.length);
      const [a, b] = item.scenes;
      expect(changed(a.shapes[1], b.shapes[1])).toEqual([]);
      const diff = changed(a.shapes[0], b.shapes[0]);
      details.add(diff.join('+'));
      expect([['colour'], ['radius'], ['cx', 'cy'], ['cx'], ['cy']]).toContainEqual(diff);
    }
    expect(details).toEqual(new Set(['colour', 'radius', 'cx+cy']));
  });
});

describe('Winoground scores', () => {
  const diagonal: ProbeItem['truth'] = [[true, false], [false, true]];
  const ignored: ProbeItem['truth'] = [[true, false], [true, true]];

  it('scores an item as Winoground does, ties counting as misses', () => {
    expect(itemOutcome([[0.9, 0.2], [0.3, 0.8]], diagonal)).toEqual({ text: true, image: true, group: true });
    // Image 1 prefers caption 0: the text score fails; both captions still prefer their own image.
    expect(itemOutcome([[0.9, 0.2], [0.5, 0.4]], diagonal)).toEqual({ text: false, image: true, group: false });
    expect(itemOutcome([[0.5, 0.5], [0.1, 0.9]], diagonal)).toEqual({ text: false, image: true, group: false });
    // Ignored words: only image 0 has a false caption, only caption 1 a false image.
    expect(itemOutcome([[0.4, 0.6], [0.1, 0.7]], ignored)).toEqual({ text: false, image: true, group: false });
    expect(itemOutcome([[0.6, 0.3], [0.9, 0.4]], ignored)).toEqual({ text: true, image: true, group: true });
  });

  it('chance levels: 1/4, 1/4, 1/6 for Winoground pairs; 1/2, 1/2, 1/3 for ignored words', () => {
    expect(chanceLevels(diagonal)).toEqual({ text: 1 / 4, image: 1 / 4, group: 1 / 6 });
    expect(chanceLevels(ignored)).toEqual({ text: 1 / 2, image: 1 / 2, group: 1 / 3 });
  });

  it('bootstrap interval by hand: two items, four resamples', () => {
    // Draws 0,0 | 0,1 | 1,0 | 1,1 of [pass, miss]: shares 1, 0.5, 0.5, 0. Sorted [0, .5, .5, 1];
    // the 2.5th percentile is 0 + 0.075 × 0.5 and the 97.5th 0.5 + 0.925 × 0.5.
    const draws = [0, 0, 0, 0.6, 0.6, 0, 0.6, 0.6];
    let k = 0;
    const e = estimate([true, false, null], () => draws[k++], 4);
    expect(e.value).toBe(0.5);
    expect(e.n).toBe(2);
    expect(e.low).toBeCloseTo(0.0375, 12);
    expect(e.high).toBeCloseTo(0.9625, 12);
    expect(k).toBe(8);
  });

  it('all passes give [1, 1]; no countable item gives NaN', () => {
    const e = estimate([true, true, true], Math.random, 50);
    expect([e.value, e.low, e.high]).toEqual([1, 1, 1]);
    expect(Number.isNaN(estimate([null], Math.random).value)).toBe(true);
  });
});

describe('question answering on the probes', () => {
  it('reads answers by their first words', () => {
    expect(answerIsRight('Yes.', 'yes')).toBe(true);
    expect(answerIsRight('yes, there is', 'yes')).toBe(true);
    expect(answerIsRight('yesterday', 'yes')).toBe(false);
    expect(answerIsRight('at the top left.', 'at the top left')).toBe(true);
    expect(answerIsRight('at the top right.', 'at the top left')).toBe(false);
  });

  it('counts a yes to an absent object as a hallucination, and chance from the allowed answers', () => {
    const item = generateSuite('existence', 1, 1).items[0];
    const absent = item.questions.find((q) => q.absent)!;
    expect(qaOutcome(item, absent, 'yes.')).toMatchObject({ right: false, hallucinated: true });
    expect(qaOutcome(item, absent, 'no.')).toMatchObject({ right: true, hallucinated: false });
    const counting = generateSuite('counting', 1, 1).items[0];
    expect(qaChance([...item.questions, ...counting.questions])).toBe((0.5 + 0.5 + 0.25 + 0.25) / 4);
  });
});

describe('the Probe lab link', () => {
  it('reads the seed and item count, and falls back on bad ones', async () => {
    const { parseProbeHash, probeHash } = await import('../../src/lib/probes/link');
    expect(parseProbeHash('#probes?seed=7&n=40')).toEqual({ seed: 7, count: 40 });
    expect(parseProbeHash(probeHash(0, 3))).toEqual({ seed: 0, count: 3 });
    expect(parseProbeHash('#probes?seed=-1&n=100000')).toEqual({ seed: 1, count: 24 });
    expect(parseProbeHash('#probes')).toEqual({ seed: 1, count: 24 });
  });
});

describe('suite results', () => {
  it('sums up answers: accuracy over every question, hallucination over the absent ones, and writes them as CSV', async () => {
    const { qaSuiteResult, resultsCsv } = await import('../../src/lib/probes/report');
    const suite = generateSuite('existence', 5, 2);
    // Item 0: "yes." to both (the absent object hallucinated); item 1: both right.
    const answers = [['yes.', 'yes.'], ['no.', 'yes.']];
    const result = qaSuiteResult('vlm', suite, answers, 10);
    if (result.kind !== 'answers') throw new Error('answers');
    expect(result.accuracy.value).toBe(3 / 4);
    expect(result.accuracy.n).toBe(4);
    expect(result.hallucination.value).toBe(1 / 2);
    expect(result.hallucination.n).toBe(2);
    expect(result.chance).toBe(0.5);
    const csv = resultsCsv([result], new Map([['vlm', 'a VLM']])).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[1].startsWith('"a VLM",existence,accuracy,0.7500,')).toBe(true);
    expect(csv[1].endsWith(',4,0.5000')).toBe(true);
    expect(csv[2].startsWith('"a VLM",existence,hallucination,0.5000,')).toBe(true);
    expect(csv[2].endsWith(',2,')).toBe(true);
  });
});

describe('suite results in steps', () => {
  it('give the same result in steps as all at once, pausing between bootstraps and every 250 resamples', async () => {
    const { pairSuiteResult, pairSuiteSteps, qaSuiteResult, qaSuiteSteps, stepped } = await import('../../src/lib/probes/report');
    const suite = generateSuite('binding', 4, 6);
    // Alternately right and wrong on the text side, always right on the image side.
    const scores = suite.items.map((_, k) => [[k % 2 ? 0.9 : 0.1, 0.5], [0.2, 0.8]] as const);
    let pauses = 0;
    const pause = async () => void pauses++;
    const paired = await stepped(pairSuiteSteps('m', suite, scores, { unknownWords: [], ms: 1 }), pause);
    expect(paired).toEqual(pairSuiteResult('m', suite, scores, { unknownWords: [], ms: 1 }));
    // Three bootstraps of 1,000 resamples: a pause before each and three within each.
    expect(pauses).toBe(3 + 3 * 3);
    const answers = suite.items.map((item) => item.questions.map(() => 'no.'));
    pauses = 0;
    expect(await stepped(qaSuiteSteps('v', suite, answers, 2), pause)).toEqual(qaSuiteResult('v', suite, answers, 2));
    expect(pauses).toBeGreaterThanOrEqual(2 + 3);
  });

  it('stop at a pause once told to', async () => {
    const { pairSuiteSteps, stepped } = await import('../../src/lib/probes/report');
    const suite = generateSuite('order', 2, 3);
    const scores = suite.items.map(() => [[1, 0], [0, 1]] as const);
    let pauses = 0;
    const result = await stepped(pairSuiteSteps('m', suite, scores, { unknownWords: [], ms: 0 }), async () => void pauses++, () => pauses >= 2);
    expect(result).toBeNull();
    expect(pauses).toBe(2);
  });
});
