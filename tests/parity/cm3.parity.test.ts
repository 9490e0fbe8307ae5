/**
 * The bundled CM3leon-style shapes-cm3 must reproduce the forge's PyTorch goldens through
 * onnxruntime-node and the shared cached decoding loop (src/lib/generation/cached-decoder.ts):
 * the prompt's last logits, and the greedy drawings (64 codes and </image>), unguided and with
 * classifier-free guidance at the model's scale, and greedy captions token for token. MODEL_DIR
 * points elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { decodeStep, emptyCache, lastLogits, sessionGraph, type CachedGraph } from '../../src/lib/generation/cached-decoder.ts';
import { argmax } from '../../src/lib/generation/cached-decoder.ts';
import { unconditionalPrompt } from '../../src/lib/tokens/guidance.ts';
import { continueWith, greedyContinue, type Cm3Vocabulary } from '../../training/eval/cm3.ts';
import { expectClose, logitTolerance, modelUnderTest, onnxSession, readModelJson, type GoldenTensor } from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-cm3');
interface Greedy { prompts: number[][]; ids: number[][]; stop: number; max_new_tokens: number }
const goldens = readModelJson<{
  outputs: { prefill_logits: GoldenTensor };
  draw: Greedy;
  guided_draw: Greedy & { scale: number; unconditional_prompt: number[] };
  caption: Greedy;
}>(modelDir, 'goldens.json');
const vocabulary = readModelJson<{ model_type: string; vocabulary: Cm3Vocabulary; guidance_scale: number }>(modelDir, 'config.json');

describe(`bundled CM3 (${modelId}) against the PyTorch goldens`, () => {
  let graph: CachedGraph<OrtTensor>;

  beforeAll(async () => {
    graph = sessionGraph(await onnxSession(modelDir, 'decoder_model_merged'), OrtTensor);
  });

  it('declares its type and the markers its drawing prompts end with', () => {
    expect(vocabulary.model_type).toBe('shapes_cm3');
    expect(goldens.draw.stop).toBe(vocabulary.vocabulary.end_image);
    for (const p of goldens.draw.prompts) expect(p.at(-1)).toBe(vocabulary.vocabulary.begin_image);
  });

  it("the first drawing prompt's last logits within 1e-4 of their scale", async () => {
    const prompt = goldens.draw.prompts[0];
    const positions = new OrtTensor('int64', BigInt64Array.from(prompt, (_, i) => BigInt(i)), [1, prompt.length]);
    const { outputs } = await decodeStep(graph, emptyCache(graph, 1), [prompt], { position_ids: positions });
    const logits = lastLogits(outputs.logits, 0);
    expectClose(logits, goldens.outputs.prefill_logits, logitTolerance(goldens.outputs.prefill_logits.data));
  });

  it('greedy drawings guided at the model\'s scale token for token, <image> alone the unconditional prompt', async () => {
    const g = goldens.guided_draw;
    expect(g.scale).toBe(vocabulary.guidance_scale);
    expect(g.unconditional_prompt).toEqual(unconditionalPrompt(vocabulary.vocabulary));
    expect(g.prompts.length).toBeGreaterThan(0);
    const guidance = { prompt: g.unconditional_prompt, scale: g.scale, vocabulary: vocabulary.vocabulary };
    for (const [k, prompt] of g.prompts.entries()) expect(await continueWith(graph, prompt, g.stop, g.max_new_tokens, argmax, guidance)).toEqual(g.ids[k]);
  });

  for (const kind of ['draw', 'caption'] as const) {
    it(`greedy ${kind === 'draw' ? 'drawings' : 'captions'} token for token`, async () => {
      const g = goldens[kind];
      expect(g.prompts.length).toBeGreaterThan(0);
      for (const [k, prompt] of g.prompts.entries()) expect(await greedyContinue(graph, prompt, g.stop, g.max_new_tokens)).toEqual(g.ids[k]);
    });
  }
});
