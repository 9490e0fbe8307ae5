/**
 * VLMs from pretrained backbones in the worker: the Idefics3 / SmolVLM layout (a vision encoder
 * whose pixel-shuffle connector writes visual tokens into a causal language model). The forge's
 * shapes-smolvlm and the hub's SmolVLM load and answer through the same code: transformers.js's
 * `AutoProcessor` (chat template, image splitting, image-token expansion) and
 * `AutoModelForVision2Seq`'s own `generate` with its key/value cache. Each token is streamed as
 * it is chosen, with its probability, its alternatives and, where the decoder graph outputs
 * them (`decoder_attentions.*`), the attention of the query that chose it.
 */
import { AutoModelForVision2Seq, AutoProcessor, LogitsProcessor, RawImage, StoppingCriteria, Tensor, type Processor } from '@huggingface/transformers';
import type { AnswerPartial, AnswerStep, RunPartial, ImageInput, ImageOutcome, ModelInfo, Sampling, TaskResult, TensorData, VlmPrompt } from '../../src/lib/runtime/protocol';
import { MAX_QUESTION_CHARS } from '../../src/lib/runtime/protocol';
import { promptSegments } from '../../src/lib/vlm/layout';
import { seededRandom } from '../../src/lib/shapes/random';
import { decodeImage } from '../decode';
import { areaResize } from '../../src/lib/image/resample';
import { BadImageError } from '../errors';
import { drawFrom, topCandidates } from './forge-tasks';
import type { LoadedModel, LoadRequest, Progress } from './dual-encoder';
import type { FamilySpec } from './specs';
import { byteProgress } from '../../src/lib/runtime/progress';
import { loadVlmTapped, stackVisionAttention, tappedVisionNames, vlmAttentionSources, vlmShape } from './vlm-tap';

/** A question the model cannot take (empty, too long): the person's to fix, nothing is broken. */
export class BadQuestionError extends BadImageError {}

