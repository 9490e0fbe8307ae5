/**
 * The tasks of the forge's masking and generative models in the worker: tokenizing a caption
 * as the model reads it, MaskVLM's masked reconstruction of one image–caption pair, and CoCa's
 * captioning loop (greedy or seeded sampling, continuing a typed prefix).
 */
import { Tensor } from '@huggingface/transformers';
import type { Candidate, CaptionStep, ImageInput, Sampling, TaskResult, Tokens } from '../../src/lib/runtime/protocol';
import { seededRandom } from '../../src/lib/shapes/random';
import { prepareImages, tensorData, type LoadedModel } from './dual-encoder';
import { BadImageError } from '../errors';
import { decodeStep, emptyCache, lastLogits, stackSteps, type CachedGraph, type InputMetadata } from '../../src/lib/generation/cached-decoder';

interface TokenizerLike {
  (texts: string[], options: Record<string, unknown>): { input_ids: Tensor; attention_mask: Tensor };
  encode(text: string, options?: Record<string, unknown>): number[];
  decode(ids: number[], options?: Record<string, unknown>): string;
  model: { convert_ids_to_tokens?(ids: number[]): string[] };
  all_special_ids?: number[];
}

function tokenizerOf(model: LoadedModel): TokenizerLike {
  return model.tokenizer as unknown as TokenizerLike;
}

function piecesOf(model: LoadedModel, ids: readonly number[]): string[] {
  const tokenizer = tokenizerOf(model);
  return ids.map((id) => tokenizer.decode([id], { skip_special_tokens: false }).trim() || `#${id}`);
}

function specialIds(model: LoadedModel): Set<number> {
  return new Set(tokenizerOf(model).all_special_ids ?? []);
}

/** A text's tokens as the model reads it (start and end tokens included, no padding). */
export function tokenize(model: LoadedModel, text: string): Tokens {
  const ids = tokenizerOf(model).encode(text);
  const special = specialIds(model);
  return { ids, pieces: piecesOf(model, ids), special: ids.map((id) => special.has(id)) };
}

/** Softmax of one row of logits, and its k most probable entries. */
export function topCandidates(logits: ArrayLike<number>, k: number, piece: (id: number) => string): { probabilities: Float64Array; top: (Candidate & { id: number })[] } {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const probabilities = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += probabilities[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < logits.length; i++) probabilities[i] /= sum;
  const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a]).slice(0, k);
  return { probabilities, top: order.map((id) => ({ id, piece: piece(id), probability: probabilities[id] })) };
}

async function oneImage(model: LoadedModel, image: ImageInput) {
  const { values, dims, outcomes } = await prepareImages(model, [image]);
  const outcome = outcomes[0];
  return { outcome, pixels: values.length ? new Tensor('float32', values[0], [1, ...dims.slice(1)]) : null };
}

function processorNormalisation(model: LoadedModel): { mean: number[]; std: number[] } {
  const config = (model.processor as unknown as { image_processor: { config: { image_mean?: number[]; image_std?: number[] } } }).image_processor.config;
  return { mean: config.image_mean ?? [0.5, 0.5, 0.5], std: config.image_std ?? [0.5, 0.5, 0.5] };
}

/** A batch-of-one tensor without its batch axis. */
function squeeze(t: Tensor): { dims: number[]; data: Float32Array } {
  const data = tensorData(t);
  return { dims: data.dims.slice(1), data: data.data };
}

