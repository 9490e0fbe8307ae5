/**
 * One streamed answer of a VLM: the prompt the worker built, then each token as it is chosen.
 * A new question cancels the answer in flight; what was shown stays until the new prompt
 * arrives, so a refused question or a bad image loses nothing.
 */
import { RuntimeError } from '../../lib/runtime/client';
import { MAX_QUESTION_CHARS, type AnswerStep, type ImageInput, type Sampling, type VlmPrompt } from '../../lib/runtime/protocol';
import type { RuntimeState } from '../../state/runtime.svelte';

export interface Question {
  readonly image: ImageInput | null;
  readonly question: string;
  readonly sampling: Sampling;
  /** What the answer is for (image id, question, decoding), to tell a stale answer from the current one. */
  readonly key: string;
}

/** Why a question cannot be sent, or null when it can. */
export function questionProblem(question: string): string | null {
  const trimmed = question.trim();
  if (!trimmed) return 'Type a question first.';
  if (trimmed.length > MAX_QUESTION_CHARS) return `The question is ${trimmed.length} characters long; ask in at most ${MAX_QUESTION_CHARS}.`;
  return null;
}

export const ALTERNATIVES = 5;
/** As many as the forge generates its goldens with (its generation_config.json). */
export const MAX_NEW_TOKENS = 48;

export class AnswerSession {
  prompt = $state.raw<VlmPrompt | null>(null);
  steps = $state.raw<readonly AnswerStep[]>([]);
  status = $state<'idle' | 'streaming' | 'done' | 'stopped'>('idle');
  stoppedBy = $state<'eos' | 'max-length' | 'stop' | null>(null);
  text = $state('');
  error = $state<string | null>(null);
  modelMs = $state<number | null>(null);
  /** The key of the question the shown answer belongs to. */
  answeredKey = $state('');
  private asked = 0;

  constructor(
    private readonly runtime: RuntimeState,
    private readonly channel: string,
  ) {}

  async ask(q: Question): Promise<void> {
    const problem = questionProblem(q.question);
    if (problem) {
      this.error = problem;
      return;
    }
    if (this.runtime.status !== 'ready') return;
    // The answer in flight stops at its next token; its late parts are dropped by the client.
    this.runtime.client.cancel(this.channel);
    const mine = ++this.asked;
    this.error = null;
    this.status = 'streaming';
    let streamed: AnswerStep[] = [];
    try {
      const out = await this.runtime.client.run(
        { kind: 'answer', image: q.image, question: q.question.trim(), sampling: q.sampling, alternatives: ALTERNATIVES, maxNewTokens: MAX_NEW_TOKENS },
        this.channel,
        (partial) => {
          if (mine !== this.asked) return;
          if (partial.kind === 'prompt') {
            this.prompt = partial.prompt;
            this.answeredKey = q.key;
            this.steps = streamed = [];
            this.text = '';
            this.stoppedBy = null;
          } else {
            streamed = [...streamed, partial.step];
            this.steps = streamed;
          }
        },
      );
      if (mine !== this.asked) return;
      this.prompt = out.result.prompt;
      this.steps = out.result.steps;
      this.text = out.result.text;
      this.stoppedBy = out.result.stopped;
      this.modelMs = out.timing.modelMs;
      this.status = 'done';
    } catch (e) {
      if (mine !== this.asked) return;
      if (e instanceof RuntimeError && (e.code === 'cancelled' || e.code === 'superseded')) return;
      this.error = e instanceof Error ? e.message : String(e);
      this.status = this.steps.length ? 'done' : 'idle';
    }
  }

  /** Stops the answer where it is: the tokens so far stay. */
  stop(): void {
    if (this.status !== 'streaming') return;
    this.asked++;
    this.runtime.client.cancel(this.channel);
    this.status = 'stopped';
    this.stoppedBy = 'stop';
  }
}
