import { describe, expect, it } from 'vitest';
import { umapCoordinates } from '../../src/lib/projection/umap';
import { seededRandom } from '../../src/lib/shapes/random';

/** Two tight clusters in 8-D, far apart: 10 points near e0, 10 near e1. */
function clusters(): Float64Array {
  const random = seededRandom(3);
  const data = new Float64Array(20 * 8);
  for (let i = 0; i < 20; i++) {
    for (let k = 0; k < 8; k++) data[i * 8 + k] = (random() - 0.5) * 0.05;
    data[i * 8 + (i < 10 ? 0 : 1)] += 1;
  }
  return data;
}

describe('umapCoordinates', () => {
  it('is seeded: the same inputs give the same layout', async () => {
    const a = await umapCoordinates(clusters(), 20, 8, { neighbours: 5 });
    const b = await umapCoordinates(clusters(), 20, 8, { neighbours: 5 });
    expect(a).not.toBeNull();
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('keeps separate clusters apart: every point is nearer its own cluster centre', async () => {
    const xy = (await umapCoordinates(clusters(), 20, 8, { neighbours: 5 }))!;
    const centre = (from: number) => [0, 1].map((c) => Array.from({ length: 10 }, (_, i) => xy[(from + i) * 2 + c]).reduce((s, v) => s + v, 0) / 10);
    const [c0, c1] = [centre(0), centre(10)];
    for (let i = 0; i < 20; i++) {
      const p = [xy[i * 2], xy[i * 2 + 1]];
      const d0 = Math.hypot(p[0] - c0[0], p[1] - c0[1]);
      const d1 = Math.hypot(p[0] - c1[0], p[1] - c1[1]);
      expect(i < 10 ? d0 < d1 : d1 < d0).toBe(true);
    }
  });

  it('stops when cancelled, and refuses too few points', async () => {
    expect(await umapCoordinates(clusters(), 20, 8, { cancelled: () => true })).toBeNull();
    await expect(umapCoordinates(new Float64Array(6), 3, 2)).rejects.toThrow(/at least 4 points/);
  });
});