/** The parts of a transformers.js vision-to-sequence model this module uses. */
interface VisionToSequence {
  (inputs: Record<string, unknown>): Promise<Record<string, Tensor>>;
  forward(inputs: Record<string, unknown>): Promise<Record<string, Tensor>>;
  generate(options: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<unknown>;
  config: Record<string, unknown>;
  generation_config: { eos_token_id?: number | number[] } | null;
  sessions: Record<string, { outputNames: readonly string[]; run(feeds: Record<string, unknown>): Promise<Record<string, { dims: readonly number[]; data: unknown }>> }>;
}

export interface ProcessorLike {
  (text: string, images: RawImage[]): Promise<Record<string, unknown>>;
  apply_chat_template(messages: unknown[], options: Record<string, unknown>): string;
  tokenizer: ((texts: string[], options?: Record<string, unknown>) => Record<string, Tensor>) & { decode(ids: number[], options?: Record<string, unknown>): string };
  image_processor: { config: { image_mean?: number[]; image_std?: number[]; size?: { longest_edge?: number }; max_image_size?: { longest_edge?: number }; do_image_splitting?: boolean } };
  config: { image_seq_len?: number };
}

export interface StreamContext<P extends RunPartial = AnswerPartial> {
  /** Sends a part of the result ahead of it. */
  readonly emit: (partial: P) => void;
  /** True once the request was cancelled: generation stops at the next token. */
  readonly cancelled: () => boolean;
}

const MARKER = /^<fake_token_around_image>$|^<global-img>$|^<row_\d+_col_\d+>$/;

export function vlmOf(model: LoadedModel): VisionToSequence {
  const vlm = model.graphs.model as unknown as VisionToSequence | undefined;
  if (!vlm || model.info.family !== 'smolvlm') throw new Error(`${model.info.source.id} is not a vision-language model.`);
  return vlm;
}

/** Loads a VLM's processor and its three graphs (vision_encoder, embed_tokens, decoder_model_merged). */
export async function loadVlm(request: LoadRequest, config: Record<string, unknown>, spec: FamilySpec, onProgress: Progress): Promise<LoadedModel> {
  const { source, device, dtype } = request;
  const started = performance.now();
  const progress_callback = byteProgress(onProgress);
  const revision = source.revision ?? 'main';
  const processor = (await AutoProcessor.from_pretrained(source.id, { revision, progress_callback })) as unknown as ProcessorLike;
  onProgress('Loading the vision encoder, the embeddings and the language model');
  const text = (config.text_config ?? {}) as Record<string, number>;
  const vision = (config.vision_config ?? {}) as Record<string, number>;
  const imageConfig = processor.image_processor.config;
  const tileSide = imageConfig.max_image_size?.longest_edge ?? vision.image_size;
  const shape = vlmShape(text, vision, { ...imageConfig, tileSide, imageSeqLen: Number(processor.config.image_seq_len) });
  const loader = AutoModelForVision2Seq as unknown as Parameters<typeof loadVlmTapped>[0];
  const vlm = await loadVlmTapped<VisionToSequence>(loader, source.id, { device, dtype, revision, progress_callback }, shape);
  const decoderOutputs = vlm.sessions.decoder_model_merged?.outputNames ?? [];
  const info: ModelInfo = {
    source,
    family: 'smolvlm',
    device,
    dtype,
    imageSize: tileSide,
    embedDim: text.hidden_size,
    maxTextTokens: text.max_position_embeddings ?? 2048,
    logitScale: NaN,
    logitBias: null,
    scaleSource: 'none',
    threads: request.threads,
    loadMs: performance.now() - started,
    patchGrid: vision.image_size / vision.patch_size,
    vlm: {
      scaleFactor: Number(config.scale_factor ?? 1),
      imageSeqLen: Number(processor.config.image_seq_len),
      tileSide,
      patchSide: vision.patch_size,
      layers: text.num_hidden_layers,
      heads: text.num_attention_heads,
      attentions: decoderOutputs.some((name) => name.startsWith('decoder_attentions')),
      splitting: imageConfig.do_image_splitting ?? true,
      longestEdge: imageConfig.size?.longest_edge,
    },
    attention: vlmAttentionSources(vlm),
  };
  const graph = vlm as unknown as LoadedModel['graphs'][string];
  return {
    info,
    spec,
    tokenizer: processor.tokenizer as unknown as LoadedModel['tokenizer'],
    processor: processor as unknown as Processor,
    text: null,
    vision: null,
    graphs: { model: graph },
    dispose: async () => void (await vlm.dispose()),
  };
}

/** The processor's normalised `[3, S, S]` frame back to 8-bit RGB `[S, S, 3]`. */
function frameToRgb(values: Float32Array, offset: number, side: number, mean: number[], std: number[]): Uint8ClampedArray {
  const plane = side * side;
  const out = new Uint8ClampedArray(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[i * 3 + c] = (values[offset + c * plane + i] * std[c] + mean[c]) * 255;
  return out;
}

/** The tiles put back side by side: the resized image the processor split. */
function mosaic(frames: Uint8ClampedArray[], rows: number, cols: number, side: number): { width: number; height: number; pixels: Uint8ClampedArray } {
  const width = cols * side;
  const height = rows * side;
  const pixels = new Uint8ClampedArray(width * height * 3);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const tile = frames[r * cols + c];
      for (let y = 0; y < side; y++) pixels.set(tile.subarray(y * side * 3, (y + 1) * side * 3), ((r * side + y) * width + c * side) * 3);
    }
  }
  return { width, height, pixels };
}

export async function readImage(processor: ProcessorLike, input: ImageInput): Promise<{ raw: RawImage; outcome: Extract<ImageOutcome, { ok: true }> }> {
  const longest = processor.image_processor.config.size?.longest_edge ?? 2048;
  const decoded = await decodeImage(input, longest);
  if (!decoded.ok) throw new BadImageError(decoded.message);
  // Shrunk by area averaging to the processor's longest edge, as the forge made its images (its
  // goldens are the app's samples shrunk this way); the processor's own resize is then a no-op.
  const scale = Math.min(1, longest / Math.max(decoded.image.width, decoded.image.height));
  const image = scale < 1
    ? areaResize(decoded.image, Math.max(1, Math.round(decoded.image.width * scale)), Math.max(1, Math.round(decoded.image.height * scale)))
    : decoded.image;
  const outcome = { ok: true as const, width: decoded.original.width, height: decoded.original.height, modelInput: new Uint8ClampedArray(0), notes: decoded.notes };
  return { raw: new RawImage(image.data, image.width, image.height, 3), outcome };
}

/** Builds the prompt as the language model reads it, and the inputs `generate` takes. */
/** The chat template of a question about an image (or about none), as the model's processor renders it. */
export function chatTemplate(model: LoadedModel, question: string, withImage: boolean): string {
  const processor = model.processor as unknown as ProcessorLike;
  const content = withImage ? [{ type: 'image' }, { type: 'text', text: question }] : [{ type: 'text', text: question }];
  return processor.apply_chat_template([{ role: 'user', content }], { add_generation_prompt: true });
}

