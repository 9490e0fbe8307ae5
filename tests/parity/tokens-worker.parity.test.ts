/**
 * The Token lab's worker tasks against PyTorch, in Node: shapes-cm3 loaded with its VQ tokenizer
 * through the worker's loader; each golden sample tokenized to the goldens' codes and
 * reconstructed within 1e-4; each golden caption drawn greedily code for code, unguided and with
 * classifier-free guidance at the goldens' scale (decoded within 1e-4 of PyTorch's pixels), and each golden
 * image captioned word for word through the shared cached loop, every step streamed first; a
 * cancelled drawing stops at its next step; captions the model cannot read are refused with a
 * message naming why. Expected values come from the forge's goldens.json files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Device, SequencePartial, TaskResult } from '../../src/lib/runtime/protocol.ts';
import { sampleImage } from '../../src/lib/shapes/index.ts';
import { loadDualEncoder, type LoadedModel } from '../../workers/families/dual-encoder.ts';
import { decodeGrids, encodeImage, runDraw, runWriteCaption } from '../../workers/families/tokens.ts';
import { expectClose, modelUnderTest, readModelJson, type GoldenTensor } from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-cm3');
interface Greedy { prompts: number[][]; ids: number[][] }
const cm3 = readModelJson<{
  inputs: { captions: string[] };
  draw: Greedy & { pixels: GoldenTensor };
  guided_draw: Greedy & { pixels: GoldenTensor; scale: number };
  caption: Greedy & { image_codes: number[][]; text: string[] };
}>(modelDir, 'goldens.json');
const { max_caption_tokens: maxCaption } = readModelJson<{ max_caption_tokens: number }>(modelDir, 'config.json');
const vq = readModelJson<{ outputs: Record<string, GoldenTensor> }>(`${modelDir}/../shapes-vq`, 'goldens.json');

type Of<K extends TaskResult['kind']> = Extract<TaskResult, { kind: K }>;
const pixelsOf = (k: number) => {
  const image = sampleImage(k);
  return { kind: 'pixels' as const, width: image.width, height: image.height, channels: 3 as const, data: image.data };
};
/** Golden tensor row k (its first axis). */
const row = (t: GoldenTensor, k: number): GoldenTensor => {
  const size = t.data.length / t.dims[0];
  return { dims: t.dims.slice(1), data: t.data.slice(k * size, (k + 1) * size) };
};

