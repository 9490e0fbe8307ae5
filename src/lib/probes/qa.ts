/**
 * Question answering on the probes: each item asks a question of both images (the same words,
 * different true answers), and a model's answer is right when its first words are the true
 * answer. Yes-or-no questions about something that is not so measure hallucination: the share
 * of them answered "yes".
 */
import type { ProbeItem, QaProbe } from './types';

/** Lower case, punctuation dropped, spaces collapsed: "Yes." → "yes". */
export function normaliseAnswer(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Whether an answer gives the true one: it is the true answer, or starts with it as a whole word.
 * @example answerIsRight('Yes.', 'yes') // true
 * @example answerIsRight('yesterday', 'yes') // false
 */
export function answerIsRight(text: string, expected: string): boolean {
  const said = normaliseAnswer(text);
  return said === expected || said.startsWith(`${expected} `);
}

/** Whether the answer is a "yes" (for the hallucination rate). */
export const saysYes = (text: string) => answerIsRight(text, 'yes');

/** One asked question and what came back. */
export interface QaOutcome {
  readonly probe: QaProbe;
  readonly item: number;
  readonly answer: string;
  readonly right: boolean;
  /** For a question about something absent: whether the model said yes; otherwise null. */
  readonly hallucinated: boolean | null;
}

export function qaOutcome(item: ProbeItem, probe: QaProbe, answer: string): QaOutcome {
  return { probe, item: item.index, answer, right: answerIsRight(answer, probe.answer), hallucinated: probe.absent ? saysYes(answer) : null };
}

/** The accuracy a model that picks one of each question's allowed answers at random would get. */
export function qaChance(probes: readonly QaProbe[]): number {
  return probes.length ? probes.reduce((s, p) => s + 1 / p.options, 0) / probes.length : NaN;
}
