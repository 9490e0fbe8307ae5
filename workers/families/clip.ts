/**
 * CLIP-family models in the worker: tokenizer, image processor and the two towers, loaded
 * through transformers.js from a folder in the hub's layout (bundled or on the hub).
 */
import {
  AutoProcessor, AutoTokenizer, CLIPTextModelWithProjection, CLIPVisionModelWithProjection, RawImage, Tensor,
  type PreTrainedTokenizer, type Processor,
} from '@huggingface/transformers';
import type { Device, ImageOutcome, ModelInfo, ModelSource, TaskResult, TensorData, TextOutcome } from '../../src/lib/runtime/protocol';
import { shrinkShortestEdge } from '../../src/lib/image/resample';
import { decodeImage } from '../decode';

type TextModel = Awaited<ReturnType<typeof CLIPTextModelWithProjection.from_pretrained>>;
type VisionModel = Awaited<ReturnType<typeof CLIPVisionModelWithProjection.from_pretrained>>;

export interface LoadedClip {
  readonly info: ModelInfo;
  readonly tokenizer: PreTrainedTokenizer;
  readonly processor: Processor;
  readonly text: TextModel;
  readonly vision: VisionModel;
}

function tensorData(tensor: Tensor): TensorData {
  // Copy out of the runtime's buffer so the result can be transferred.
  return { dims: [...tensor.dims], data: Float32Array.from(tensor.data as Float32Array) };
}

export async function loadClip(
  source: ModelSource,
  device: Device,
  onProgress: (stage: string, fraction?: number) => void,
): Promise<LoadedClip> {
  const started = performance.now();
  const progress_callback = (p: { status: string; file?: string; progress?: number }) => {
    if (p.status === 'progress' && p.file) onProgress(`Loading ${p.file}`, (p.progress ?? 0) / 100);
  };
  const options = { device, dtype: 'fp32' as const, progress_callback };
  const tokenizer = await AutoTokenizer.from_pretrained(source.id, { progress_callback });
  const processor = await AutoProcessor.from_pretrained(source.id, { progress_callback });
  onProgress('Loading the text encoder');
  const text = await CLIPTextModelWithProjection.from_pretrained(source.id, options);
  onProgress('Loading the image encoder');
  const vision = await CLIPVisionModelWithProjection.from_pretrained(source.id, options);
  onProgress('Warming up');
  // One real forward: it compiles the graph and reads the learned logit scale from its output.
  const probe = await text(tokenizer(['a'], { padding: true, truncation: true }));
  if (!probe.logit_scale) throw new Error('model-invalid: the text model has no logit_scale output');
  const config = text.config as unknown as { text_config: { max_position_embeddings: number }; projection_dim: number; vision_config: { image_size: number } };
  const info: ModelInfo = {
    source,
    family: 'clip',
    device,
    dtype: 'fp32',
    imageSize: config.vision_config.image_size,
    embedDim: probe.text_embeds.dims[1],
    maxTextTokens: config.text_config.max_position_embeddings,
    logitScale: Number(probe.logit_scale.data[0]),
    loadMs: performance.now() - started,
  };
  return { info, tokenizer, processor, text, vision };
}

/** Embeds images; unusable ones get an outcome with a message and no row. */
export async function embedImages(clip: LoadedClip, images: Parameters<typeof decodeImage>[0][]): Promise<{ result: TaskResult; modelMs: number }> {
  const size = clip.info.imageSize;
  const outcomes: ImageOutcome[] = [];
  const values: Tensor[] = [];
  const processorConfig = (clip.processor as unknown as { image_processor: { config: { image_mean: number[]; image_std: number[] } } }).image_processor.config;
  for (const input of images) {
    const decoded = await decodeImage(input);
    if (!decoded.ok) {
      outcomes.push(decoded);
      continue;
    }
    const shrunk = shrinkShortestEdge(decoded.image, size);
    const { pixel_values } = await clip.processor(new RawImage(shrunk.data, shrunk.width, shrunk.height, 3));
    values.push(pixel_values);
    outcomes.push({
      ok: true,
      width: decoded.image.width,
      height: decoded.image.height,
      modelInput: modelView(pixel_values.data as Float32Array, size, processorConfig.image_mean, processorConfig.image_std),
      notes: decoded.notes,
    });
  }
  if (values.length === 0) {
    return {
      result: { kind: 'image-embeds', embeds: { dims: [0, clip.info.embedDim], data: new Float32Array(0) }, attentions: null, outcomes },
      modelMs: 0,
    };
  }
  const batch = new Tensor('float32', concatenate(values.map((v) => v.data as Float32Array)), [values.length, 3, size, size]);
  const started = performance.now();
  const out = await clip.vision({ pixel_values: batch });
  const modelMs = performance.now() - started;
  return {
    result: {
      kind: 'image-embeds',
      embeds: tensorData(out.image_embeds),
      attentions: out.vision_attentions ? tensorData(out.vision_attentions) : null,
      outcomes,
    },
    modelMs,
  };
}

export async function embedTexts(clip: LoadedClip, texts: readonly string[]): Promise<{ result: TaskResult; modelMs: number }> {
  const limit = clip.info.maxTextTokens;
  const inputs = clip.tokenizer([...texts], { padding: true, truncation: true, max_length: limit });
  const unknownId: number | undefined = clip.tokenizer.unk_token_id ?? undefined;
  const ids = inputs.input_ids.tolist() as bigint[][];
  const lengths = (inputs.attention_mask.tolist() as bigint[][]).map((row) => row.reduce((n, v) => n + Number(v), 0));
  // The batch is tokenized once; only captions that fill the window (maybe truncated) or hold
  // an unknown token are looked at again, word by word.
  const outcomes: TextOutcome[] = texts.map((t, k) => {
    const unknownWords = unknownId !== undefined && ids[k].some((id) => Number(id) === unknownId)
      ? t.split(/\s+/).filter((w) => w && clip.tokenizer.encode(w, { add_special_tokens: false }).includes(unknownId))
      : [];
    if (lengths[k] < limit) return { tokens: lengths[k], unknownWords };
    const full = clip.tokenizer.encode(t);
    if (full.length <= limit) return { tokens: full.length, unknownWords };
    return { tokens: limit, truncatedTo: clip.tokenizer.decode(full.slice(0, limit), { skip_special_tokens: true }), unknownWords };
  });
  const started = performance.now();
  const out = await clip.text(inputs);
  const modelMs = performance.now() - started;
  return {
    result: { kind: 'text-embeds', embeds: tensorData(out.text_embeds), logitScale: Number(out.logit_scale.data[0]), outcomes },
    modelMs,
  };
}

function concatenate(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The processor's normalised pixels back to 8-bit RGB: what the model actually saw. */
function modelView(values: Float32Array, size: number, mean: number[], std: number[]): Uint8ClampedArray {
  const plane = size * size;
  const out = new Uint8ClampedArray(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = (values[c * plane + i] * std[c] + mean[c]) * 255;
  }
  return out;
}
