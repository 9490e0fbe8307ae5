/**
 * bench.html, part (k) (tests/bench/vlm.ts drives it through `window.benchVlm`): the bundled
 * shapes-smolvlm answering through the app's own path (InferenceClient → worker →
 * AutoModelForVision2Seq's generate with the key/value cache) on WASM, one thread. Each round
 * asks about a sample and notes when the prompt and each token arrive on the main thread, as
 * the Backbone lab sees them. Seeded sampling keeps answers long enough to reach position 16.
 */
import { InferenceClient, type WorkerLike } from '../../src/lib/runtime/client';
import type { ModelInfo, PixelsInput } from '../../src/lib/runtime/protocol';
import { sampleImage } from '../../src/lib/shapes';

export interface VlmSetup {
  readonly info: ModelInfo;
}

export interface VlmRound {
  /** Milliseconds from the request to the prompt's and the first token's arrival on the main thread. */
  readonly promptMs: number;
  readonly firstTokenMs: number;
  /** Between consecutive tokens' choices on the worker's clock (index k − 1: token k − 1 → k): arrivals on a busy main thread bunch up. */
  readonly gaps: number[];
}

let client: InferenceClient | null = null;

async function setup(): Promise<VlmSetup> {
  const worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module' });
  client = new InferenceClient(() => worker as unknown as WorkerLike);
  const info = await client.load({ id: 'shapes-smolvlm', origin: 'bundled' }, 'wasm', { dtype: 'fp32', threads: 1, families: ['smolvlm'] });
  return { info };
}

async function measure(rounds: number, maxNewTokens: number): Promise<VlmRound[]> {
  if (!client) throw new Error('call setup first');
  const out: VlmRound[] = [];
  for (let r = 0; r < rounds; r++) {
    const pixels = sampleImage(r % 8);
    const image: PixelsInput = { kind: 'pixels', width: pixels.width, height: pixels.height, channels: 3, data: pixels.data };
    const arrivals: number[] = [];
    const chosen: number[] = [];
    let promptAt = 0;
    const started = performance.now();
    await client.run(
      { kind: 'answer', image, question: 'Describe this image.', sampling: { kind: 'sample', temperature: 1.5, topK: 50, seed: r + 1 }, alternatives: 5, maxNewTokens },
      undefined,
      (partial) => {
        if (partial.kind === 'prompt') promptAt = performance.now();
        else {
          arrivals.push(performance.now());
          chosen.push(partial.step.at);
        }
      },
    );
    out.push({ promptMs: promptAt - started, firstTokenMs: arrivals[0] - started, gaps: chosen.slice(1).map((t, k) => t - chosen[k]) });
  }
  return out;
}

(window as unknown as { benchVlm: unknown }).benchVlm = { setup, measure };
