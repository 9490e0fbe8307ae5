/**
 * ShapesWorld scenes and their rendering: determinism, reachability of the spec, exact palette
 * colours, hard edges and the signed distance of each shape kind.
 */
import { describe, expect, it } from 'vitest';
import {
  columnOf, generateScene, renderScene, rowOf, sampleImage, sampleScene, sceneFromSeed, seededRandom, signedDistance, sizeOf, spec,
  SAMPLE_RENDER_SIZE, type Scene, type SceneShape,
} from '../../src/lib/shapes';

/** The palette as written in spec.json. */
const PALETTE: Record<string, [number, number, number]> = {
  red: [220, 38, 38], green: [34, 160, 60], blue: [37, 84, 220], yellow: [236, 196, 24],
};
const KINDS = ['circle', 'square', 'triangle'];

const bytes = (scene: Scene, size: number, options = {}) => Buffer.from(renderScene(scene, size, options).data).toString('base64');
const pixel = (data: Uint8ClampedArray, size: number, x: number, y: number) => Array.from(data.subarray((y * size + x) * 3, (y * size + x) * 3 + 3));

describe('seededRandom', () => {
  it('repeats its sequence for a seed, differs across seeds, stays in [0, 1)', () => {
    const a = seededRandom(42), b = seededRandom(42), c = seededRandom(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});

describe('determinism', () => {
  it('same seed: identical scene, identical pixels', () => {
    for (const seed of [1, 7, 123, 99999]) {
      expect(sceneFromSeed(seed)).toEqual(sceneFromSeed(seed));
      expect(bytes(sceneFromSeed(seed), 64)).toBe(bytes(sceneFromSeed(seed), 64));
      expect(bytes(sceneFromSeed(seed), 48, { antialias: false })).toBe(bytes(sceneFromSeed(seed), 48, { antialias: false }));
    }
  });

  it('noise is reproducible from its seed and changes with it', () => {
    const scene = sceneFromSeed(5);
    const noisy = (noiseSeed: number) => bytes(scene, 32, { noise: 0.05, noiseSeed });
    expect(noisy(3)).toBe(noisy(3));
    expect(noisy(3)).not.toBe(noisy(4));
    expect(noisy(3)).not.toBe(bytes(scene, 32));
  });

  it('different seeds give different images', () => {
    const renders = new Set(Array.from({ length: 30 }, (_, k) => bytes(sceneFromSeed(k + 1), 32)));
    expect(renders.size).toBe(30);
  });

  it('samples are the scenes of seeds 1, 2, … drawn at 128 px', () => {
    expect(sampleScene(0)).toEqual(sceneFromSeed(1));
    expect(sampleScene(4)).toEqual(sceneFromSeed(5));
    const image = sampleImage(2);
    expect([image.width, image.height, image.data.length]).toEqual([128, 128, 128 * 128 * 3]);
    expect(Buffer.from(image.data).toString('base64')).toBe(bytes(sceneFromSeed(3), SAMPLE_RENDER_SIZE));
  });
});

describe('generateScene', () => {
  const scenes = Array.from({ length: 3000 }, (_, s) => generateScene(seededRandom(s)));
  const shapes = scenes.flatMap((s) => s.shapes);

  it('reaches every shape, colour, size class and grid cell', () => {
    expect(new Set(shapes.map((s) => s.kind))).toEqual(new Set(KINDS));
    expect(new Set(shapes.map((s) => s.colour))).toEqual(new Set(Object.keys(PALETTE)));
    expect(new Set(shapes.map(sizeOf))).toEqual(new Set(['small', 'large']));
    const cells = new Set(shapes.map((s) => `${rowOf(s)}${columnOf(s)}`));
    expect(cells.size).toBe(9);
  });

  it('has one or two shapes, one shape about three times in four', () => {
    const counts = scenes.map((s) => s.shapes.length);
    expect(counts.every((n) => n === 1 || n === 2)).toBe(true);
    const ones = counts.filter((n) => n === 1).length / counts.length;
    expect(ones).toBeGreaterThan(0.7);
    expect(ones).toBeLessThan(0.8);
  });

  it('keeps radii in the spec ranges and centres clear of the grid lines', () => {
    for (const s of shapes) {
      const inSmall = s.radius >= 0.09 && s.radius <= 0.15;
      const inLarge = s.radius >= 0.2 && s.radius <= 0.27;
      expect(inSmall || inLarge).toBe(true);
      for (const v of [s.cx, s.cy]) {
        for (const line of [0, 1 / 3, 2 / 3, 1]) expect(Math.abs(v - line)).toBeGreaterThanOrEqual(0.05 - 1e-12);
      }
    }
  });

  it('honours count and plainBackground', () => {
    for (let s = 0; s < 200; s++) {
      expect(generateScene(seededRandom(s), { count: 1 }).shapes).toHaveLength(1);
      const two = generateScene(seededRandom(s), { count: 2, plainBackground: true });
      expect(two.shapes).toHaveLength(2);
      expect(two.background).toEqual([255, 255, 255]);
      const [a, b] = two.shapes;
      expect(`${rowOf(a)}${columnOf(a)}`).not.toBe(`${rowOf(b)}${columnOf(b)}`);
    }
  });

  // Checked on the drawn shapes themselves (their signed distances), not on `overlaps`, so a
  // square's corners and a triangle's vertices count. 18 M distance evaluations: a budget of its own.
  it('never lets the two shapes of a scene overlap', { timeout: 60_000 }, () => {
    const size = 128;
    const overlapping: number[] = [];
    for (let s = 0; s < 1100; s++) {
      const [a, b] = generateScene(seededRandom(s), { count: 2 }).shapes;
      let shared = false;
      for (let y = 0; y < size && !shared; y++) {
        for (let x = 0; x < size && !shared; x++) {
          const fx = (x + 0.5) / size, fy = (y + 0.5) / size;
          shared = signedDistance(a, fx, fy) <= 0 && signedDistance(b, fx, fy) <= 0;
        }
      }
      if (shared) overlapping.push(s);
    }
    expect(overlapping).toEqual([]);
  });
});

describe('renderScene', () => {
  it('draws each shape in its exact palette colour at its centre', () => {
    const size = 128;
    for (let seed = 0; seed < 60; seed++) {
      const base = generateScene(seededRandom(seed), { count: 1 });
      for (const kind of KINDS) {
        const shape: SceneShape = { ...base.shapes[0], kind };
        const { data } = renderScene({ ...base, shapes: [shape] }, size);
        expect(pixel(data, size, Math.floor(shape.cx * size), Math.floor(shape.cy * size))).toEqual(PALETTE[shape.colour]);
      }
    }
  });

  it('fills the background colour far from any shape', () => {
    const scene: Scene = { shapes: [{ kind: 'circle', colour: 'red', cx: 0.8, cy: 0.8, radius: 0.1 }], background: [10, 20, 30] };
    const { data } = renderScene(scene, 40);
    expect(pixel(data, 40, 2, 2)).toEqual([10, 20, 30]);
    expect(pixel(data, 40, 32, 32)).toEqual(PALETTE.red);
    expect(data.length).toBe(40 * 40 * 3);
  });

  it('blends an edge pixel by its coverage, 0.5 − signed distance in pixels', () => {
    // 8 px: pixel (7, 5) has its centre at (0.9375, 0.6875), 0.25 px = 0.03125 outside this circle.
    const scene: Scene = { shapes: [{ kind: 'circle', colour: 'red', cx: 0.5, cy: 0.6875, radius: 0.40625 }], background: [255, 255, 255] };
    // coverage 0.25: 255 + (220 − 255)/4 = 246.25 → 246; 255 + (38 − 255)/4 = 200.75 → 201
    expect(pixel(renderScene(scene, 8).data, 8, 7, 5)).toEqual([246, 201, 201]);
    expect(pixel(renderScene(scene, 8, { antialias: false }).data, 8, 7, 5)).toEqual([255, 255, 255]);
  });

  it('with hard edges, holds only the background and the shapes\' palette colours', () => {
    for (let seed = 0; seed < 150; seed++) {
      const scene = generateScene(seededRandom(seed));
      const allowed = new Set([scene.background, ...scene.shapes.map((s) => PALETTE[s.colour])].map((c) => c.join(',')));
      const { data } = renderScene(scene, 64, { antialias: false });
      const seen = new Set<string>();
      for (let i = 0; i < data.length; i += 3) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      for (const c of seen) expect(allowed.has(c)).toBe(true);
      for (const s of scene.shapes) expect(seen.has(PALETTE[s.colour].join(','))).toBe(true);
    }
  });

  it('anti-aliased edges blend: some pixels are neither background nor palette', () => {
    const scene: Scene = { shapes: [{ kind: 'circle', colour: 'blue', cx: 0.5, cy: 0.5, radius: 0.3 }], background: [255, 255, 255] };
    const { data } = renderScene(scene, 64);
    let blended = 0;
    for (let i = 0; i < data.length; i += 3) {
      const c = `${data[i]},${data[i + 1]},${data[i + 2]}`;
      if (c !== '255,255,255' && c !== PALETTE.blue.join(',')) blended++;
    }
    expect(blended).toBeGreaterThan(0);
  });
});

describe('signedDistance', () => {
  const at = (kind: string): SceneShape => ({ kind, colour: 'red', cx: 0.5, cy: 0.5, radius: 0.2 });

  it('is negative at the centre and positive far away, for every kind', () => {
    for (const kind of KINDS) {
      expect(signedDistance(at(kind), 0.5, 0.5)).toBeLessThan(0);
      for (const [x, y] of [[0.95, 0.5], [0.05, 0.5], [0.5, 0.95], [0.5, 0.05], [0.95, 0.95]]) {
        expect(signedDistance(at(kind), x, y)).toBeGreaterThan(0);
      }
    }
  });

  it('matches the geometry: circle of the radius, square of half-side 0.85 r', () => {
    expect(signedDistance(at('circle'), 0.5 + 0.3, 0.5)).toBeCloseTo(0.3 - 0.2, 12);
    expect(signedDistance(at('circle'), 0.5, 0.5)).toBeCloseTo(-0.2, 12);
    expect(signedDistance(at('circle'), 0.5 + 0.12, 0.5 + 0.16)).toBeCloseTo(0, 12); // 3-4-5: distance 0.2
    const h = 0.85 * 0.2;
    expect(signedDistance(at('square'), 0.5 + h, 0.5)).toBeCloseTo(0, 12);
    expect(signedDistance(at('square'), 0.5 + 0.3, 0.5)).toBeCloseTo(0.3 - h, 12);
    expect(signedDistance(at('square'), 0.5, 0.5)).toBeCloseTo(-h, 12);
    expect(signedDistance(at('square'), 0.5 + h + 0.03, 0.5 + h + 0.04)).toBeCloseTo(0.05, 12); // off the corner
  });

  it('draws the triangle pointing up: apex 1.1 r above the centre, base 0.55 r below', () => {
    const t = at('triangle');
    expect(signedDistance(t, 0.5, 0.5 - 1.1 * 0.2)).toBeCloseTo(0, 12);
    expect(signedDistance(t, 0.5, 0.5 + 0.55 * 0.2)).toBeCloseTo(0, 12);
    expect(signedDistance(t, 0.5, 0.5 + 0.55 * 0.2 + 0.05)).toBeCloseTo(0.05, 12);
    expect(signedDistance(t, 0.5, 0.5 - 0.55 * 0.2 - 0.05)).toBeLessThan(0); // above centre: still inside
    expect(signedDistance(t, 0.5, 0.5)).toBeCloseTo(-0.55 * 0.2, 12); // inradius
  });

  it('refuses an unknown kind', () => {
    expect(() => signedDistance(at('hexagon'), 0.5, 0.5)).toThrow(/hexagon/);
  });
});

describe('spec', () => {
  it('matches the palette and size threshold the tests assume', () => {
    expect(Object.fromEntries(spec.colours.map((c) => [c.id, [...c.rgb]]))).toEqual(PALETTE);
    expect(spec.shapes.map((s) => s.id)).toEqual(KINDS);
    expect(spec.sizes[0].radius[1]).toBeLessThan(spec.sizeThreshold);
    expect(spec.sizes[1].radius[0]).toBeGreaterThan(spec.sizeThreshold);
  });
});
