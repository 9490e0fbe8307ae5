/**
 * Tapping in ONNX Runtime (onnxruntime-node): shapes-clip's towers with their attention outputs
 * removed (tests/fixtures/hub, written by `python3 -m forge.fixtures`), their Softmax outputs
 * added back by tapOutputs, return the very attentions the forge exported, on the golden inputs.
 * The fused and no-Softmax fixtures are faithful models (same embeddings) whose attention
 * cannot be tapped, and say so.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InferenceSession, type Tensor as OrtTensor } from 'onnxruntime-node';
import { findAttention, readGraph } from '../../src/lib/onnx/graph';
import { stackAttention, tapOutputs } from '../../src/lib/onnx/tap';
import { floatTensor, int64Tensor, readModelJson, worstDifference, type GoldenInputs, type GoldenTensor } from './goldens';

const SHIPPED = 'static/models/shapes-clip';
const FIXTURES = 'tests/fixtures/hub';
const goldens = readModelJson<{ inputs: GoldenInputs; outputs: Record<string, GoldenTensor> }>(SHIPPED, 'goldens.json');
const feeds = {
  vision_model: { pixel_values: floatTensor(goldens.inputs.pixel_values) },
  text_model: { input_ids: int64Tensor(goldens.inputs.input_ids), attention_mask: int64Tensor(goldens.inputs.attention_mask as GoldenTensor) },
};
const bytes = (path: string) => new Uint8Array(readFileSync(path));

async function run(model: Uint8Array, tower: keyof typeof feeds): Promise<Record<string, OrtTensor>> {
  const session = await InferenceSession.create(model);
  const out = await session.run(feeds[tower]);
  await session.release();
  return out;
}

const asData = (t: OrtTensor) => ({ dims: [...t.dims], data: t.data as Float32Array });

describe.each([
  ['vision_model', 'vision_attentions', 3],
  ['text_model', 'text_attentions', 2],
] as const)('%s without its attention outputs, tapped', (tower, exported, layers) => {
  it('returns the Softmax outputs equal to the attentions the forge exported', async () => {
    const untapped = bytes(`${FIXTURES}/shapes-clip-untapped/onnx/${tower}.onnx`);
    const plan = findAttention(readGraph(untapped));
    expect(plan.kind).toBe('tap');
    if (plan.kind !== 'tap') return;
    expect(plan.names).toHaveLength(layers);
    const tapped = await run(tapOutputs(untapped, plan.names), tower);
    const shipped = await run(bytes(`${SHIPPED}/onnx/${tower}.onnx`), tower);
    const batch = shipped[exported].dims[0];
    const stacked = stackAttention(plan.names.map((n) => asData(tapped[n])), batch);
    expect(stacked?.dims).toEqual([...shipped[exported].dims]);
    expect(worstDifference(stacked?.data ?? [], shipped[exported].data as Float32Array)).toBeLessThanOrEqual(1e-6);
    // And the untapped graph's own outputs are unchanged by the tap.
    const embeds = tower === 'vision_model' ? 'image_embeds' : 'text_embeds';
    expect(worstDifference(tapped[embeds].data as Float32Array, shipped[embeds].data as Float32Array)).toBe(0);
  });
});

it('matches PyTorch: the tapped vision attention of the first golden image', async () => {
  const untapped = bytes(`${FIXTURES}/shapes-clip-untapped/onnx/vision_model.onnx`);
  const plan = findAttention(readGraph(untapped));
  if (plan.kind !== 'tap') throw new Error(`expected a tap plan, got ${plan.kind}`);
  const tapped = await run(tapOutputs(untapped, plan.names), 'vision_model');
  const stacked = stackAttention(plan.names.map((n) => asData(tapped[n])), goldens.inputs.pixel_values.dims[0]);
  const golden = goldens.outputs.vision_attentions_image0;
  const first = stacked?.data.subarray(0, golden.data.length) ?? [];
  expect(worstDifference(first, golden)).toBeLessThan(1e-4);
});

describe.each([
  ['shapes-clip-fused', 'fused'],
  ['shapes-clip-nosoftmax', 'none'],
] as const)('%s', (repo, kind) => {
  it(`is the same model (same embeddings) whose attention cannot be tapped (${kind})`, async () => {
    const model = bytes(`${FIXTURES}/${repo}/onnx/vision_model.onnx`);
    const plan = findAttention(readGraph(model));
    expect(plan.kind).toBe(kind);
    if (plan.kind === 'fused') expect(plan.operators).toEqual(['com.microsoft.Attention']);
    if (plan.kind === 'none') expect(plan.softmaxes).toBe(0);
    const out = await run(model, 'vision_model');
    const shipped = await run(bytes(`${SHIPPED}/onnx/vision_model.onnx`), 'vision_model');
    expect(worstDifference(out.image_embeds.data as Float32Array, shipped.image_embeds.data as Float32Array)).toBeLessThan(1e-5);
  });
});
