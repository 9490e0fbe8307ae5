/**
 * A lesson is a short walk through one idea of the article, beside a live lab. Each step is a
 * link (the lab's state, in the same URL format as "Copy link"), a pointer at one figure, a few
 * sentences, and optionally a question to answer before the live answer is shown. A step that
 * states a fact about the numbers carries checks: predicates over the outputs the page shows in
 * its accessible tables, run live in the panel and by the browser tests, so a retrained model
 * cannot make a lesson silently false.
 */

/** What a check read from the page: whether the claim holds, and the numbers it rests on. */
export interface CheckReading {
  readonly holds: boolean;
  /** The numbers, in words: "diagonal 0.91–0.99". */
  readonly reading: string;
}

export interface Check {
  /** The claim, as the step's text makes it. */
  readonly claim: string;
  /**
   * Reads the live outputs under `root` (the lab's `<main>`); null while they are not there yet
   * or are still those of another state.
   */
  readonly test: (root: HTMLElement) => CheckReading | null;
}

export interface Prediction {
  readonly question: string;
  readonly choices: readonly string[];
  /** The live answer: the index of the right choice, read from the page; null while not ready. */
  readonly answer: (root: HTMLElement) => number | null;
  /** The state the question is about, applied when the learner reveals; absent: the step's own. */
  readonly reveal?: string;
  /** Hide the step's figure until the reveal (the figure would give the answer away). */
  readonly hideFigure?: boolean;
}

export interface Step {
  readonly title: string;
  /** The lab's state: a hash such as `#contrastive?…`. */
  readonly link: string;
  /** The `data-testid` of the figure the step talks about, inside the lab. */
  readonly figure: string;
  /** A few sentences; a blank line starts a new paragraph. */
  readonly text: string;
  readonly predict?: Prediction;
  readonly checks?: readonly Check[];
}

export interface Lesson {
  readonly id: string;
  readonly title: string;
  /** One line for the list of lessons. */
  readonly summary: string;
  /** The article's family the lesson belongs to. */
  readonly family: 'contrastive' | 'masking' | 'generative' | 'backbones' | 'failures';
  readonly steps: readonly Step[];
}
