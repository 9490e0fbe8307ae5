import { describe, expect, it } from 'vitest';
import { drawFrom, topCandidates } from '../../workers/families/forge-tasks';
import { seededRandom } from '../../src/lib/shapes/random';

describe('topCandidates', () => {
  it('softmaxes the row and returns the k most probable, best first', () => {
    const { probabilities, top } = topCandidates([0, Math.log(3), Math.log(6)], 2, (id) => `w${id}`);
    expect(Array.from(probabilities)).toEqual([0.1, 0.3, 0.6].map((p) => expect.closeTo(p, 12)));
    expect(top.map((c) => c.piece)).toEqual(['w2', 'w1']);
    expect(top[0].probability).toBeCloseTo(0.6, 12);
  });

  it('stays finite for large logits', () => {
    const { probabilities } = topCandidates([1000, 1000], 1, String);
    expect(Array.from(probabilities)).toEqual([0.5, 0.5]);
  });
});

describe('drawFrom', () => {
  const logits = [0, 1, 2, 3];

  it('draws only among the top k', () => {
    const random = seededRandom(3);
    for (let n = 0; n < 200; n++) expect([3, 2]).toContain(drawFrom(logits, 1, 2, random));
  });

  it('is the argmax at top-1 or a near-zero temperature', () => {
    expect(drawFrom(logits, 1, 1, seededRandom(1))).toBe(3);
    expect(drawFrom(logits, 1e-9, 4, seededRandom(1))).toBe(3);
  });

  it('follows the softmax at the temperature (seeded, so repeatable)', () => {
    const count = (seed: number) => {
      const random = seededRandom(seed);
      const hits = [0, 0, 0, 0];
      for (let n = 0; n < 4000; n++) hits[drawFrom(logits, 1, 4, random)]++;
      return hits;
    };
    const hits = count(7);
    expect(count(7)).toEqual(hits);
    const z = logits.reduce((s, l) => s + Math.exp(l), 0);
    hits.forEach((h, i) => expect(h / 4000).toBeCloseTo(Math.exp(logits[i]) / z, 1));
  });
});
