/**
 * Tapping a SmolVLM whose graphs output no attention, through the worker's own path in Node
 * (transformers.js on onnxruntime-node, `loadVlm` → `loadVlmTapped`, `runAnswer`):
 * tests/fixtures/hub/shapes-smolvlm-untapped (written by `python3 -m forge.fixtures`: the bundled
 * shapes-smolvlm's graphs with `vision_attentions` and `decoder_attentions.*` removed and the
 * decoder's Softmax outputs renamed as a hub export names them) answers every golden question
 * with the goldens' ids, and its tapped vision attention and per-token decoder attention equal
 * the bundled model's exported ones within 1e-6.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { InferenceSession } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device, TaskResult } from '../../src/lib/runtime/protocol';
import { sampleImage } from '../../src/lib/shapes/index';
import { loadDualEncoder, type LoadedModel } from '../../workers/families/dual-encoder';
import { installAttentionTap } from '../../workers/families/tap';
import { runAnswer } from '../../workers/families/vlm';
import { readModelJson, worstDifference } from './goldens';

const SHIPPED = 'static/models/shapes-smolvlm';
const FIXTURE = 'tests/fixtures/hub/shapes-smolvlm-untapped';
interface GoldenCase { image: number | null; question: string; generated: number[] }
const goldens = readModelJson<{ max_new_tokens: number; cases: GoldenCase[] }>(SHIPPED, 'goldens.json');
type Answer = Extract<TaskResult, { kind: 'answer' }>;

/** A model folder of the shipped JSON files and the fixture's graphs, as the hub mirror serves it. */
function fixtureFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'vlm-tap-'));
  const dir = join(root, 'shapes-smolvlm-untapped');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const file of readdirSync(SHIPPED)) if (file.endsWith('.json')) copyFileSync(join(SHIPPED, file), join(dir, file));
  for (const file of readdirSync(join(FIXTURE, 'onnx'))) copyFileSync(join(FIXTURE, 'onnx', file), join(dir, 'onnx', file));
  return root + '/';
}

async function load(localModelPath: string, id: string): Promise<LoadedModel> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = localModelPath;
  return loadDualEncoder({ source: { id, origin: 'bundled' }, device: 'cpu' as Device, dtype: 'fp32', threads: 1, families: ['smolvlm'] }, () => undefined);
}

async function answer(model: LoadedModel, c: GoldenCase): Promise<Answer> {
  const pixels = c.image === null ? null : sampleImage(c.image);
  const image = pixels && { kind: 'pixels' as const, width: pixels.width, height: pixels.height, channels: 3 as const, data: pixels.data };
  const task = { image, question: c.question, sampling: { kind: 'greedy' } as const, alternatives: 3, maxNewTokens: goldens.max_new_tokens };
  return (await runAnswer(model, task, { emit: () => undefined, cancelled: () => false })).result as Answer;
}

describe('shapes-smolvlm without attention outputs, tapped as it loads', () => {
  let shipped: LoadedModel;
  let tapped: LoadedModel;
  beforeAll(async () => {
    installAttentionTap(InferenceSession, async (path) => new Uint8Array(readFileSync(path)));
    shipped = await load(`${process.cwd()}/static/models/`, 'shapes-smolvlm');
    tapped = await load(fixtureFolder(), 'shapes-smolvlm-untapped');
  });

  it('is the fixture it should be: its graphs output no attention of their own', () => {
    const sessions = (tapped.graphs.model as unknown as { sessions: Record<string, { outputNames: readonly string[] }> }).sessions;
    expect(sessions.vision_encoder.outputNames).not.toContain('vision_attentions');
    expect(sessions.vision_encoder.outputNames.filter((n) => n.endsWith('Softmax_output_0'))).toHaveLength(3);
    expect(sessions.decoder_model_merged.outputNames.filter((n) => n.startsWith('decoder_attentions.'))).toEqual([0, 1, 2].map((l) => `decoder_attentions.${l}`));
    expect(tapped.info.attention).toEqual({ vision: { via: 'tapped' }, decoder: { via: 'tapped' } });
    expect(shipped.info.attention).toEqual({ vision: { via: 'outputs' }, decoder: { via: 'outputs' } });
    expect(tapped.info.vlm?.attentions).toBe(true);
  });

  it('answers every golden question with the goldens\' ids, its vision and decoder attention the bundled model\'s', async () => {
    for (const c of goldens.cases) {
      const ours = await answer(tapped, c);
      const theirs = await answer(shipped, c);
      const label = `${c.question} (image ${c.image})`;
      expect(ours.steps.map((s) => s.id), label).toEqual(c.generated);
      expect(ours.steps.length).toBe(theirs.steps.length);
      ours.steps.forEach((step, k) => {
        expect(step.attention?.dims, label).toEqual(theirs.steps[k].attention?.dims);
        expect(worstDifference(step.attention!.data, theirs.steps[k].attention!.data), label).toBeLessThanOrEqual(1e-6);
      });
      if (c.image === null) {
        expect(ours.prompt.visionAttentions).toBeNull();
        continue;
      }
      const vision = ours.prompt.visionAttentions!;
      expect(vision.dims, label).toEqual(theirs.prompt.visionAttentions!.dims);
      expect(worstDifference(vision.data, theirs.prompt.visionAttentions!.data), label).toBeLessThanOrEqual(1e-6);
    }
  });
});
