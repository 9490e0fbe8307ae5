/**
 * The bundled VQ tokenizer (shapes-vq) must reproduce the forge's PyTorch goldens through
 * onnxruntime-node: the image processor's pixel values, the encoder's codes (exactly) and
 * pre-quantisation features, and the decoder's pixels, for the golden images' own codes and for
 * grids that hold every code of the codebook. MODEL_DIR points elsewhere for the forge's smoke run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { AutoProcessor } from '@huggingface/transformers';
import {
  expectForgePixelValues, expectOutput, floatTensor, int64Tensor, modelUnderTest, onnxSession, readModelJson, type GoldenInputs, type GoldenTensor,
} from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-vq');
const goldens = readModelJson<{ inputs: GoldenInputs; outputs: Record<string, GoldenTensor> }>(modelDir, 'goldens.json');
const config = readModelJson<{ model_type: string; grid: number; codebook_size: number; code_dim: number }>(modelDir, 'config.json');

const ids = (t: OrtTensor) => Array.from(t.data as BigInt64Array, Number);

describe(`bundled VQ tokenizer (${modelId}) against the PyTorch goldens`, () => {
  let encoder: InferenceSession;
  let decoder: InferenceSession;

  beforeAll(async () => {
    [encoder, decoder] = await Promise.all([onnxSession(modelDir, 'vq_encoder'), onnxSession(modelDir, 'vq_decoder')]);
  });

  it('declares its type, grid and codebook', () => {
    expect(config.model_type).toBe('shapes_vq');
    expect(goldens.outputs.codes.dims.slice(1)).toEqual([config.grid, config.grid]);
    expect(goldens.outputs.features.dims[1]).toBe(config.code_dim);
    // The every-code grids really hold every code.
    expect(new Set(goldens.outputs.every_code.data).size).toBe(config.codebook_size);
  });

  it('turns the sample pixels into the same pixel values', async () => {
    await expectForgePixelValues(await AutoProcessor.from_pretrained(modelId), goldens.inputs.pixel_values);
  });

  it('encoder: the same code in every cell, features within 1e-4', async () => {
    const out = await encoder.run({ pixel_values: floatTensor(goldens.inputs.pixel_values) });
    expect(out.codes.dims).toEqual(goldens.outputs.codes.dims);
    expect(ids(out.codes)).toEqual(goldens.outputs.codes.data);
    expectOutput(out.features, goldens.outputs.features);
  });

  it("decoder: the golden images' reconstructions within 1e-4", async () => {
    const out = await decoder.run({ codes: int64Tensor(goldens.outputs.codes) });
    expectOutput(out.pixel_values, goldens.outputs.reconstruction);
  });

  it('decoder: every code of the codebook decoded within 1e-4', async () => {
    const out = await decoder.run({ codes: int64Tensor(goldens.outputs.every_code) });
    expectOutput(out.pixel_values, goldens.outputs.every_code_pixels);
  });
});
