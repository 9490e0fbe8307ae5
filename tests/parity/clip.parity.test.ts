/**
 * The bundled CLIP, loaded by transformers.js through the hub loading path (remote loading
 * off), must reproduce the forge's PyTorch goldens. MODEL_DIR points elsewhere for the
 * forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, CLIPModel,
} from '@huggingface/transformers';
import {
  expectClose, expectForgePixelValues, expectForgeTokens, modelUnderTest, readModelJson, transformersTensor, type GoldenInputs, type GoldenTensor,
} from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-clip');
const goldens = readModelJson<{
  inputs: GoldenInputs;
  outputs: Record<string, GoldenTensor> & { logit_scale: number };
}>(modelDir, 'goldens.json');

const options = { device: 'cpu', dtype: 'fp32' } as const;

describe(`bundled CLIP (${modelId}) against the PyTorch goldens`, () => {
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  let textModel: Awaited<ReturnType<typeof CLIPTextModelWithProjection.from_pretrained>>;
  let visionModel: Awaited<ReturnType<typeof CLIPVisionModelWithProjection.from_pretrained>>;

  beforeAll(async () => {
    tokenizer = await AutoTokenizer.from_pretrained(modelId);
    textModel = await CLIPTextModelWithProjection.from_pretrained(modelId, options);
    visionModel = await CLIPVisionModelWithProjection.from_pretrained(modelId, options);
  });

  it('tokenizes the captions as the forge did', () => {
    expectForgeTokens(tokenizer(goldens.inputs.captions, { padding: true, truncation: true }), goldens.inputs);
  });

  it('turns the sample pixels into the same pixel values', async () => {
    // Undo the forge's normalisation to recover the 8-bit pixels, then run the real processor.
    await expectForgePixelValues(await AutoProcessor.from_pretrained(modelId), goldens.inputs.pixel_values);
  });

  it('text tower: embeddings, attention probabilities and logit scale', async () => {
    const inputs = tokenizer(goldens.inputs.captions, { padding: true, truncation: true });
    const out = await textModel(inputs);
    expectClose(out.text_embeds.data, goldens.outputs.text_embeds);
    expectClose(out.text_attentions.data, goldens.outputs.text_attentions);
    expect(Math.abs(out.logit_scale.data[0] - goldens.outputs.logit_scale)).toBeLessThan(1e-4 * goldens.outputs.logit_scale);
  });

  it('vision tower: embeddings and attention probabilities', async () => {
    const pv = goldens.inputs.pixel_values;
    const out = await visionModel({ pixel_values: transformersTensor(pv) });
    expectClose(out.image_embeds.data, goldens.outputs.image_embeds);
    const first = goldens.outputs.vision_attentions_image0;
    expectClose((out.vision_attentions.data as Float32Array).subarray(0, first.data.length), first);
  });

  it('full model: logits per image', async () => {
    const model = await CLIPModel.from_pretrained(modelId, options);
    const pv = goldens.inputs.pixel_values;
    const text = tokenizer(goldens.inputs.captions, { padding: true, truncation: true });
    const out = await model({ ...text, pixel_values: transformersTensor(pv) });
    expectClose(out.logits_per_image.data, goldens.outputs.logits_per_image, 1e-4 * goldens.outputs.logit_scale);
  });
});

/** Unit-norm rows of a [rows, dim] tensor. */
function normalised(data: ArrayLike<number>, dim: number): Float64Array {
  const out = Float64Array.from(data as ArrayLike<number>);
  for (let r = 0; r < out.length / dim; r++) {
    const row = out.subarray(r * dim, (r + 1) * dim);
    const norm = Math.hypot(...row);
    row.forEach((v, k) => (row[k] = v / norm));
  }
  return out;
}

describe(`the same CLIP with 8-bit weights (${modelId}, q8) against the fp32 PyTorch goldens`, () => {
  it('keeps every embedding within cosine 0.999 of PyTorch, and every image picks the same caption', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(modelId);
    const text = await CLIPTextModelWithProjection.from_pretrained(modelId, { device: 'cpu', dtype: 'q8' });
    const vision = await CLIPVisionModelWithProjection.from_pretrained(modelId, { device: 'cpu', dtype: 'q8' });
    const pv = goldens.inputs.pixel_values;
    const t = (await text(tokenizer(goldens.inputs.captions, { padding: true, truncation: true }))).text_embeds;
    const v = (await vision({ pixel_values: transformersTensor(pv) })).image_embeds;
    const dim = t.dims[1];
    const pairs: [ArrayLike<number>, GoldenTensor][] = [[t.data, goldens.outputs.text_embeds], [v.data, goldens.outputs.image_embeds]];
    for (const [q8, golden] of pairs) {
      const a = normalised(q8, dim);
      const b = normalised(golden.data, dim);
      for (let r = 0; r < a.length / dim; r++) {
        let dot = 0;
        for (let k = 0; k < dim; k++) dot += a[r * dim + k] * b[r * dim + k];
        expect(dot).toBeGreaterThan(0.999);
      }
    }
    // Image -> caption top-1 from the q8 embeddings, against the goldens' cosine matrix, on every
    // row whose fp32 winner leads by more than 0.02 (a near-tie may flip in an untrained smoke model).
    const images = normalised(v.data, dim);
    const texts = normalised(t.data, dim);
    const [rows, columns] = goldens.outputs.similarity.dims;
    for (let i = 0; i < rows; i++) {
      const q8Row = Array.from({ length: columns }, (_, j) => texts.subarray(j * dim, (j + 1) * dim).reduce((s, x, k) => s + x * images[i * dim + k], 0));
      const goldenRow = goldens.outputs.similarity.data.slice(i * columns, (i + 1) * columns);
      const [first, second] = [...goldenRow].sort((x, y) => y - x);
      if (first - second > 0.02) expect(q8Row.indexOf(Math.max(...q8Row))).toBe(goldenRow.indexOf(first));
    }
  });
});
