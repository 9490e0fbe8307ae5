/** The Probe lab's link: `#probes?seed=7&n=24` opens the suites drawn from seed 7, 24 items each. */

export const DEFAULT_SEED = 1;
export const DEFAULT_COUNT = 24;
export const MAX_COUNT = 200;

/**
 * The seed and item count a hash asks for; missing or bad values fall back to the defaults.
 * @example parseProbeHash('#probes?seed=7&n=40') // { seed: 7, count: 40 }
 */
export function parseProbeHash(hash: string): { seed: number; count: number } {
  const query = new URLSearchParams(hash.split('?')[1] ?? '');
  const seed = Number(query.get('seed'));
  const count = Number(query.get('n'));
  return {
    seed: query.has('seed') && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff ? seed : DEFAULT_SEED,
    count: Number.isInteger(count) && count >= 1 && count <= MAX_COUNT ? count : DEFAULT_COUNT,
  };
}

export function probeHash(seed: number, count: number): string {
  return `#probes?seed=${seed}&n=${count}`;
}
