/**
 * The probe suites' vocabulary: an item is a minimal pair of two ShapesWorld scenes and two
 * captions that differ only in the probed property, with the truth of every caption on every
 * scene from ShapesWorld's truth function.
 */
import type { Scene } from '../shapes/scene';

export type SuiteId = 'spatial' | 'binding' | 'order' | 'counting' | 'existence' | 'ignored';
export const SUITE_IDS: readonly SuiteId[] = ['spatial', 'binding', 'order', 'counting', 'existence', 'ignored'];

/** A caption as ShapesWorld judges it: a meaning of the grammar, or a count from one to four. */
export type Claim =
  | { readonly kind: 'meaning'; readonly id: string }
  | { readonly kind: 'count'; readonly shape: string; readonly n: number };

/** A question for a question-answering model, asked of one image of the pair, with its true answer. */
export interface QaProbe {
  readonly image: 0 | 1;
  readonly question: string;
  /** The answer's first word, as the grammar's answers give it ("yes", "no", "three", "small", …). */
  readonly answer: string;
  /** The answers the question allows, for its chance level. */
  readonly options: number;
  /** A yes-or-no question about something that is not so: answering "yes" is a hallucination. */
  readonly absent: boolean;
}

export interface ProbeItem {
  readonly suite: SuiteId;
  readonly index: number;
  /** The seed this item was drawn from (the suite's seed and the item's index). */
  readonly seed: number;
  readonly scenes: readonly [Scene, Scene];
  readonly captions: readonly [string, string];
  readonly claims: readonly [Claim, Claim];
  /** `truth[image][caption]`, from ShapesWorld's truth function. */
  readonly truth: readonly [readonly [boolean, boolean], readonly [boolean, boolean]];
  /** What the two members differ in, in a few words ("left of / right of"). */
  readonly differs: string;
  readonly questions: readonly QaProbe[];
}

export interface Suite {
  readonly id: SuiteId;
  readonly seed: number;
  readonly items: readonly ProbeItem[];
}
