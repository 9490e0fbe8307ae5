/**
 * A run of the probe suites over a list of models, each model in a worker of its own (the one
 * runtime code every lab uses), one model after another and one suite after another. Finished
 * suites are kept as they finish; cancelling stops the request in flight and keeps them.
 */
import { RuntimeError } from '../../lib/runtime/client';
import type { Dtype, Family } from '../../lib/runtime/protocol';
import { RuntimeState } from '../../state/runtime.svelte';
import { generateSuite } from '../../lib/probes/suites';
import { pairSuiteSteps, qaSuiteSteps, stepped, type SuiteResult } from '../../lib/probes/report';
import { hubProbeModel, PROBE_FAMILIES, type ProbeModel } from '../../lib/probes/models';
import { SUITE_IDS, type Suite, type SuiteId } from '../../lib/probes/types';
import { answerQuestions, prepareSuite, scorePairs, yieldToPage, type SuiteInputs } from './scoring';

const CHANNEL = 'probe';

/** A hub repo to probe, in the precision asked for. */
export interface HubChoice {
  readonly hub: string;
  readonly dtype: Dtype;
}

export interface RunProgress {
  readonly stage: string;
  /** Suites finished of all the run asked for. */
  readonly done: number;
  readonly total: number;
}

export class ProbeRun {
  /** Every finished suite of every model, in the order they finished. */
  results = $state.raw<readonly SuiteResult[]>([]);
  /** The suites the results are for (the seed and item count they were drawn with). */
  suites = $state.raw<readonly Suite[]>([]);
  status = $state<'idle' | 'running' | 'cancelled' | 'done' | 'error'>('idle');
  progress = $state.raw<RunProgress>({ stage: '', done: 0, total: 0 });
  error = $state<string | null>(null);
  /** Labels of the models in the results, by key (a hub model's is known once it loads). */
  labels = $state.raw<ReadonlyMap<string, string>>(new Map());
  private runtime: RuntimeState | null = null;
  private stopped = false;
  private runs = 0;

  /**
   * Runs every suite (`count` items each, drawn from `seed`) on each model. A hub model is
   * given by its repo id; its family, read from its config as it loads, decides how it scores.
   */
  async run(models: readonly (ProbeModel | HubChoice)[], seed: number, count: number, suiteIds: readonly SuiteId[] = SUITE_IDS): Promise<void> {
    this.cancel();
    const mine = ++this.runs;
    this.stopped = false;
    this.status = 'running';
    this.error = null;
    this.results = [];
    this.labels = new Map();
    const stale = () => this.stopped || mine !== this.runs;
    // One suite generated a task, so a click never holds the page for all of them.
    const suites: Suite[] = [];
    for (const id of suiteIds) {
      suites.push(generateSuite(id, seed, count));
      await yieldToPage();
      if (stale()) return;
    }
    this.suites = suites;
    const total = models.length * suites.length;
    let done = 0;
    // Drawn once per suite and model side.
    const prepared = new Map<string, SuiteInputs>();
    try {
      for (const asked of models) {
        const model = await this.loadModel(asked);
        if (stale()) return;
        this.labels = new Map([...this.labels, [model.key, model.label]]);
        const side = this.sideOf(model);
        for (const suite of suites) {
          this.progress = { stage: `${model.label}: preparing ${suite.id}`, done, total };
          let inputs = prepared.get(`${suite.id}:${side}`);
          if (!inputs) {
            inputs = await prepareSuite(suite, side);
            if (stale()) return;
            prepared.set(`${suite.id}:${side}`, inputs);
          }
          this.progress = { stage: `${model.label}: ${suite.id}`, done, total };
          const started = performance.now();
          const result = await this.runSuite(model, inputs, stale, done, total);
          if (!result || stale()) return;
          // The last bootstrap and the table's update each get a task of their own.
          await yieldToPage();
          if (stale()) return;
          this.results = [...this.results, { ...result, ms: performance.now() - started }];
          this.progress = { stage: this.progress.stage, done: ++done, total };
          // The table and chart take the result in a task of their own, before the next suite starts.
          await yieldToPage();
          if (stale()) return;
          // From the suite's first request to its result on the page (the bench's window for frames and tasks).
          performance.mark('vlm:probe-suite', { detail: { model: model.key, suite: suite.id, items: suite.items.length, ms: performance.now() - started } });
        }
      }
      // The last model's worker ends with its suites (each earlier one ended as the next loaded).
      this.release();
      this.status = 'done';
      this.progress = { stage: 'Done', done, total };
    } catch (error) {
      if (stale()) return;
      if (error instanceof RuntimeError && (error.code === 'cancelled' || error.code === 'superseded')) return;
      this.error = error instanceof Error ? error.message : String(error);
      this.status = 'error';
      this.release();
    }
  }

  /** Stops the run: the request in flight is cancelled, finished suites stay. */
  cancel(): void {
    if (this.status !== 'running') return;
    this.stopped = true;
    this.runtime?.client.cancel(CHANNEL);
    this.release();
    this.status = 'cancelled';
    this.progress = { ...this.progress, stage: 'Cancelled' };
  }

  dispose(): void {
    this.stopped = true;
    this.release();
  }

  private release(): void {
    this.runtime?.client.dispose();
    this.runtime = null;
  }

  private async loadModel(asked: ProbeModel | HubChoice): Promise<ProbeModel> {
    const source = 'hub' in asked ? { id: asked.hub, origin: 'hub' as const } : asked.source;
    const families: readonly Family[] = 'hub' in asked ? PROBE_FAMILIES : [asked.family];
    const same = this.runtime && this.runtime.model.id === source.id && this.runtime.model.origin === source.origin && this.runtime.status === 'ready';
    if (!same) {
      // A model's worker ends before the next one starts: memory and threads go back first.
      this.release();
      this.progress = { ...this.progress, stage: `Loading ${source.id}` };
      this.runtime = new RuntimeState(source, families);
      const ok = await this.runtime.load(source, this.runtime.device, { dtype: 'hub' in asked ? asked.dtype : 'fp32' });
      if (!ok) throw new Error(this.runtime.error ?? `${source.id} could not be loaded.`);
    }
    const info = this.runtime!.info!;
    return 'hub' in asked ? hubProbeModel(asked.hub, info.family) : asked;
  }

  private async runSuite(model: ProbeModel, inputs: SuiteInputs, stale: () => boolean, done: number, total: number): Promise<SuiteResult | null> {
    const client = this.runtime!.client;
    if (model.score === 'answers') {
      const asked = inputs.suite.items.reduce((n, item) => n + item.questions.length, 0);
      this.progress = { stage: `${model.label}: ${inputs.suite.id}, ${asked} questions in one batch`, done, total };
      const answers = await answerQuestions(client, inputs, CHANNEL, stale);
      return answers && !stale() ? stepped(qaSuiteSteps(model.key, inputs.suite, answers, 0), yieldToPage, stale) : null;
    }
    const { scores, unknownWords } = await scorePairs(client, model.score, inputs, CHANNEL);
    // The scores arrive in one task and are summed up in the next ones, a bootstrap a task.
    if (stale()) return null;
    return stepped(pairSuiteSteps(model.key, inputs.suite, scores, { unknownWords, ms: 0 }), yieldToPage, stale);
  }

  /** The side the model's worker shrinks a drawing to first (none for a VLM that does not say). */
  private sideOf(model: ProbeModel): number {
    const info = this.runtime!.info!;
    return model.score === 'answers' ? (info.vlm?.longestEdge ?? Infinity) : info.imageSize;
  }
}
