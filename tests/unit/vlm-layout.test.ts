import { describe, expect, it } from 'vitest';
import { frameName, promptSegments, segmentCounts, shuffledPatches, splitAttention, tokenGridSide } from '../../src/lib/vlm/layout';

// A prompt the Idefics3 processor writes for a 1 × 2 split with 4 visual tokens per frame:
// text, <fake><row_1_col_1> 4×<image>, <fake><row_1_col_2> 4×<image>, \n, \n<fake><global-img> 4×<image> <fake>, text.
const IMG = 7;
const FAKE = 90;
const ROW11 = 91;
const ROW12 = 92;
const GLOBAL = 93;
const NL = 10;
const ids = [1, 2, FAKE, ROW11, IMG, IMG, IMG, IMG, FAKE, ROW12, IMG, IMG, IMG, IMG, NL, NL, FAKE, GLOBAL, IMG, IMG, IMG, IMG, FAKE, 3, 4];
const markerIds = new Set([FAKE, ROW11, ROW12, GLOBAL]);

describe('promptSegments', () => {
  const segments = promptSegments(ids, { imageTokenId: IMG, markerIds, imageSeqLen: 4 });
  it('numbers each frame\'s run of visual tokens in order', () => {
    const images = segments.filter((s) => s.kind === 'image');
    expect(images.map((s) => [s.start, s.length, s.frame])).toEqual([[4, 4, 0], [10, 4, 1], [18, 4, 2]]);
  });
  it('keeps every marker its own segment and covers every position once', () => {
    expect(segments.filter((s) => s.kind === 'marker').length).toBe(7);
    expect(segments.reduce((n, s) => n + s.length, 0)).toBe(ids.length);
    for (let i = 1; i < segments.length; i++) expect(segments[i].start).toBe(segments[i - 1].start + segments[i - 1].length);
  });
  it('counts tokens by kind', () => {
    expect(segmentCounts(segments)).toEqual({ text: 6, marker: 7, image: 12, frames: 3 });
  });
  it('splits two frames whose visual tokens touch', () => {
    const touching = promptSegments([IMG, IMG, IMG, IMG], { imageTokenId: IMG, markerIds, imageSeqLen: 2 });
    expect(touching.map((s) => s.frame)).toEqual([0, 1]);
  });
});

describe('the pixel shuffle', () => {
  it('folds each 2 × 2 block of patches into one token, row by row', () => {
    expect(shuffledPatches(0, 4, 2)).toEqual({ row: 0, col: 0, patches: [[0, 0], [0, 1], [1, 0], [1, 1]] });
    expect(shuffledPatches(3, 4, 2).patches).toEqual([[2, 2], [2, 3], [3, 2], [3, 3]]);
    // SmolVLM-256M: 32 × 32 patches of a 512-px tile, factor 4, 64 tokens in an 8 × 8 grid.
    expect(shuffledPatches(9, 64, 4)).toMatchObject({ row: 1, col: 1 });
    expect(shuffledPatches(9, 64, 4).patches).toHaveLength(16);
    expect(shuffledPatches(9, 64, 4).patches[0]).toEqual([4, 4]);
  });
  it('refuses a token count that is not a square grid, and tokens outside it', () => {
    expect(() => tokenGridSide(6)).toThrow(RangeError);
    expect(() => shuffledPatches(4, 4, 2)).toThrow(RangeError);
  });
});

describe('splitAttention', () => {
  const segments = promptSegments(ids, { imageTokenId: IMG, markerIds, imageSeqLen: 4 });
  it('puts every weight in exactly one place: a frame cell, or a text, marker or answer position', () => {
    const row = Array.from({ length: ids.length + 2 }, (_, i) => i + 1);
    const total = row.reduce((a, v) => a + v, 0);
    const split = splitAttention(row, segments, 4);
    expect(split.frames.map((f) => Array.from(f))).toEqual([[5, 6, 7, 8], [11, 12, 13, 14], [19, 20, 21, 22]]);
    expect(split.others.filter((o) => o.kind === 'answer').map((o) => o.position)).toEqual([25, 26]);
    expect(split.visualTotal + split.textTotal).toBe(total);
  });
});

describe('frameName', () => {
  it('names tiles row by row, then the global image', () => {
    expect([0, 1, 2, 3, 4].map((f) => frameName(f, 2, 2))).toEqual(['tile row 1, column 1', 'tile row 1, column 2', 'tile row 2, column 1', 'tile row 2, column 2', 'global image']);
  });
});