async function buildPrompt(model: LoadedModel, image: ImageInput | null, question: string): Promise<{ prompt: VlmPrompt; inputs: Record<string, unknown> }> {
  const processor = model.processor as unknown as ProcessorLike;
  const vlm = vlmOf(model);
  const template = chatTemplate(model, question, image !== null);
  const side = model.info.vlm!.tileSide;
  const imageSeqLen = model.info.vlm!.imageSeqLen;
  let inputs: Record<string, unknown>;
  let frames: Uint8ClampedArray[] = [];
  let rows = 0;
  let cols = 0;
  let outcome: ImageOutcome | null = null;
  let visionAttentions: TensorData | null = null;
  if (image) {
    const read = await readImage(processor, image);
    inputs = await processor(template, [read.raw]);
    const pixels = inputs.pixel_values as Tensor;
    const { image_mean: mean = [0.5, 0.5, 0.5], image_std: std = [0.5, 0.5, 0.5] } = processor.image_processor.config;
    const count = pixels.dims[1];
    frames = Array.from({ length: count }, (_, f) => frameToRgb(pixels.data as Float32Array, f * 3 * side * side, side, mean, std));
    rows = (inputs.rows as number[][])[0][0];
    cols = (inputs.cols as number[][])[0][0];
    outcome = { ...read.outcome, modelInput: frames[frames.length - 1] };
    visionAttentions = await visionAttentionsOf(vlm, inputs);
  } else {
    inputs = { ...processor.tokenizer([template]) };
  }
  const ids = Array.from((inputs.input_ids as Tensor).data as BigInt64Array, Number);
  const pieces = piecesOf(model, ids);
  const markerIds = new Set(ids.filter((_, i) => MARKER.test(pieces[i])));
  const segments = promptSegments(ids, { imageTokenId: Number(vlm.config.image_token_id), markerIds, imageSeqLen });
  const resized = frames.length === 0 ? null : rows * cols > 0 ? mosaic(frames, rows, cols, side) : { width: side, height: side, pixels: frames[0] };
  return { prompt: { template, ids, pieces, segments, rows, cols, imageSeqLen, frames, frameSide: side, resized, outcome, visionAttentions }, inputs };
}

/**
 * The vision encoder's `vision_attentions` for the prompt's frames, when its graph outputs them
 * or they were tapped: generate keeps only `image_features`, so the encoder's session is run
 * once more on the same pixels (graphs whose attention is not available are not run twice).
 */
async function visionAttentionsOf(vlm: VisionToSequence, inputs: Record<string, unknown>): Promise<TensorData | null> {
  const session = vlm.sessions.vision_encoder;
  const exported = session?.outputNames.includes('vision_attentions') ?? false;
  const tapped = exported ? null : tappedVisionNames(vlm);
  if (!session || (!exported && !tapped)) return null;
  const feed = (name: string) => (inputs[name] as { ort_tensor: unknown }).ort_tensor;
  const out = await session.run({ pixel_values: feed('pixel_values'), pixel_attention_mask: feed('pixel_attention_mask') });
  if (tapped) return stackVisionAttention(tapped, out);
  const attentions = out.vision_attentions;
  return { dims: [...attentions.dims], data: Float32Array.from(attentions.data as Float32Array) };
}

const pieceCaches = new WeakMap<LoadedModel, Map<number, string>>();

function piecesOf(model: LoadedModel, ids: readonly number[]): string[] {
  const cache = pieceCaches.get(model) ?? pieceCaches.set(model, new Map()).get(model)!;
  const tokenizer = (model.processor as unknown as ProcessorLike).tokenizer;
  return ids.map((id) => cache.get(id) ?? cache.set(id, tokenizer.decode([id], { skip_special_tokens: false }) || `#${id}`).get(id)!);
}

/** Lets the worker read its queued messages (a cancel) between tokens: a task, not a timer, so no 4 ms clamp. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** The last query's row of every `decoder_attentions.{i}` output, `[layers, heads, keys]`. */
export function lastAttentionRows(outputs: Record<string, { dims: readonly number[]; data: unknown }>, layers: number): { dims: number[]; data: Float32Array } | null {
  const first = outputs['decoder_attentions.0'];
  if (!first) return null;
  const [, heads, queries, keys] = first.dims;
  const data = new Float32Array(layers * heads * keys);
  for (let l = 0; l < layers; l++) {
    const source = outputs[`decoder_attentions.${l}`].data as Float32Array;
    for (let h = 0; h < heads; h++) data.set(source.subarray((h * queries + queries - 1) * keys, (h * queries + queries) * keys), (l * heads + h) * keys);
  }
  return { dims: [layers, heads, keys], data };
}

