/**
 * The Token lab's models in the worker: shapes-cm3, a CM3leon-style decoder over one vocabulary
 * of words, image markers and image codes, loaded together with the VQ image tokenizer its config
 * names (`image_tokenizer`: an encoder from pixels to a grid of codes, a decoder from codes back
 * to pixels). Drawing and captioning run the shared cached decoding loop
 * (src/lib/generation/cached-decoder.ts), one token a step, streaming each step.
 */
import { AutoConfig, AutoProcessor, AutoTokenizer, Tensor } from '@huggingface/transformers';
import type { ImageInput, ModelInfo, Sampling, SequencePartial, SequenceStep, SequenceToken, TaskResult, TensorData, TokenModelShape } from '../../src/lib/runtime/protocol';
import { continueSequence } from '../../src/lib/generation/cached-decoder';
import { UNGUIDED, imageGrammar, unconditionalPrompt, withGuidance, type Narrowing } from '../../src/lib/tokens/guidance';
import { captionPrompt, codeOf, drawnCells, drawPrompt, pieceOf, toRgb } from '../../src/lib/tokens/sequence';
import { seededRandom } from '../../src/lib/shapes/random';
import { byteProgress } from '../../src/lib/runtime/progress';
import { BadImageError } from '../errors';
import { prepareImages, tensorData, type LoadedModel, type LoadRequest, type Progress } from './dual-encoder';
import { cachedDecoder, drawFrom, topCandidates } from './forge-tasks';
import { graph, type FamilySpec } from './specs';
import { lastAttentionRows, nextTask, type StreamContext } from './vlm';

/** A caption the model cannot read (empty, too long, words it does not know): the person's to fix. */
export class BadCaptionError extends BadImageError {}

type Graph = LoadedModel['graphs'][string];

/** The VQ tokenizer of a model id: a sibling folder of the bundled models, or the same owner's repo on the hub. */
function imageTokenizerId(modelId: string, name: string): string {
  const slash = modelId.lastIndexOf('/');
  return slash < 0 || name.includes('/') ? name : `${modelId.slice(0, slash + 1)}${name}`;
}

/** Loads shapes-cm3's tokenizer and decoder, and its VQ tokenizer's image processor, encoder and decoder. */
export async function loadTokenModel(request: LoadRequest, config: Record<string, unknown>, spec: FamilySpec, onProgress: Progress): Promise<LoadedModel> {
  const { source, device, dtype } = request;
  const started = performance.now();
  const progress_callback = byteProgress(onProgress);
  const revision = source.revision ?? 'main';
  const vqId = imageTokenizerId(source.id, String(config.image_tokenizer ?? 'shapes-vq'));
  const vqConfig = (await AutoConfig.from_pretrained(vqId, { revision, progress_callback })) as unknown as Record<string, number>;
  const tokenizer = await AutoTokenizer.from_pretrained(source.id, { revision, progress_callback });
  const processor = await AutoProcessor.from_pretrained(vqId, { revision, progress_callback });
  const options = { device, dtype, revision, progress_callback };
  onProgress('Loading the decoder');
  const decoder = (await graph('decoder_model_merged').from_pretrained(source.id, options)) as Graph;
  onProgress('Loading the image tokenizer');
  const vqEncoder = (await graph('vq_encoder').from_pretrained(vqId, options)) as Graph;
  const vqDecoder = (await graph('vq_decoder').from_pretrained(vqId, options)) as Graph;
  const vocabulary = config.vocabulary as TokenModelShape['vocabulary'];
  const tokens: TokenModelShape = {
    grid: Number(vqConfig.grid),
    codebookSize: Number(vqConfig.codebook_size),
    vocabulary,
    bos: Number(config.bos_token_id),
    eos: Number(config.eos_token_id),
    maxCaptionTokens: Number(config.max_caption_tokens),
    layers: Number(config.num_hidden_layers),
    heads: Number(config.num_attention_heads),
    imageTokenizer: vqId,
    guidance: Number(config.guidance_scale ?? UNGUIDED),
  };
  if (vocabulary.codes !== tokens.codebookSize || vocabulary.cells !== tokens.grid * tokens.grid) {
    throw new Error(`${source.id} reads ${vocabulary.codes} codes over ${vocabulary.cells} cells, but ${vqId} has ${tokens.codebookSize} over ${tokens.grid} × ${tokens.grid}.`);
  }
  const info: ModelInfo = {
    source,
    family: 'cm3',
    device,
    dtype,
    imageSize: Number(vqConfig.image_size),
    embedDim: Number(config.hidden_size),
    maxTextTokens: tokens.maxCaptionTokens,
    logitScale: NaN,
    logitBias: null,
    scaleSource: 'none',
    threads: request.threads,
    loadMs: performance.now() - started,
    patchGrid: tokens.grid,
    tokens,
  };
  const graphs = { decoder, vqEncoder, vqDecoder };
  return {
    info,
    spec,
    tokenizer,
    processor,
    text: null,
    vision: null,
    graphs,
    dispose: async () => void (await Promise.all(Object.values(graphs).map((g) => g.dispose()))),
  };
}

