/** The map's frame: equal units on both axes around the points, and axis titles. */
import { describe, expect, it } from 'vitest';
import { equalAspectDomains, varianceLabel } from '../../src/lib/projection/frame';

const span = (d: [number, number]) => d[1] - d[0];

describe('equalAspectDomains', () => {
  it('gives both axes the same units per pixel and holds every point with its padding', () => {
    const points = [{ x: -1, y: 0.2 }, { x: 3, y: 0.5 }, { x: 0, y: -0.3 }];
    for (const [width, height] of [[560, 440], [200, 600]]) {
      const { x, y } = equalAspectDomains(points, { width, height, padding: 0.1 });
      expect(span(x) / width).toBeCloseTo(span(y) / height, 12);
      // The padding is 10% of the larger extent (4) on each side of each axis, at least.
      expect(x[0]).toBeLessThanOrEqual(-1 - 0.4 + 1e-12);
      expect(x[1]).toBeGreaterThanOrEqual(3 + 0.4 - 1e-12);
      expect(y[0]).toBeLessThanOrEqual(-0.3 - 0.4 + 1e-12);
      expect(y[1]).toBeGreaterThanOrEqual(0.5 + 0.4 - 1e-12);
    }
  });

  it('matches the documented example: the wider spread fills its axis', () => {
    expect(equalAspectDomains([{ x: 0, y: 0 }, { x: 2, y: 1 }], { width: 200, height: 200, padding: 0 })).toEqual({ x: [0, 2], y: [-0.5, 1.5] });
  });

  it('centres a single point (or none) in a unit square on the shorter side', () => {
    expect(equalAspectDomains([{ x: 2, y: 3 }], { width: 400, height: 200 })).toEqual({ x: [1, 3], y: [2.5, 3.5] });
    expect(equalAspectDomains([], { width: 100, height: 100 })).toEqual({ x: [-0.5, 0.5], y: [-0.5, 0.5] });
  });
});

describe('varianceLabel', () => {
  it('names the component from 1 and rounds its share to a whole percent, keeping small shares visible', () => {
    expect(varianceLabel(0, 0.4271)).toBe('PC1 (43% of variance)');
    expect(varianceLabel(1, 0.003)).toBe('PC2 (0.3% of variance)');
    expect(varianceLabel(1, 0)).toBe('PC2 (0% of variance)');
  });
});
