/**
 * bench.html, part (l) (tests/bench/tokens.ts drives it through `window.benchTokens`): shapes-cm3
 * drawing on onnxruntime-web's WASM.
 *   steps   one cached decoding step (one new code fed, the earlier tokens' keys and values
 *           given) at an early and a late code of the same drawing, taken back to back; same
 *           graph and loop code as the worker (src/lib/generation/cached-decoder.ts)
 *   images  whole 64-code drawings through the app's own path (InferenceClient → worker →
 *           continueSequence, each step's partial grid decoded by shapes-vq), from the request
 *           to the result, and each code's time on the worker's clock; plain, or with
 *           classifier-free guidance at the goldens' scale (two cached sequences a step, the
 *           Token lab's default)
 * The drawing is the golden first caption's greedy one (plain or guided). The page only collects raw samples.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { decodeStep, emptyCache, sessionGraph, type CachedGraph, type KeyValueCache } from '../../src/lib/generation/cached-decoder';
import { InferenceClient, type WorkerLike } from '../../src/lib/runtime/client';
import type { ModelInfo } from '../../src/lib/runtime/protocol';

const MODEL_URL = `${import.meta.env.BASE_URL}models/shapes-cm3`;

export interface TokensSetup {
  readonly info: ModelInfo;
  readonly caption: string;
  /** The drawing's prompt and its 65 greedy tokens (64 codes and </image>). */
  readonly prompt: readonly number[];
  readonly ids: readonly number[];
  /** The guided drawing's scale and its 65 greedy tokens. */
  readonly guidance: number;
  readonly guidedIds: readonly number[];
  readonly threads: number;
}

export interface TokenSteps {
  /** Per code position (1-based among the drawing's codes): ms of each cached step, in the order taken. */
  readonly steps: Record<string, number[]>;
}

export interface TokenImages {
  /** Request → result of a whole drawing, on the main thread. */
  readonly totalMs: number[];
  /** Per drawing: ms between consecutive codes' choices on the worker's clock (index k − 1: code k − 1 → k). */
  readonly gaps: number[][];
  /** Per drawing: the first code's choice on the worker's clock (the prompt read in one step). */
  readonly firstCodeMs: number[];
  /** Per drawing: the last token's (</image>) choice on the worker's clock. */
  readonly lastCodeMs: number[];
  /** The worker's model time per drawing (the loop, the partial decodes and the final decode). */
  readonly modelMs: number[];
}

interface State {
  graph: CachedGraph<ort.Tensor>;
  prompt: number[];
  ids: number[];
  /** The cache after the prompt and the first k drawn tokens, for every k. */
  caches: KeyValueCache<ort.Tensor>[];
  client: InferenceClient;
  caption: string;
  guidance: number;
  guidedIds: number[];
}

let state: State | null = null;

async function setup(): Promise<TokensSetup> {
  const goldens = (await (await fetch(`${MODEL_URL}/goldens.json`)).json()) as {
    inputs: { captions: string[] };
    draw: { prompts: number[][]; ids: number[][] };
    guided_draw: { scale: number; ids: number[][] };
  };
  const bytes = new Uint8Array(await (await fetch(`${MODEL_URL}/onnx/decoder_model_merged.onnx`)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], logSeverityLevel: 2 });
  const graph = sessionGraph(session, ort.Tensor);
  const prompt = goldens.draw.prompts[0];
  const ids = goldens.draw.ids[0];
  const first = await decodeStep(graph, emptyCache(graph, 1), [prompt], {});
  const caches = [first.cache];
  for (const id of ids.slice(0, -1)) caches.push((await decodeStep(graph, caches[caches.length - 1], [[id]], {})).cache);
  const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
  const client = new InferenceClient(() => worker as unknown as WorkerLike);
  const info = await client.load({ id: 'shapes-cm3', origin: 'bundled' }, 'wasm', { dtype: 'fp32', threads: 1, families: ['cm3'] });
  const guidance = goldens.guided_draw.scale;
  const guidedIds = goldens.guided_draw.ids[0];
  state = { graph, prompt, ids, caches, client, caption: goldens.inputs.captions[0], guidance, guidedIds };
  return { info, caption: state.caption, prompt, ids, guidance, guidedIds, threads: ort.env.wasm.numThreads ?? NaN };
}

/** `reps` rounds; in each, a cached step reading code `p` for every position, the order alternating. */
async function measureSteps(positions: readonly number[], reps: number): Promise<TokenSteps> {
  const s = state;
  if (!s) throw new Error('benchTokens.setup() first');
  const steps: Record<string, number[]> = Object.fromEntries(positions.map((p) => [p, []]));
  for (let r = 0; r < reps; r++) {
    for (const p of r % 2 ? [...positions].reverse() : positions) {
      const started = performance.now();
      // Reading code p (1-based): the cache holds the prompt and the p − 1 codes before it.
      await decodeStep(s.graph, s.caches[p - 1], [[s.ids[p - 1]]], {});
      steps[p].push(performance.now() - started);
    }
  }
  return { steps };
}

/** `guided`: drawn with classifier-free guidance at the goldens' scale, and checked against the guided goldens. */
async function measureImages(rounds: number, guided = false): Promise<TokenImages> {
  const s = state;
  if (!s) throw new Error('benchTokens.setup() first');
  const out: TokenImages = { totalMs: [], gaps: [], firstCodeMs: [], lastCodeMs: [], modelMs: [] };
  const expected = guided ? s.guidedIds : s.ids;
  for (let r = 0; r < rounds; r++) {
    const chosen: number[] = [];
    const started = performance.now();
    const task = { kind: 'draw', caption: s.caption, sampling: { kind: 'greedy' }, alternatives: 5, ...(guided ? { guidance: s.guidance } : {}) } as const;
    const { result, timing } = await s.client.run(task, undefined, (partial) => {
      if (partial.kind === 'sequence-step') chosen.push(partial.step.at);
    });
    out.totalMs.push(performance.now() - started);
    if (result.steps.map((x) => x.id).join() !== expected.join()) throw new Error(`the worker's drawing [${result.steps.map((x) => x.id)}] differs from the goldens' [${expected}]`);
    out.gaps.push(chosen.slice(1).map((t, k) => t - chosen[k]));
    out.firstCodeMs.push(chosen[0]);
    out.lastCodeMs.push(chosen[chosen.length - 1]);
    out.modelMs.push(timing.modelMs);
  }
  return out;
}

(window as unknown as { benchTokens: unknown }).benchTokens = { setup, measureSteps, measureImages };