function shapeOf(model: LoadedModel): TokenModelShape {
  const shape = model.info.tokens;
  if (!shape) throw new Error(`${model.info.source.id} is not an image-token model.`);
  return shape;
}

function normalisation(model: LoadedModel): { mean: number[]; std: number[] } {
  const config = (model.processor as unknown as { image_processor: { config: { image_mean?: number[]; image_std?: number[] } } }).image_processor.config;
  return { mean: config.image_mean ?? [0.5, 0.5, 0.5], std: config.image_std ?? [0.5, 0.5, 0.5] };
}

function int64(values: readonly number[], dims: number[]): Tensor {
  return new Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/** The VQ decoder on code grids: `pixel_values` `[grids, 3, S, S]`. */
async function decode(model: LoadedModel, grids: readonly (readonly number[])[]): Promise<TensorData> {
  const { grid, codebookSize } = shapeOf(model);
  for (const g of grids) {
    if (g.length !== grid * grid || g.some((c) => !Number.isInteger(c) || c < 0 || c >= codebookSize)) {
      throw new BadImageError(`A grid needs ${grid * grid} codes between 0 and ${codebookSize - 1}.`);
    }
  }
  const out = await model.graphs.vqDecoder({ codes: int64(grids.flat(), [grids.length, grid, grid]) });
  return tensorData(out.pixel_values);
}

export async function decodeGrids(model: LoadedModel, grids: readonly (readonly number[])[]): Promise<{ result: TaskResult; modelMs: number }> {
  const started = performance.now();
  const pixels = await decode(model, grids);
  return { result: { kind: 'vq-decode', pixels, ...normalisation(model) }, modelMs: performance.now() - started };
}

/** One image to its grid of codes (the encoder), and the codes back to pixels (the decoder). */
export async function encodeImage(model: LoadedModel, image: ImageInput): Promise<{ result: TaskResult; modelMs: number }> {
  const { values, dims, outcomes } = await prepareImages(model, [image]);
  const outcome = outcomes[0];
  if (!outcome.ok || values.length === 0) throw new BadImageError(outcome.ok ? 'The image could not be read.' : outcome.message);
  const started = performance.now();
  const encoded = await model.graphs.vqEncoder({ pixel_values: new Tensor('float32', values[0], [1, ...dims.slice(1)]) });
  const codes = Array.from(encoded.codes.data as BigInt64Array, Number);
  const reconstruction = await decode(model, [codes]);
  const modelMs = performance.now() - started;
  return {
    result: {
      kind: 'vq-encode',
      outcome,
      codes,
      input: { dims: dims.slice(1), data: Float32Array.from(values[0]) },
      reconstruction: { dims: reconstruction.dims.slice(1), data: reconstruction.data },
      ...normalisation(model),
    },
    modelMs,
  };
}

interface TokenizerLike {
  encode(text: string, options?: Record<string, unknown>): number[];
  decode(ids: number[], options?: Record<string, unknown>): string;
  unk_token_id?: number | null;
}

/** The caption's ids ([BOS] … [EOS]), or a message naming what the model cannot read. */
function captionIds(model: LoadedModel, caption: string): number[] {
  const tokenizer = model.tokenizer as unknown as TokenizerLike;
  const text = caption.trim();
  if (!text) throw new BadCaptionError('Type a caption first.');
  const unk = tokenizer.unk_token_id ?? undefined;
  // Words and punctuation apart, as the tokenizer's BERT pre-tokenizer splits them.
  const pieces = text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? [];
  const unknown = pieces.filter((w) => unk !== undefined && tokenizer.encode(w, { add_special_tokens: false }).includes(unk));
  if (unknown.length) {
    const words = [...new Set(unknown)].map((w) => `“${w}”`).join(', ');
    throw new BadCaptionError(`${model.info.source.id} does not know ${unknown.length === 1 ? 'the word' : 'the words'} ${words}: it reads only ShapesWorld's words (colours, shapes, sizes, places).`);
  }
  const ids = tokenizer.encode(text);
  const most = shapeOf(model).maxCaptionTokens;
  if (ids.length > most) throw new BadCaptionError(`The caption is ${ids.length - 2} words long; ${model.info.source.id} reads at most ${most - 2}.`);
  return ids;
}

const pieceCaches = new WeakMap<LoadedModel, Map<number, SequenceToken>>();

function tokenOf(model: LoadedModel, id: number): SequenceToken {
  const cache = pieceCaches.get(model) ?? pieceCaches.set(model, new Map()).get(model)!;
  const known = cache.get(id);
  if (known) return known;
  const v = shapeOf(model).vocabulary;
  const tokenizer = model.tokenizer as unknown as TokenizerLike;
  const token = { id, piece: pieceOf(v, id, (w) => tokenizer.decode([w], { skip_special_tokens: false }).trim() || `[${w}]`), code: codeOf(v, id) };
  cache.set(id, token);
  return token;
}

/**
 * One sequence continued from `prompt` through the cache, each token chosen greedily or by
 * seeded sampling and streamed with its probability, its alternatives and the attention of the
 * query that chose it; `afterStep` adds what a step shows besides (a drawing's partial image).
 * With `guidance`, each token is chosen from (and its probabilities are those of) the guided
 * logits, kept to `narrow`, a second cached sequence reading the unconditional prompt beside it.
 */
async function streamSequence(
  model: LoadedModel,
  prompt: readonly number[],
  o: { sampling: Sampling; alternatives: number; stop: number; maxNew: number; guidance?: { prompt: readonly number[]; scale: number; narrow: Narrowing } },
  stream: StreamContext<SequencePartial>,
  afterStep: (chosen: readonly number[]) => Promise<Uint8ClampedArray | null>,
): Promise<{ steps: SequenceStep[]; stopped: 'stop' | 'length' | 'interrupted' }> {
  const { layers } = shapeOf(model);
  stream.emit({ kind: 'sequence-prompt', prompt: prompt.map((id) => tokenOf(model, id)) });
  const sampling = o.sampling;
  const random = sampling.kind === 'sample' ? seededRandom(sampling.seed) : null;
  const steps: SequenceStep[] = [];
  const started = performance.now();
  const graph = cachedDecoder(model);
  const guidance = o.guidance ?? { prompt: [], scale: UNGUIDED, narrow: undefined };
  const { stopped } = await continueSequence(graph, prompt, withGuidance(graph, guidance.prompt, guidance.scale, {
    maxNew: o.maxNew,
    stop: [o.stop],
    choose: async (row, outputs, index) => {
      const k = Math.max(o.alternatives, sampling.kind === 'sample' ? sampling.topK : 1);
      const { probabilities, top } = topCandidates(row, k, (id) => tokenOf(model, id).piece);
      const id = sampling.kind === 'sample' && random ? drawFrom(row, sampling.temperature, sampling.topK, random) : top[0].id;
      const attention = lastAttentionRows(outputs, layers);
      if (!attention) throw new Error(`${model.info.source.id}'s decoder outputs no decoder_attentions.`);
      const step: SequenceStep = {
        ...tokenOf(model, id),
        probability: probabilities[id],
        alternatives: top.slice(0, o.alternatives).map((c) => ({ ...tokenOf(model, c.id), probability: c.probability })),
        attention,
        at: performance.now() - started,
      };
      steps.push(step);
      stream.emit({ kind: 'sequence-step', index, step, image: await afterStep(steps.map((s) => s.id)) });
      return id;
    },
    // A task boundary between steps lets a cancel reach the worker.
    interrupted: async () => {
      await nextTask();
      return stream.cancelled();
    },
  }, guidance.narrow));
  return { steps, stopped };
}

/**
 * CM3 draws an image for a caption, one code per step, each step's partial grid decoded; guided
 * (classifier-free) at `task.guidance` unless that is 1 or left out.
 */
export async function runDraw(
  model: LoadedModel,
  task: { caption: string; sampling: Sampling; alternatives: number; guidance?: number },
  stream: StreamContext<SequencePartial>,
): Promise<{ result: TaskResult; modelMs: number }> {
  const shape = shapeOf(model);
  const v = shape.vocabulary;
  const prompt = drawPrompt(v, captionIds(model, task.caption));
  const { mean, std } = normalisation(model);
  const started = performance.now();
  const scale = task.guidance ?? UNGUIDED;
  if (!Number.isFinite(scale) || scale < 0) throw new BadCaptionError(`The guidance scale must be a number of at least 0, not ${scale}.`);
  const guidance = { prompt: unconditionalPrompt(v), scale, narrow: imageGrammar(v) };
  const { steps, stopped } = await streamSequence(model, prompt, { ...task, guidance, stop: v.end_image, maxNew: v.cells + 1 }, stream, async (chosen) => {
    const { codes, drawn } = drawnCells(v, chosen);
    if (drawn < chosen.length) return null;
    const partial = await decode(model, [codes]);
    return toRgb(partial.data, 0, model.info.imageSize, mean, std);
  });
  // A cancelled drawing ends here; the worker answers its request as cancelled.
  const { codes } = drawnCells(v, steps.map((s) => s.id));
  const pixels = await decode(model, [codes]);
  return {
    result: {
      kind: 'draw',
      prompt: prompt.map((id) => tokenOf(model, id)),
      guidance: scale,
      steps,
      codes,
      pixels: { dims: pixels.dims.slice(1), data: pixels.data },
      mean,
      std,
      stopped: stopped === 'stop' ? 'end' : 'length',
    },
    modelMs: performance.now() - started,
  };
}

/** CM3 writes a caption for an image given as its codes, one token per step. */
export async function runWriteCaption(
  model: LoadedModel,
  task: { codes: readonly number[]; sampling: Sampling; alternatives: number },
  stream: StreamContext<SequencePartial>,
): Promise<{ result: TaskResult; modelMs: number }> {
  const shape = shapeOf(model);
  const v = shape.vocabulary;
  if (task.codes.length !== v.cells || task.codes.some((c) => !Number.isInteger(c) || c < 0 || c >= v.codes)) {
    throw new BadImageError(`An image is ${v.cells} codes between 0 and ${v.codes - 1}: tokenize one first.`);
  }
  const prompt = captionPrompt(v, task.codes, shape.bos);
  const started = performance.now();
  const { steps, stopped } = await streamSequence(model, prompt, { ...task, stop: shape.eos, maxNew: shape.maxCaptionTokens }, stream, async () => null);
  const words = steps.map((s) => s.id).filter((id) => id > shape.eos && id < v.begin_image);
  const text = words.length ? (model.tokenizer as unknown as TokenizerLike).decode(words, { skip_special_tokens: true }) : '';
  return {
    result: { kind: 'write-caption', prompt: prompt.map((id) => tokenOf(model, id)), steps, text, stopped: stopped === 'stop' ? 'eos' : 'max-length' },
    modelMs: performance.now() - started,
  };
}