/**
 * Chooses each token from the model's raw logits (it runs after transformers.js's own
 * processors, of which a greedy generate with no penalties has none): records the step, and for
 * seeded sampling leaves only the drawn token possible, so `generate`'s greedy pick takes it.
 */
class StepRecorder extends LogitsProcessor {
  constructor(private readonly onStep: (row: Float32Array) => number) {
    super();
  }
  _call(_ids: bigint[][], logits: Tensor): Tensor {
    const row = logits.data as Float32Array;
    const chosen = this.onStep(row.slice(0, logits.dims.at(-1)));
    if (chosen >= 0) for (let i = 0; i < row.length; i++) if (i !== chosen) row[i] = -Infinity;
    return logits;
  }
}

export class StopWhen extends StoppingCriteria {
  constructor(private readonly stop: () => boolean) {
    super();
  }
  _call(ids: number[][]): boolean[] {
    return ids.map(() => this.stop());
  }
}

/** The question trimmed, or a message for the person when it is empty or too long. */
export function checkedQuestion(text: string): string {
  const question = text.trim();
  if (!question) throw new BadQuestionError('Type a question first.');
  if (question.length > MAX_QUESTION_CHARS) throw new BadQuestionError(`The question is ${question.length} characters long; ask in at most ${MAX_QUESTION_CHARS}.`);
  return question;
}

/**
 * Answers a question about an image (or without one) with `model.generate`, greedily or by
 * seeded sampling, streaming the prompt and then every token.
 */
export async function runAnswer(
  model: LoadedModel,
  task: { image: ImageInput | null; question: string; sampling: Sampling; alternatives: number; maxNewTokens: number },
  stream: StreamContext,
): Promise<{ result: TaskResult; modelMs: number }> {
  const question = checkedQuestion(task.question);
  const vlm = vlmOf(model);
  const { prompt, inputs } = await buildPrompt(model, task.image, question);
  stream.emit({ kind: 'prompt', prompt });
  const layers = model.info.vlm!.layers;
  const eos = [vlm.generation_config?.eos_token_id ?? vlm.config.eos_token_id ?? []].flat().map(Number);
  const random = task.sampling.kind === 'sample' ? seededRandom(task.sampling.seed) : null;
  const sampling = task.sampling;
  const steps: AnswerStep[] = [];
  const started = performance.now();
  let outputs: Record<string, Tensor> = {};
  const onStep = (row: Float32Array): number => {
    const k = Math.max(task.alternatives, sampling.kind === 'sample' ? sampling.topK : 1);
    const { probabilities, top } = topCandidates(row, k, (id) => piecesOf(model, [id])[0]);
    const id = sampling.kind === 'sample' && random ? drawFrom(row, sampling.temperature, sampling.topK, random) : top[0].id;
    const step: AnswerStep = {
      id,
      piece: piecesOf(model, [id])[0],
      probability: probabilities[id],
      alternatives: top.slice(0, task.alternatives).map(({ piece, probability }) => ({ piece, probability })),
      at: performance.now() - started,
      attention: lastAttentionRows(outputs, layers),
    };
    steps.push(step);
    stream.emit({ kind: 'token', index: steps.length - 1, step });
    return sampling.kind === 'sample' ? id : -1;
  };
  // Each step's outputs (the attentions among them) are kept as generate's loop passes them.
  const forward = vlm.forward;
  vlm.forward = async (feeds) => {
    outputs = await forward.call(vlm, feeds);
    await nextTask();
    return outputs;
  };
  try {
    await vlm.generate({
      ...inputs,
      max_new_tokens: task.maxNewTokens,
      do_sample: false,
      logits_processor: [new StepRecorder(onStep)],
      stopping_criteria: [new StopWhen(stream.cancelled)],
    });
  } finally {
    delete (vlm as Partial<VisionToSequence>).forward;
  }
  const modelMs = performance.now() - started;
  const last = steps.at(-1);
  const stopped = last && eos.includes(last.id) ? 'eos' : 'max-length';
  const answerIds = steps.map((s) => s.id).filter((id) => !eos.includes(id));
  const text = answerIds.length ? (model.processor as unknown as ProcessorLike).tokenizer.decode(answerIds, { skip_special_tokens: true }) : '';
  return { result: { kind: 'answer', prompt, steps, text, stopped }, modelMs };
}
