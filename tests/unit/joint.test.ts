/** The joint image–text map: normalisation, pair lines, neighbours and the gap by hand-worked cosines, the CSV. */
import { describe, expect, it } from 'vitest';
import { coordinatesCsv, jointMap, modalityGap, nearestNeighbours, pairLines, pointPosition } from '../../src/lib/projection/joint';

const { SQRT1_2 } = Math;

// Images (1, 0, 0) and (1, 1, 0); texts (0, 1, 0), (2, 0, 2) and (−1, 0, 0).
const images = [new Float32Array([1, 0, 0]), new Float32Array([1, 1, 0])];
const texts = [new Float32Array([0, 1, 0]), new Float32Array([2, 0, 2]), new Float32Array([-1, 0, 0])];

describe('jointMap', () => {
  it('lists images then texts, each with its own index', () => {
    const map = jointMap(images, texts);
    expect(map.points.map((p) => `${p.kind}${p.index}`)).toEqual(['image0', 'image1', 'text0', 'text1', 'text2']);
    expect([map.imageCount, map.textCount, map.dim]).toEqual([2, 3, 3]);
    expect(pointPosition(map, 'image', 1)).toBe(1);
    expect(pointPosition(map, 'text', 1)).toBe(3);
    expect(map.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
  });

  it('L2-normalises every embedding first, so lengths do not move the map', () => {
    const map = jointMap(images, texts);
    expect(Array.from(map.unit.subarray(3, 6)).map((v) => +v.toFixed(12))).toEqual([SQRT1_2, SQRT1_2, 0].map((v) => +v.toFixed(12)));
    expect(Array.from(map.unit.subarray(9, 12)).map((v) => +v.toFixed(12))).toEqual([SQRT1_2, 0, SQRT1_2].map((v) => +v.toFixed(12)));
    const stretched = jointMap(images.map((e) => e.map((v) => v * 7)), texts.map((e) => e.map((v) => v * 0.01)));
    stretched.points.forEach((p, i) => {
      expect(p.x).toBeCloseTo(map.points[i].x, 6);
      expect(p.y).toBeCloseTo(map.points[i].y, 6);
    });
  });

  it('keeps map distances no longer than distances on the sphere (a projection)', () => {
    const map = jointMap(images, texts);
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) {
        const onMap = Math.hypot(map.points[a].x - map.points[b].x, map.points[a].y - map.points[b].y);
        const full = Math.hypot(...[0, 1, 2].map((j) => map.unit[a * 3 + j] - map.unit[b * 3 + j]));
        expect(onMap).toBeLessThanOrEqual(full + 1e-9);
      }
    }
    const [r1, r2] = map.explainedVarianceRatio;
    expect(r1 + r2).toBeLessThanOrEqual(1 + 1e-12);
    expect(r1).toBeGreaterThanOrEqual(r2);
  });

  it('handles empty lists, a single point, zero vectors and refuses mixed sizes', () => {
    expect(jointMap([], []).points).toEqual([]);
    expect(jointMap([new Float32Array([0.3, 0.4])], []).points).toEqual([{ kind: 'image', index: 0, x: 0, y: 0 }]);
    const zeros = jointMap([new Float32Array(4)], [new Float32Array(4)]);
    expect(zeros.points.every((p) => p.x === 0 && p.y === 0)).toBe(true);
    expect(() => jointMap([new Float32Array(3)], [new Float32Array(4)])).toThrow(/differ in size: 3 and 4/);
    expect(() => jointMap([new Float32Array(0)], [])).toThrow(/empty/);
  });
});

describe('pairLines', () => {
  it('joins image i to text pairs[i], skipping nulls and pairs outside the lists', () => {
    const map = jointMap(images, texts);
    const lines = pairLines(map, [2, null, 5]);
    expect(lines).toHaveLength(1);
    expect(lines[0].image).toBe(map.points[0]);
    expect(lines[0].text).toBe(map.points[4]);
    expect(pairLines(map, [0, 1]).map((l) => [l.image.index, l.text.index])).toEqual([[0, 0], [1, 1]]);
  });
});

describe('nearestNeighbours', () => {
  const map = jointMap(images, texts);

  it('ranks both modalities by cosine, excluding the point itself', () => {
    // From image 0 = (1, 0, 0): image 1 and text 1 at 1/√2 (a tie: earlier first), text 0 at 0, text 2 at −1.
    const neighbours = nearestNeighbours(map, 0, 5);
    expect(neighbours.map((n) => n.position)).toEqual([1, 3, 2, 4]);
    expect(neighbours.map((n) => +n.cosine.toFixed(12))).toEqual([SQRT1_2, SQRT1_2, 0, -1].map((v) => +v.toFixed(12)));
    expect(neighbours[1].point).toEqual(map.points[3]);
  });

  it('keeps the top k', () => {
    // From text 1 = (1, 0, 1)/√2: image 0 at 1/√2, image 1 at 1/2, text 0 at 0, text 2 at −1/√2.
    const neighbours = nearestNeighbours(map, 3, 2);
    expect(neighbours.map((n) => n.position)).toEqual([0, 1]);
    expect(neighbours[0].cosine).toBeCloseTo(SQRT1_2, 12);
    expect(neighbours[1].cosine).toBeCloseTo(0.5, 12);
  });
});

describe('modalityGap', () => {
  it('measures the distance between the centroids of the unit embeddings', () => {
    // Image centroid ((1, 0, 0) + (1, 1, 0)/√2)/2; text centroid ((0, 1, 0) + (1, 0, 1)/√2 + (−1, 0, 0))/3.
    const map = jointMap(images, texts);
    const imageCentroid = [(1 + SQRT1_2) / 2, SQRT1_2 / 2, 0];
    const textCentroid = [(SQRT1_2 - 1) / 3, 1 / 3, SQRT1_2 / 3];
    const gap = modalityGap(map)!;
    expect(gap.distance).toBeCloseTo(Math.hypot(...imageCentroid.map((v, j) => v - textCentroid[j])), 12);
    expect(gap.image[0]).toBeCloseTo((map.points[0].x + map.points[1].x) / 2, 12);
    expect(gap.text[1]).toBeCloseTo((map.points[2].y + map.points[3].y + map.points[4].y) / 3, 12);
    expect(modalityGap(jointMap(images, []))).toBeNull();
  });
});

describe('coordinatesCsv', () => {
  it('writes kind, index, label, x, y at full precision, quoting labels that need it', () => {
    const map = jointMap(images, texts.slice(0, 2));
    const csv = coordinatesCsv(map, ['Sample 1', 'photo.png'], ['a red circle, small', 'the "blue" one']);
    const lines = csv.split('\n');
    expect(lines[0]).toBe('kind,index,label,x,y');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe('');
    expect(lines[1]).toBe(`image,0,Sample 1,${map.points[0].x},${map.points[0].y}`);
    expect(lines[3]).toBe(`text,0,"a red circle, small",${map.points[2].x},${map.points[2].y}`);
    expect(lines[4].startsWith('text,1,"the ""blue"" one",')).toBe(true);
    const [x, y] = lines[4].split(',').slice(-2).map(Number);
    expect([x, y]).toEqual([map.points[3].x, map.points[3].y]);
  });
});