function int64(values: readonly number[], dims: number[]): Tensor {
  return new Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

export async function runMasked(
  model: LoadedModel,
  task: { image: ImageInput; text: string; patchMask: readonly number[]; tokenMask: readonly number[]; topK: number },
): Promise<{ result: TaskResult; modelMs: number }> {
  const graph = model.graphs.model;
  if (!graph) throw new Error(`${model.info.source.id} is not a masking model.`);
  const tokens = tokenize(model, task.text);
  const length = tokens.ids.length;
  if (task.tokenMask.length !== length) throw new Error(`The word mask has ${task.tokenMask.length} entries for ${length} tokens: tokenize the caption again.`);
  const { outcome, pixels } = await oneImage(model, task.image);
  if (!pixels || !outcome.ok) throw new BadImageError(outcome.ok ? 'The image could not be read.' : outcome.message);
  const grid = model.info.patchGrid ?? 0;
  if (task.patchMask.length !== grid * grid) throw new Error(`The patch mask has ${task.patchMask.length} entries for ${grid * grid} patches.`);
  const started = performance.now();
  const out = await graph({
    pixel_values: pixels,
    patch_mask: new Tensor('float32', Float32Array.from(task.patchMask), [1, grid * grid]),
    input_ids: int64(tokens.ids, [1, length]),
    attention_mask: int64(tokens.ids.map(() => 1), [1, length]),
    token_mask: int64(task.tokenMask, [1, length]),
  });
  const modelMs = performance.now() - started;
  const logits = out.word_logits;
  const vocabulary = logits.dims[2];
  const pieceCache = new Map<number, string>();
  const piece = (id: number) => pieceCache.get(id) ?? pieceCache.set(id, piecesOf(model, [id])[0]).get(id)!;
  const predictions = task.tokenMask.flatMap((masked, position) => {
    if (!masked) return [];
    const row = (logits.data as Float32Array).subarray(position * vocabulary, (position + 1) * vocabulary);
    return [{ position, top: topCandidates(row, task.topK, piece).top.map(({ piece: p, probability }) => ({ piece: p, probability })) }];
  });
  const { mean, std } = processorNormalisation(model);
  return {
    result: {
      kind: 'masked',
      outcome,
      tokens,
      input: squeeze(pixels),
      reconstructed: squeeze(out.reconstructed_patches),
      mean,
      std,
      predictions,
      imageToText: squeeze(out.image_to_text_attentions),
      textToImage: squeeze(out.text_to_image_attentions),
      itm: Number(out.itm_probability.data[0]),
      visionAttentions: out.vision_attentions ? squeeze(out.vision_attentions) : null,
      textAttentions: out.text_attentions ? squeeze(out.text_attentions) : null,
    },
    modelMs,
  };
}


/**
 * A captioning graph with a key/value cache (`decoder_model_merged`) as the shared decoding
 * loop's graph: transformers.js runs it (device, dtype, downloads as for every graph), and its
 * ONNX Runtime session's input metadata names the cache entries and their fixed dims.
 */
export function cachedDecoder(model: LoadedModel): CachedGraph<Tensor> {
  const decoder = model.graphs.decoder;
  const session = (decoder as unknown as { sessions?: Record<string, { inputMetadata?: readonly InputMetadata[] }> }).sessions?.model;
  if (!decoder || !session?.inputMetadata) throw new Error(`${model.info.source.id} is not a captioning model with a key/value cache.`);
  return {
    inputs: session.inputMetadata,
    run: (feeds) => decoder(feeds),
    tensor: (type, data, dims) => new Tensor(type, data, dims),
  };
}

/**
 * CoCa's caption, one token per step through the decoder's key/value cache: each step feeds
 * only the newest token, so a step costs the same at position 16 as at position 2. Every
 * step's cross- and self-attention rows are kept; one more step over the last token gives its
 * rows too, so the maps cover every position as one pass over the whole caption would.
 */
export async function runCaption(
  model: LoadedModel,
  task: { image: ImageInput; prefix: string; sampling: Sampling; alternatives: number },
): Promise<{ result: TaskResult; modelMs: number }> {
  if (!model.vision || !model.text) throw new Error(`${model.info.source.id} is not a captioning model.`);
  const coca = model.info.coca;
  if (!coca) throw new Error(`${model.info.source.id} has no generation settings in its config.`);
  const graph = cachedDecoder(model);
  const { outcome, pixels } = await oneImage(model, task.image);
  if (!pixels || !outcome.ok) throw new BadImageError(outcome.ok ? 'The image could not be read.' : outcome.message);
  const tokenizer = tokenizerOf(model);
  const started = performance.now();
  const vision = await model.vision({ pixel_values: pixels });
  const image = { image_tokens: vision.image_tokens };
  const forced = task.prefix.trim() ? tokenizer.encode(task.prefix.trim(), { add_special_tokens: false }) : [];
  const ids = [coca.bos];
  const steps: CaptionStep[] = [];
  const rows: Record<string, Tensor>[] = [];
  const random = task.sampling.kind === 'sample' ? seededRandom(task.sampling.seed) : null;
  const pieceCache = new Map<number, string>();
  const piece = (id: number) => pieceCache.get(id) ?? pieceCache.set(id, piecesOf(model, [id])[0]).get(id)!;
  let cache = emptyCache(graph, 1);
  let stopped: 'eos' | 'max-length' = 'max-length';
  const read = async (id: number) => {
    const step = await decodeStep(graph, cache, [[id]], image);
    cache = step.cache;
    rows.push(step.outputs);
    return lastLogits(step.outputs.logits, 0);
  };
  while (ids.length < coca.maxLength) {
    const row = await read(ids[ids.length - 1]);
    const { probabilities, top } = topCandidates(row, Math.max(task.alternatives, task.sampling.kind === 'sample' ? task.sampling.topK : 1), piece);
    const k = steps.length;
    let id: number;
    if (k < forced.length) id = forced[k];
    else if (task.sampling.kind === 'greedy' || !random) id = top[0].id;
    else id = drawFrom(row, task.sampling.temperature, task.sampling.topK, random);
    steps.push({ id, piece: piece(id), probability: probabilities[id], forced: k < forced.length, alternatives: top.slice(0, task.alternatives).map(({ piece: p, probability }) => ({ piece: p, probability })) });
    ids.push(id);
    if (id === coca.eos) {
      stopped = 'eos';
      break;
    }
  }
  await read(ids[ids.length - 1]);
  const captionIds = ids.slice(1).filter((id) => id !== coca.eos);
  const encoded = tokenizer([tokenizer.decode(captionIds, { skip_special_tokens: true })], { padding: true, truncation: true });
  const text = await model.text(encoded as unknown as Record<string, unknown>);
  const modelMs = performance.now() - started;
  const a = vision.image_embeds.data as Float32Array;
  const b = text.text_embeds.data as Float32Array;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  const cosine = dot / Math.sqrt(na * nb);
  return {
    result: {
      kind: 'caption',
      outcome,
      steps,
      text: tokenizer.decode(captionIds, { skip_special_tokens: true }),
      stopped,
      crossAttentions: stackSteps(rows.map((r) => r.cross_attentions), image.image_tokens.dims[1]),
      visionAttentions: vision.vision_attentions ? squeeze(vision.vision_attentions) : null,
      selfAttentions: rows[0].self_attentions ? stackSteps(rows.map((r) => r.self_attentions), ids.length) : null,
      cosine,
      logit: cosine * model.info.logitScale,
    },
    modelMs,
  };
}

/** One token drawn from the `topK` most probable at `temperature`, with a seeded stream. */
export function drawFrom(logits: ArrayLike<number>, temperature: number, topK: number, random: () => number): number {
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((x, y) => logits[y] - logits[x]).slice(0, Math.max(1, topK));
  const t = Math.max(1e-6, temperature);
  const weights = order.map((i) => Math.exp((logits[i] - logits[order[0]]) / t));
  const total = weights.reduce((s, w) => s + w, 0);
  let r = random() * total;
  for (let k = 0; k < order.length; k++) {
    r -= weights[k];
    if (r <= 0) return order[k];
  }
  return order[order.length - 1];
}
