/**
 * Where a learner is in a lesson, as the page's query string holds it:
 * `?lesson=temperature&step=2&present=1`. The lab's own state lives in the hash (the step's
 * link), so the two never overwrite each other, and other query parameters (`device`, `hub`,
 * …) are kept as they are. Steps are counted from 1 in the URL and from 0 in code.
 */

export interface LessonPosition {
  readonly lesson: string;
  /** 0-based. */
  readonly step: number;
  readonly presenting: boolean;
}

export interface PositionReading {
  readonly position: LessonPosition | null;
  /** What the URL asked for that could not be honoured, in words a person can act on. */
  readonly problems: readonly string[];
}

const KEYS = ['lesson', 'step', 'present'] as const;

/**
 * Reads the lesson position from a query string. `stepsOf(id)` gives a lesson's step count, or
 * null for an unknown lesson. A step out of range opens the nearest step and says so.
 *
 * @example readPosition('?lesson=gap&step=2', () => 4) // { position: { lesson: 'gap', step: 1, presenting: false }, problems: [] }
 */
export function readPosition(search: string, stepsOf: (id: string) => number | null): PositionReading {
  const params = new URLSearchParams(search);
  const id = params.get('lesson');
  if (id === null) return { position: null, problems: [] };
  const count = stepsOf(id);
  if (count === null || count === 0) return { position: null, problems: [`There is no lesson “${id.slice(0, 60)}”; the lab is shown without one.`] };
  const problems: string[] = [];
  const raw = params.get('step');
  let step = 0;
  if (raw !== null) {
    const n = Number(raw);
    if (!Number.isInteger(n)) problems.push(`Step “${raw.slice(0, 20)}” is not a step number; the lesson starts at step 1.`);
    else if (n < 1 || n > count) {
      step = Math.min(Math.max(n, 1), count) - 1;
      problems.push(`The lesson has steps 1 to ${count}; step ${step + 1} is shown instead of ${n}.`);
    } else step = n - 1;
  }
  const present = params.get('present');
  return { position: { lesson: id, step, presenting: present === '1' || present === '' }, problems };
}

/**
 * The query string with the position written in (or removed, for null), every other parameter
 * kept in its order. Returns '' or a string starting with '?'.
 *
 * @example writePosition('?device=wasm', { lesson: 'gap', step: 0, presenting: true }) // '?device=wasm&lesson=gap&step=1&present=1'
 */
export function writePosition(search: string, position: LessonPosition | null): string {
  const params = new URLSearchParams(search);
  for (const key of KEYS) params.delete(key);
  if (position) {
    params.set('lesson', position.lesson);
    params.set('step', String(position.step + 1));
    if (position.presenting) params.set('present', '1');
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
