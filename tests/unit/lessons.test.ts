import { describe, expect, it } from 'vitest';
import { readPosition, writePosition } from '../../src/lib/lessons/position';
import { LESSONS } from '../../src/labs/lessons/catalogue';
import { parseHash } from '../../src/lib/link/codec';
import { readState, type Schema } from '../../src/lib/link/fields';
import { INPUT_FIELDS } from '../../src/lib/link/inputs';
import { LAB_FIELDS, READS_INPUTS } from '../../src/lib/link/labs';

const stepsOf = (id: string) => LESSONS.find((l) => l.id === id)?.steps.length ?? null;

describe('the lesson position in the query string', () => {
  it('reads a lesson, a step counted from 1, and presenter mode', () => {
    expect(readPosition('?lesson=gap&step=2&present=1', stepsOf)).toEqual({ position: { lesson: 'gap', step: 1, presenting: true }, problems: [] });
    expect(readPosition('?device=wasm&lesson=gap', stepsOf)).toEqual({ position: { lesson: 'gap', step: 0, presenting: false }, problems: [] });
    expect(readPosition('?device=wasm', stepsOf)).toEqual({ position: null, problems: [] });
  });

  it('opens what it can of a bad position, and says what it changed', () => {
    const last = stepsOf('gap')!;
    const far = readPosition('?lesson=gap&step=99', stepsOf);
    expect(far.position?.step).toBe(last - 1);
    expect(far.problems[0]).toContain(`steps 1 to ${last}`);
    expect(readPosition('?lesson=gap&step=0', stepsOf).position?.step).toBe(0);
    const text = readPosition('?lesson=gap&step=two', stepsOf);
    expect(text.position?.step).toBe(0);
    expect(text.problems[0]).toContain('not a step number');
    const unknown = readPosition('?lesson=%3Cb%3Enope%3C%2Fb%3E', stepsOf);
    expect(unknown.position).toBeNull();
    expect(unknown.problems[0]).toContain('<b>nope</b>');
  });

  it('writes the position beside the other parameters, and removes it', () => {
    expect(writePosition('?device=wasm&hub=%2F__hub%2F', { lesson: 'llip', step: 2, presenting: false })).toBe('?device=wasm&hub=%2F__hub%2F&lesson=llip&step=3');
    expect(writePosition('?lesson=llip&step=3&present=1&device=wasm', null)).toBe('?device=wasm');
    expect(writePosition('', null)).toBe('');
    const written = writePosition('?device=wasm', { lesson: 'coca', step: 1, presenting: true });
    expect(readPosition(written, stepsOf).position).toEqual({ lesson: 'coca', step: 1, presenting: true });
  });
});

/** Lab routes: those with a link schema, and the labs whose links carry only their route or their own keys. */
const OWN_SCHEMAS: Record<string, Schema> = { ...LAB_FIELDS };
const OTHER_LABS = ['tokens', 'probes'];

function linkProblems(link: string): string[] {
  const { route, entries } = parseHash(link);
  if (!link.startsWith('#')) return [`${link}: not a hash`];
  if (OTHER_LABS.includes(route)) return [];
  const own = OWN_SCHEMAS[route];
  if (!own) return [`${link}: no lab named ${route}`];
  const schema = READS_INPUTS.includes(route) ? { ...own, ...INPUT_FIELDS } : own;
  return readState(schema, entries).dropped.map((d) => `${link}: ${d}`);
}

describe('the lessons', () => {
  it('are at least eight, with distinct ids, covering every family of the article', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    expect(new Set(LESSONS.map((l) => l.family))).toEqual(new Set(['contrastive', 'masking', 'generative', 'backbones', 'failures']));
  });

  describe.each(LESSONS.map((l) => [l.id, l] as const))('%s', (_, lesson) => {
    it('has at least three steps, each with a title, a figure and some text', () => {
      expect(lesson.steps.length).toBeGreaterThanOrEqual(3);
      for (const step of lesson.steps) {
        expect(step.title.length).toBeGreaterThan(0);
        expect(step.figure).toMatch(/^[a-z-]+$/);
        expect(step.text.length).toBeGreaterThan(40);
      }
    });

    it("every step's link, and every question's reveal, parses with nothing dropped", () => {
      const problems = lesson.steps.flatMap((s) => [...linkProblems(s.link), ...(s.predict?.reveal ? linkProblems(s.predict.reveal) : [])]);
      expect(problems).toEqual([]);
    });

    it('a reveal stays in the lab of its step', () => {
      for (const step of lesson.steps) if (step.predict?.reveal) expect(parseHash(step.predict.reveal).route).toBe(parseHash(step.link).route);
    });

    it('every question has at least two choices; every check states its claim', () => {
      for (const step of lesson.steps) {
        if (step.predict) expect(step.predict.choices.length).toBeGreaterThanOrEqual(2);
        for (const check of step.checks ?? []) expect(check.claim.length).toBeGreaterThan(10);
      }
    });

    it('a step without checks states no number (a number in the text must be checked)', () => {
      for (const step of lesson.steps) if (!step.checks?.length) expect(step.text, step.title).not.toMatch(/\d/);
    });
  });
});
