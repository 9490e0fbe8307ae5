/**
 * The lesson being followed: which lesson and step, presenter mode, and the learner's
 * prediction for the step. The position lives in the query string (see lib/lessons/position),
 * the step's lab state in the hash, so a copied link reopens the same step with the same view,
 * and Back / Forward walk the steps.
 */
import { readPosition, writePosition, type LessonPosition } from '../../../lib/lessons/position';
import { openLink } from './openLink';
import type { Lesson, Step } from './types';

export class Course {
  position = $state<LessonPosition | null>(null);
  /** What the URL asked for that could not be honoured. */
  problems = $state.raw<readonly string[]>([]);
  /** The choice the learner made for this step's question, and whether it is revealed. */
  choice = $state<number | null>(null);
  revealed = $state(false);

  readonly lessons: readonly Lesson[];
  /** Where problems go that no lesson panel can show: a link to a lesson that does not exist. */
  private readonly report: (message: string) => void;

  constructor(lessons: readonly Lesson[], report: (message: string) => void = () => undefined) {
    this.lessons = lessons;
    this.report = report;
    this.readUrl();
    // Opened from a link with a lesson but no lab state: show the step's own.
    const step = this.step;
    if (step && location.hash.replace(/^#/, '') === '') openLink(location.search, step.link, false);
  }

  readonly lesson = $derived.by(() => this.find(this.position?.lesson));
  readonly step = $derived<Step | null>(this.lesson && this.position ? this.lesson.steps[this.position.step] ?? null : null);

  private find(id: string | undefined): Lesson | null {
    return this.lessons.find((l) => l.id === id) ?? null;
  }

  /** Reads the position from the URL (at start, and after Back / Forward). */
  readUrl(): void {
    const reading = readPosition(location.search, (id) => this.lessons.find((l) => l.id === id)?.steps.length ?? null);
    const moved = reading.position?.lesson !== this.position?.lesson || reading.position?.step !== this.position?.step;
    this.position = reading.position;
    this.problems = reading.problems;
    if (!reading.position) for (const problem of reading.problems) this.report(problem);
    if (moved) this.resetPrediction();
  }

  start(id: string, presenting = this.position?.presenting ?? false): void {
    if (!this.lessons.some((l) => l.id === id)) return;
    this.show({ lesson: id, step: 0, presenting });
  }

  go(step: number): void {
    const lesson = this.lesson;
    if (!lesson || !this.position) return;
    const next = Math.min(Math.max(step, 0), lesson.steps.length - 1);
    if (next === this.position.step) return;
    this.show({ ...this.position, step: next });
  }

  next = () => this.go((this.position?.step ?? 0) + 1);
  previous = () => this.go((this.position?.step ?? 0) - 1);

  setPresenting(presenting: boolean): void {
    if (!this.position || this.position.presenting === presenting) return;
    this.position = { ...this.position, presenting };
    openLink(writePosition(location.search, this.position), location.hash, false);
  }

  close(): void {
    this.position = null;
    this.problems = [];
    this.resetPrediction();
    openLink(writePosition(location.search, null), location.hash, true);
  }

  choose(choice: number): void {
    if (!this.revealed) this.choice = choice;
  }

  /** Shows the live answer, first applying the state the question is about. */
  reveal(): void {
    const predict = this.step?.predict;
    if (!predict || this.choice === null) return;
    this.revealed = true;
    if (predict.reveal) openLink(location.search, predict.reveal, false);
  }

  private show(position: LessonPosition): void {
    const lesson = this.lessons.find((l) => l.id === position.lesson)!;
    this.position = position;
    this.problems = [];
    this.resetPrediction();
    openLink(writePosition(location.search, position), lesson.steps[position.step].link, true);
  }

  private resetPrediction(): void {
    this.choice = null;
    this.revealed = false;
  }
}
