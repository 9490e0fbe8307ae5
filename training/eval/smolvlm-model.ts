/**
 * shapes-smolvlm as a hub SmolVLM is run: AutoProcessor (chat template, image splitting, <image>
 * expansion) and AutoModelForVision2Seq, answers by model.generate. The evaluation and the parity
 * tests share these steps, so both measure the path the lab runs.
 */
import { AutoModelForVision2Seq, AutoProcessor, RawImage, type Tensor } from '@huggingface/transformers';
import { sampleImage, type RGBImage } from '../../src/lib/shapes/index.ts';
import { areaResize } from '../../src/lib/image/resample.ts';

/** The processor's input size (preprocessor_config.json's size.longest_edge). */
export const SMOLVLM_IMAGE_SIZE = 64;

export interface GoldenTensorJson { dims: number[]; data: number[] }

/** One golden question: its image (a sample's index, or null for none), PyTorch's prompt ids and greedy answer. */
export interface SmolVlmCase {
  image: number | null;
  question: string;
  input_ids: number[];
  generated: number[];
  prefill_logits: number[];
  attention_rows?: GoldenTensorJson[][];
}

export interface SmolVlmGoldens {
  inputs: { seeds: number[]; image_size: number; pixel_values: GoldenTensorJson };
  image_features_image0: GoldenTensorJson;
  vision_attentions_image0_global: GoldenTensorJson;
  max_new_tokens: number;
  cases: SmolVlmCase[];
}

export type SmolVlmProcessor = Awaited<ReturnType<typeof AutoProcessor.from_pretrained>>;
export type SmolVlmModel = Awaited<ReturnType<typeof AutoModelForVision2Seq.from_pretrained>>;
export type ChatInputs = Record<string, Tensor> & { input_ids: Tensor; attention_mask: Tensor; pixel_values?: Tensor; pixel_attention_mask?: Tensor };

/** A local model folder (the id under env.localModelPath), on onnxruntime-node in fp32. */
export async function loadSmolVlm(modelId: string): Promise<{ processor: SmolVlmProcessor; model: SmolVlmModel }> {
  const processor = await AutoProcessor.from_pretrained(modelId);
  const model = await AutoModelForVision2Seq.from_pretrained(modelId, { device: 'cpu', dtype: 'fp32' });
  return { processor, model };
}

/** An image as the model takes it: shrunk to 64 × 64 by the app's area downscaler. */
export function modelImage(image: RGBImage): RawImage {
  const small = areaResize({ ...image, channels: 3 }, SMOLVLM_IMAGE_SIZE, SMOLVLM_IMAGE_SIZE);
  return new RawImage(small.data, small.width, small.height, 3);
}

/**
 * The model's inputs for a question about an image, or about no image: the chat template with
 * the generation prompt, then the processor (which needs an image) or, without one, the tokenizer.
 */
export async function chatInputs(processor: SmolVlmProcessor, question: string, image: RawImage | null): Promise<ChatInputs> {
  const content = image ? [{ type: 'image' }, { type: 'text', text: question }] : [{ type: 'text', text: question }];
  const text = processor.apply_chat_template([{ role: 'user', content }] as never, { add_generation_prompt: true }) as string;
  if (image) return (await processor(text, image)) as ChatInputs;
  return processor.tokenizer!(text) as unknown as ChatInputs;
}

/** A golden case's inputs: sample image `image` (as the lab shows the samples), or none. */
export function goldenCase(processor: SmolVlmProcessor, c: SmolVlmCase, goldens: SmolVlmGoldens): Promise<ChatInputs> {
  if (c.image !== null && goldens.inputs.seeds[c.image] !== c.image + 1) throw new Error('golden images are the samples 0, 1, …');
  return chatInputs(processor, c.question, c.image === null ? null : modelImage(sampleImage(c.image)));
}

/** Greedy answer (new ids, the EOS included when reached) and its text. */
export async function greedyAnswer(model: SmolVlmModel, processor: SmolVlmProcessor, inputs: ChatInputs, maxNewTokens = 48): Promise<{ ids: number[]; text: string }> {
  const out = (await model.generate({ ...inputs, max_new_tokens: maxNewTokens, do_sample: false })) as Tensor;
  const ids = Array.from(out.data as BigInt64Array, Number).slice(inputs.input_ids.dims[1]);
  return { ids, text: processor.tokenizer!.decode(ids, { skip_special_tokens: true }).trim() };
}