describe(`bundled ${modelId} with its VQ tokenizer: the worker's tasks equal PyTorch's`, () => {
  let model: LoadedModel;
  const collect = (cancelAfter = Infinity) => {
    const partials: SequencePartial[] = [];
    return { partials, stream: { emit: (p: SequencePartial) => partials.push(p), cancelled: () => partials.filter((p) => p.kind === 'sequence-step').length >= cancelAfter } };
  };

  beforeAll(async () => {
    model = await loadDualEncoder({ source: { id: modelId, origin: 'bundled' }, device: 'cpu' as Device, dtype: 'fp32', threads: 1, families: ['cm3'] }, () => undefined);
  });

  it('tokenizes each golden sample to the goldens\' codes and reconstructs it within 1e-4', async () => {
    const codes = vq.outputs.codes;
    for (let k = 0; k < codes.dims[0]; k++) {
      const { result } = await encodeImage(model, pixelsOf(k));
      const encoded = result as Of<'vq-encode'>;
      expect(encoded.codes).toEqual(row(codes, k).data);
      expectClose(encoded.reconstruction.data, row(vq.outputs.reconstruction, k), 1e-4);
    }
  });

  it('decodes every code of the codebook as PyTorch does', async () => {
    const grids = vq.outputs.every_code;
    const per = grids.data.length / grids.dims[0];
    const { result } = await decodeGrids(model, Array.from({ length: grids.dims[0] }, (_, g) => grids.data.slice(g * per, (g + 1) * per)));
    expectClose((result as Of<'vq-decode'>).pixels.data, vq.outputs.every_code_pixels, 1e-4);
  });

  for (const guided of [false, true]) {
    it(`draws each golden caption greedily with PyTorch's codes${guided ? ', guided at the goldens\' scale' : ''}, streaming every step`, async () => {
      const golden = guided ? cm3.guided_draw : cm3.draw;
      // Left out, the scale is 1: plain decoding.
      const guidance = guided ? { guidance: cm3.guided_draw.scale } : {};
      expect(golden.ids.length).toBe(cm3.inputs.captions.length);
      for (const [k, caption] of cm3.inputs.captions.entries()) {
        const { partials, stream } = collect();
        const { result } = await runDraw(model, { caption, sampling: { kind: 'greedy' }, alternatives: 3, ...guidance }, stream);
        const drawn = result as Of<'draw'>;
        expect(drawn.guidance).toBe(guided ? cm3.guided_draw.scale : 1);
        expect(drawn.prompt.map((t) => t.id)).toEqual(golden.prompts[k]);
        expect(drawn.steps.map((s) => s.id)).toEqual(golden.ids[k]);
        expectClose(drawn.pixels.data, row(golden.pixels, k), 1e-4);
        expect(partials.filter((p) => p.kind === 'sequence-step').length).toBe(drawn.steps.length);
        // The attention shown is the conditional sequence's: over the caption and the codes so far.
        for (const s of drawn.steps) expect(s.attention.dims.at(-1)).toBeGreaterThanOrEqual(golden.prompts[k].length);
      }
    });
  }

  it('reports the model\'s guidance scale, and refuses a scale that is not a number', async () => {
    expect(model.info.tokens?.guidance).toBe(cm3.guided_draw.scale);
    await expect(runDraw(model, { caption: 'a red circle', sampling: { kind: 'greedy' }, alternatives: 3, guidance: Number.NaN }, collect().stream))
      .rejects.toThrow(/guidance scale/);
  });

  it('captions each golden image\'s codes greedily with PyTorch\'s words', async () => {
    for (const [k, codes] of cm3.caption.image_codes.entries()) {
      const { stream } = collect();
      const { result } = await runWriteCaption(model, { codes, sampling: { kind: 'greedy' }, alternatives: 3 }, stream);
      const written = result as Of<'write-caption'>;
      expect(written.prompt.map((t) => t.id)).toEqual(cm3.caption.prompts[k]);
      expect(written.steps.map((s) => s.id)).toEqual(cm3.caption.ids[k]);
      expect(written.text).toBe(cm3.caption.text[k]);
    }
  });

  it('samples from the top k only, and the same seed draws the same image', async () => {
    const sample = async (seed: number) => {
      const { result } = await runDraw(model, { caption: cm3.inputs.captions[0], sampling: { kind: 'sample', temperature: 1.5, topK: 3, seed }, alternatives: 3 }, collect().stream);
      return result as Of<'draw'>;
    };
    const first = await sample(7);
    for (const s of first.steps) expect(s.alternatives.map((a) => a.id)).toContain(s.id);
    expect((await sample(7)).steps.map((s) => s.id)).toEqual(first.steps.map((s) => s.id));
  });

  it('stops a cancelled drawing at its next step', async () => {
    const { partials, stream } = collect(3);
    const { result } = await runDraw(model, { caption: cm3.inputs.captions[0], sampling: { kind: 'greedy' }, alternatives: 3 }, stream);
    expect((result as Of<'draw'>).steps.map((s) => s.id)).toEqual(cm3.draw.ids[0].slice(0, 3));
    expect(partials.filter((p) => p.kind === 'sequence-step').length).toBe(3);
  });

  it('refuses an empty caption, unknown words and an over-long caption with a message', async () => {
    const draw = (caption: string) => runDraw(model, { caption, sampling: { kind: 'greedy' }, alternatives: 3 }, collect().stream);
    await expect(draw('   ')).rejects.toThrow(/Type a caption first/);
    await expect(draw('a purple circle')).rejects.toThrow(/“purple”/);
    await expect(draw('a red circle!')).rejects.toThrow(/“!”/);
    // [BOS] and [EOS] take two of the model's tokens.
    await expect(draw('a '.repeat(maxCaption - 1))).rejects.toThrow(new RegExp(`at most ${maxCaption - 2}`));
  });
});
