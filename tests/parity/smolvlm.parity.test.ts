/**
 * The bundled shapes-smolvlm against PyTorch, loaded and run the way a hub SmolVLM is: transformers.js's
 * AutoProcessor (chat template, image splitting, <image> expansion) and AutoModelForVision2Seq,
 * answers by model.generate. The forge's goldens (goldens.json) hold PyTorch's expanded prompts,
 * greedy answers, prefill logits, image features and attentions. MODEL_DIR points at another
 * folder (the stage-1 model, or the forge's smoke export).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AutoModelForVision2Seq, AutoProcessor, Tensor } from '@huggingface/transformers';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { chatVocabulary } from '../../src/lib/shapes/index.ts';
import { goldenCase, loadSmolVlm, type SmolVlmGoldens } from '../../training/eval/smolvlm-model.ts';
import { expectClose, logitTolerance, modelUnderTest, readModelJson, type GoldenTensor } from './goldens.ts';

const { modelDir, modelId } = modelUnderTest('static/models/shapes-smolvlm');
const goldens = readModelJson<SmolVlmGoldens>(modelDir, 'goldens.json');
const config = readModelJson<{ image_token_id: number; text_config: { num_hidden_layers: number; num_attention_heads: number } }>(modelDir, 'config.json');

type Processor = Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>;
type Model = Awaited<ReturnType<typeof AutoModelForVision2Seq.from_pretrained>>;
const numbers = (t: Tensor) => Array.from(t.data as BigInt64Array | Float32Array, Number);

describe('bundled shapes-smolvlm: transformers.js generate against PyTorch', () => {
  let processor: Processor;
  let model: Model;

  beforeAll(async () => {
    ({ processor, model } = await loadSmolVlm(modelId));
  });

  it('the tokenizer gives the forge\'s ids, and the vocabulary is the one the forge trained on', async () => {
    const tokenizer = processor.tokenizer!;
    expect(Object.keys(readModelJson<{ model: { vocab: Record<string, number> } }>(modelDir, 'tokenizer.json').model.vocab)).toEqual(chatVocabulary);
    for (const c of goldens.cases.filter((g) => g.image === null)) {
      const { input_ids } = await goldenCase(processor, c, goldens);
      expect(numbers(input_ids), c.question).toEqual(c.input_ids);
    }
    expect(tokenizer.decode([chatVocabulary.indexOf('red'), chatVocabulary.indexOf('.'), 3], { skip_special_tokens: true })).toBe('red.');
  });

  it('the processor expands each image into the forge\'s tiles, markers and pixel values', async () => {
    for (const c of goldens.cases.filter((g) => g.image !== null)) {
      const inputs = await goldenCase(processor, c, goldens);
      expect(numbers(inputs.input_ids), c.question).toEqual(c.input_ids);
      expect(numbers(inputs.input_ids).filter((id) => id === config.image_token_id).length).toBe(80);
    }
    const first = await goldenCase(processor, goldens.cases.find((g) => g.image === 0)!, goldens);
    expect(first.pixel_values!.dims).toEqual(goldens.inputs.pixel_values.dims);
    expectClose(first.pixel_values!.data as Float32Array, goldens.inputs.pixel_values, 1e-6);
  });

  it('the vision encoder\'s image features and self-attention equal PyTorch\'s', async () => {
    const inputs = await goldenCase(processor, goldens.cases.find((g) => g.image === 0)!, goldens);
    const mask = inputs.pixel_attention_mask!;
    const out = await model.sessions.vision_encoder.run({
      pixel_values: new OrtTensor('float32', inputs.pixel_values!.data as Float32Array, inputs.pixel_values!.dims),
      pixel_attention_mask: new OrtTensor('bool', Uint8Array.from(mask.data as ArrayLike<number>, Number), mask.dims),
    });
    const features = out.image_features;
    expect(features.dims).toEqual(goldens.image_features_image0.dims);
    expectClose(features.data as Float32Array, goldens.image_features_image0, 1e-4);
    const attentions = out.vision_attentions;
    const global = goldens.vision_attentions_image0_global;
    const size = global.data.length;
    expect(attentions.dims.slice(1)).toEqual(global.dims.slice(1));
    expectClose((attentions.data as Float32Array).subarray(attentions.data.length - size), global, 1e-4);
  });

  it('greedy generate gives PyTorch\'s answer ids for every golden question, with and without the image', async () => {
    for (const c of goldens.cases) {
      const inputs = await goldenCase(processor, c, goldens);
      const out = (await model.generate({ ...inputs, max_new_tokens: goldens.max_new_tokens, do_sample: false })) as Tensor;
      expect(numbers(out).slice(c.input_ids.length), `${c.question} (image ${c.image})`).toEqual(c.generated);
    }
  });

  it('the prefill\'s last logits and each answer token\'s attention rows equal PyTorch\'s; rows sum to 1', async () => {
    const c = goldens.cases[0];
    const inputs = await goldenCase(processor, c, goldens);
    const captured: Tensor[] = [];
    const out = (await model.generate({
      ...inputs, max_new_tokens: goldens.max_new_tokens, do_sample: false, output_attentions: true, return_dict_in_generate: true,
      logits_processor: [(_ids: bigint[][], logits: Tensor) => { captured.push(logits); return logits; }],
    } as never)) as unknown as { decoder_attentions: Tensor[][] };
    const prefill = Array.from(captured[0].data as Float32Array);
    expectClose(prefill, c.prefill_logits, logitTolerance(c.prefill_logits));
    const steps = out.decoder_attentions;
    expect(steps.length).toBe(c.generated.length);
    c.attention_rows!.forEach((layers, step) => {
      layers.forEach((golden: GoldenTensor, layer) => {
        const t = steps[step][layer];
        const [, heads, queries, keys] = t.dims;
        expect([heads, keys]).toEqual(golden.dims);
        const data = t.data as Float32Array;
        const row = new Float32Array(heads * keys);
        for (let h = 0; h < heads; h++) {
          const from = (h * queries + queries - 1) * keys;
          row.set(data.subarray(from, from + keys), h * keys);
          const sum = data.subarray(from, from + keys).reduce((a, b) => a + b, 0);
          expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
        }
        expectClose(row, golden, 1e-4, `step ${step} layer ${layer}`);
      });
    });
    expect(steps[0].length).toBe(config.text_config.num_hidden_layers);
  });
});
