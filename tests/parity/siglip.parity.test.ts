/**
 * The bundled SigLIP, loaded by transformers.js through the hub loading path (remote loading
 * off) exactly as Xenova/siglip-base-patch16-224 is, must reproduce the forge's PyTorch goldens,
 * and its Unigram tokenizer must give one piece per grammar word. MODEL_DIR points elsewhere for
 * the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AutoProcessor, AutoTokenizer, SiglipModel, SiglipTextModel, SiglipVisionModel, Tensor } from '@huggingface/transformers';
import { captionText, meanings, spec } from '../../src/lib/shapes/index.ts';
import {
  expectClose, expectForgePixelValues, expectForgeTokens, modelUnderTest, readModelJson, transformersTensor, type GoldenInputs, type GoldenTensor,
} from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-siglip');
const goldens = readModelJson<{
  inputs: GoldenInputs;
  outputs: Record<string, GoldenTensor> & { logit_scale: number; logit_bias: number };
}>(modelDir, 'goldens.json');
const vocab = readModelJson<{ model: { vocab: [string, number][] } }>(modelDir, 'tokenizer.json').model.vocab.map(([piece]) => piece);
const MAX_LENGTH = 16;
const EOS = vocab.indexOf('</s>');
const UNK = vocab.indexOf('<unk>');

const options = { device: 'cpu', dtype: 'fp32' } as const;
const ids = (t: Tensor) => Array.from(t.data as BigInt64Array, Number);
const goldenPixels = () => transformersTensor(goldens.inputs.pixel_values);

describe(`bundled SigLIP (${modelId}) against the PyTorch goldens`, () => {
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  const tokenize = (texts: string[]) => tokenizer(texts, { padding: 'max_length', truncation: true });

  beforeAll(async () => {
    tokenizer = await AutoTokenizer.from_pretrained(modelId);
  });

  it('tokenizes the captions as the forge did (max_length padding with "</s>")', () => {
    expectForgeTokens(tokenize(goldens.inputs.captions), goldens.inputs, { mask: false });
  });

  it('makes every grammar word one piece and round-trips every caption text', () => {
    const synonyms = [...spec.sizes.flatMap((s) => s.words), ...spec.colours.flatMap((c) => c.words)];
    const texts = [...meanings.map((m) => captionText(m)), `a ${synonyms.join(' ')} circle`];
    const encoded = tokenize(texts);
    texts.forEach((text, i) => {
      const row = ids(encoded.input_ids).slice(i * MAX_LENGTH, (i + 1) * MAX_LENGTH);
      const words = text.split(' ');
      expect(row.slice(0, words.length).map((id) => vocab[id]), text).toEqual(words.map((w) => `▁${w}`));
      expect(row.slice(words.length)).toEqual(Array(MAX_LENGTH - words.length).fill(EOS));
      expect(tokenizer.decode(row, { skip_special_tokens: true })).toBe(text);
    });
  });

  it('normalises case and punctuation, and turns unknown words into <unk> without failing', () => {
    const [clean, messy, unknown] = [
      'a red circle', '  A Red,   CIRCLE! ', 'a purple circle',
    ].map((t) => ids(tokenize([t]).input_ids));
    expect(messy).toEqual(clean);
    expect(unknown).toEqual([clean[0], UNK, ...clean.slice(2)]);
    expect(ids(tokenize(['']).input_ids)).toHaveLength(MAX_LENGTH);
  });

  it('turns the sample pixels into the same pixel values', async () => {
    const processor = await AutoProcessor.from_pretrained(modelId);
    // Undo the forge's normalisation to recover each image's 8-bit pixels, then run the real processor.
    for (let k = 0; k < goldens.inputs.seeds.length; k++) await expectForgePixelValues(processor, goldens.inputs.pixel_values, k);
  });

  it('text model: pooler output, attention probabilities, logit scale and bias', async () => {
    const model = await SiglipTextModel.from_pretrained(modelId, options);
    const out = await model(tokenize(goldens.inputs.captions));
    expectClose(out.pooler_output.data, goldens.outputs.text_pooler_output);
    expect(out.text_attentions.dims).toEqual(goldens.outputs.text_attentions.dims);
    expectClose(out.text_attentions.data, goldens.outputs.text_attentions);
    expect(Math.abs(out.logit_scale.data[0] - goldens.outputs.logit_scale)).toBeLessThan(1e-4 * goldens.outputs.logit_scale);
    expect(Math.abs(out.logit_bias.data[0] - goldens.outputs.logit_bias)).toBeLessThan(1e-4 * Math.max(1, Math.abs(goldens.outputs.logit_bias)));
  });

  it('vision model: pooler output, attention probabilities and the pooling head attention', async () => {
    const model = await SiglipVisionModel.from_pretrained(modelId, options);
    const out = await model({ pixel_values: goldenPixels() });
    expectClose(out.pooler_output.data, goldens.outputs.image_pooler_output);
    const first = goldens.outputs.vision_attentions_image0;
    expect(out.vision_attentions.dims.slice(1)).toEqual(first.dims.slice(1));
    expectClose((out.vision_attentions.data as Float32Array).subarray(0, first.data.length), first);
    expect(out.pooling_attentions.dims).toEqual(goldens.outputs.pooling_attentions.dims);
    expectClose(out.pooling_attentions.data, goldens.outputs.pooling_attentions);
  });

  it('full model: logits, unit-norm embeddings and sigmoid probabilities', async () => {
    const model = await SiglipModel.from_pretrained(modelId, options);
    const out = await model({ ...tokenize(goldens.inputs.captions), pixel_values: goldenPixels() });
    const scale = Math.max(1, goldens.outputs.logit_scale);
    expectClose(out.logits_per_image.data, goldens.outputs.logits_per_image, 1e-4 * scale);
    expectClose(out.logits_per_image.sigmoid().data, goldens.outputs.probabilities);
    const dim = out.image_embeds.dims[1];
    const images = out.image_embeds.data as Float32Array;
    const texts = out.text_embeds.data as Float32Array;
    const textCount = texts.length / dim;
    const cosine = goldens.outputs.similarity.data.map((_, k) => {
      const [i, j] = [Math.floor(k / textCount), k % textCount];
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += images[i * dim + d] * texts[j * dim + d];
      return dot;
    });
    expectClose(cosine, goldens.outputs.similarity);
  });
});
