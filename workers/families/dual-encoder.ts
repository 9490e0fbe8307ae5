/**
 * Models in the worker: dual encoders (CLIP, SigLIP, jina-clip) and the forge's Llip, whose
 * towers are called the same way plus a cross-attention head. The config is read first (an
 * unsupported repo, or one the asking lab cannot show, is refused before any weights
 * download), then the tokenizer, the image processor and the graphs, through transformers.js
 * from a folder in the hub's layout, bundled or on the hub.
 */
import { AutoConfig, AutoProcessor, AutoTokenizer, ModelRegistry, RawImage, Tensor, type PreTrainedTokenizer, type Processor } from '@huggingface/transformers';
import { DUAL_ENCODERS, type Device, type Dtype, type Family, type ImageInput, type ImageOutcome, type InspectReport, type ModelInfo, type ModelSource, type TaskResult, type TensorData, type TextOutcome } from '../../src/lib/runtime/protocol';
import { towerFiles, vlmGraphFiles } from '../../src/lib/registry/hub-models';
import { loadVlm } from './vlm';
import { loadTokenModel } from './tokens';
import { shrinkShortestEdge } from '../../src/lib/image/resample';
import { decodeImage } from '../decode';
import { familyOf, type FamilySpec } from './specs';
import { byteProgress } from '../../src/lib/runtime/progress';
import { UnsupportedModelError } from '../errors';
import { attentionSource, loadTapped, tappedAttention } from './tap';

type Tower = ((inputs: Record<string, unknown>) => Promise<Record<string, Tensor>>) & { config: unknown; dispose(): Promise<unknown> };

export interface LoadedModel {
  readonly info: ModelInfo;
  readonly spec: FamilySpec;
  readonly tokenizer: PreTrainedTokenizer;
  readonly processor: Processor;
  /** The text and image encoders; null for a family that runs as one graph (MaskVLM). */
  readonly text: Tower | null;
  readonly vision: Tower | null;
  /** The family's further graphs by name (Llip: `head`; CoCa: `decoder`; MaskVLM: `model`). */
  readonly graphs: Readonly<Record<string, Tower>>;
  /** Releases the towers' runtime sessions (and their GPU buffers). */
  dispose(): Promise<void>;
}

export interface LoadRequest {
  readonly source: ModelSource;
  readonly device: Device;
  readonly dtype: Dtype;
  readonly threads: number;
  /** Learned scale and bias published with the weights, for towers that do not output them. */
  readonly published?: { readonly scale: number; readonly bias: number | null };
  /** Families the asking lab can show (default: the dual encoders). */
  readonly families?: readonly Family[];
}

export type { Progress } from '../../src/lib/runtime/progress';
import type { Progress } from '../../src/lib/runtime/progress';


export function tensorData(tensor: Tensor): TensorData {
  // Copy out of the runtime's buffer so the result can be transferred.
  return { dims: [...tensor.dims], data: Float32Array.from(tensor.data as Float32Array) };
}

/** Reads the config (refusing what the playground cannot run) and the size of each tower file. */
async function readConfig(source: ModelSource, families: readonly Family[], progress_callback?: (event: unknown) => void): Promise<{ config: Record<string, unknown>; spec: FamilySpec }> {
  const revision = source.revision ?? 'main';
  const config = (await AutoConfig.from_pretrained(source.id, { revision, progress_callback })) as unknown as Record<string, unknown>;
  const spec = familyOf(config.model_type);
  if (!spec) {
    throw new UnsupportedModelError(
      `"${source.id}" is a ${String(config.model_type ?? 'unknown')} model. The playground runs dual encoders (CLIP, MobileCLIP, SigLIP, jina-clip) and SmolVLM / Idefics3 VLMs.`,
    );
  }
  if (!families.includes(spec.family)) {
    throw new UnsupportedModelError(`"${source.id}" is a ${spec.family} model, which this lab cannot show: open it in its own lab.`);
  }
  return { config, spec };
}

export async function inspectDualEncoder(source: ModelSource, dtype: Dtype, families: readonly Family[] = DUAL_ENCODERS): Promise<InspectReport> {
  const { spec } = await readConfig(source, families);
  const { text, vision } = towerFiles(dtype);
  const names = spec.family === 'smolvlm' ? vlmGraphFiles(dtype) : [text, vision];
  const files = await Promise.all(names.map(async (name) => {
    const meta = await ModelRegistry.get_file_metadata(source.id, name, { revision: source.revision ?? 'main' });
    if (!meta.exists) throw new Error(`Could not locate file ${name} (${dtype}) in ${source.id}: pick another precision.`);
    return { name, bytes: meta.size ?? null, cached: meta.fromCache ?? false };
  }));
  return { family: spec.family, files };
}

export async function loadDualEncoder(request: LoadRequest, onProgress: Progress): Promise<LoadedModel> {
  const { source, device, dtype } = request;
  const started = performance.now();
  const progress_callback = byteProgress(onProgress);
  const revision = source.revision ?? 'main';
  onProgress('Reading the model config');
  const { config, spec } = await readConfig(source, request.families ?? DUAL_ENCODERS, progress_callback as (event: unknown) => void);
  if (spec.family === 'smolvlm') return loadVlm(request, config, spec, onProgress);
  if (spec.family === 'cm3') return loadTokenModel(request, config, spec, onProgress);
  const options = { device, dtype, revision, progress_callback };
  // The tokenizer, the processor and both towers load at once: the files download and the
  // tokenizer is built while ORT starts its runtime and builds the first session, which on a
  // cold visit is most of the load (one after the other, each waited for the one before).
  onProgress('Loading the encoders');
  const settled = await Promise.allSettled([
    AutoTokenizer.from_pretrained(source.id, { revision, progress_callback }),
    AutoProcessor.from_pretrained(source.id, { revision, progress_callback }),
    spec.text ? loadTapped<Tower>(spec.text, source.id, options) : null,
    spec.vision ? loadTapped<Tower>(spec.vision, source.id, options) : null,
  ] as const);
  const [tokenizerLoad, processorLoad, textLoad, visionLoad] = settled;
  if (tokenizerLoad.status === 'rejected' || processorLoad.status === 'rejected' || textLoad.status === 'rejected' || visionLoad.status === 'rejected') {
    // The first failure is the load's; a tower that did load is released.
    for (const tower of [textLoad, visionLoad]) if (tower.status === 'fulfilled') await tower.value?.dispose().catch(() => undefined);
    throw settled.map((load) => (load.status === 'rejected' ? load.reason : undefined)).find((reason) => reason !== undefined);
  }
  const [tokenizer, processor, text, vision] = [tokenizerLoad.value, processorLoad.value, textLoad.value, visionLoad.value];
  const graphs: Record<string, Tower> = {};
  for (const [name, loader] of Object.entries(spec.graphs ?? {})) {
    onProgress(`Loading the ${name} graph`);
    graphs[name] = (await loader.from_pretrained(source.id, options)) as Tower;
  }
  onProgress('Warming up');
  // One real forward compiles the graph, and reads the learned scale where the graph outputs it.
  const probe: Record<string, Tensor> = text ? await text(tokenizer(['a'], { padding: spec.padding, truncation: true }) as unknown as Record<string, unknown>) : {};
  const textConfig = (config.text_config ?? {}) as Record<string, number>;
  const visionConfig = (config.vision_config ?? {}) as Record<string, number>;
  const imageSize = visionConfig.image_size ?? Number(config.image_size ?? 224);
  let llip: ModelInfo['llip'];
  if (spec.family === 'llip') {
    // Llip's scale is an output of its head: one forward on a dummy image reads it.
    const k = Number(config.num_mixture_tokens);
    const dim = probe[spec.textEmbeds].dims[1];
    const head = await graphs.head({
      mixture_tokens: new Tensor('float32', new Float32Array(k * dim).fill(1), [1, k, dim]),
      text_embeds: probe[spec.textEmbeds],
    });
    probe.logit_scale = head.logit_scale;
    llip = { mixtureTokens: k, heads: Number(config.cross_attention_heads), temperature: Number(config.cross_attention_temperature) };
  }
  const fromGraph = probe.logit_scale ? { scale: Number(probe.logit_scale.data[0]), bias: probe.logit_bias ? Number(probe.logit_bias.data[0]) : null } : null;
  const initial = spec.initialScale?.(config) ?? null;
  const scale = fromGraph ?? request.published ?? initial;
  const info: ModelInfo = {
    source,
    family: spec.family,
    device,
    dtype,
    imageSize,
    embedDim: probe[spec.textEmbeds]?.dims[1] ?? Number(config.projection_dim ?? 0),
    maxTextTokens: Math.min(textConfig.max_position_embeddings ?? 77, (tokenizer as unknown as { model_max_length?: number }).model_max_length ?? Infinity),
    logitScale: scale?.scale ?? NaN,
    logitBias: spec.family === 'siglip' ? (scale?.bias ?? null) : null,
    scaleSource: fromGraph ? 'graph' : request.published ? 'published' : initial ? 'config-init' : 'none',
    threads: request.threads,
    loadMs: performance.now() - started,
    ...(llip ? { llip } : {}),
    ...attentionOf(text, vision),
    ...(config.patch_size || visionConfig.patch_size ? { patchGrid: imageSize / Number(visionConfig.patch_size ?? config.patch_size) } : {}),
    ...(spec.family === 'coca'
      ? { coca: { bos: Number(textConfig.bos_token_id), eos: Number(textConfig.eos_token_id), maxLength: Number(textConfig.max_length ?? textConfig.max_position_embeddings ?? 16) } }
      : {}),
  };
  const dispose = async () => {
    await Promise.all([text?.dispose(), vision?.dispose(), ...Object.values(graphs).map((g) => g.dispose())]);
  };
  return { info, spec, tokenizer, processor, text, vision, graphs, dispose };
}

/** How each tower's attention reaches the lens (see tap.ts), when either was loaded with a tap. */
function attentionOf(text: Tower | null, vision: Tower | null): Pick<ModelInfo, 'attention'> {
  const attention = { text: attentionSource(text, 'text encoder'), vision: attentionSource(vision, 'image encoder') };
  return attention.text || attention.vision ? { attention } : {};
}

/** Llip's head: every image's mixture tokens `[N, K, D]` weighed by every caption `[T, D]`. */
export async function runLlipHead(model: LoadedModel, mixture: TensorData, texts: TensorData): Promise<{ result: TaskResult; modelMs: number }> {
  const head = model.graphs.head;
  if (!head) throw new Error(`${model.info.source.id} is not a Llip model: it has no cross-attention head.`);
  const started = performance.now();
  const out = await head({
    mixture_tokens: new Tensor('float32', Float32Array.from(mixture.data), [...mixture.dims]),
    text_embeds: new Tensor('float32', Float32Array.from(texts.data), [...texts.dims]),
  });
  const modelMs = performance.now() - started;
  return {
    result: { kind: 'llip-head', weights: tensorData(out.mixture_weights), embeds: tensorData(out.image_embeds), logits: tensorData(out.logits_per_image) },
    modelMs,
  };
}

/** Images as the model's pixel values: one `[3, S, S]` block per usable image, and an outcome per input. */
export async function prepareImages(model: LoadedModel, images: readonly ImageInput[]): Promise<{ values: Float32Array[]; dims: number[]; outcomes: ImageOutcome[] }> {
  const size = model.info.imageSize;
  const outcomes: ImageOutcome[] = [];
  const values: Float32Array[] = [];
  const processorConfig = (model.processor as unknown as { image_processor: { config: { image_mean?: number[]; image_std?: number[] } } }).image_processor.config;
  let dims: number[] = [];
  for (const input of images) {
    // Decoding keeps 4× the model's side, enough for the area downscale to do the rest well.
    const decoded = await decodeImage(input, size * 4);
    if (!decoded.ok) {
      outcomes.push(decoded);
      continue;
    }
    const shrunk = shrinkShortestEdge(decoded.image, size);
    const { pixel_values } = await model.processor(new RawImage(shrunk.data, shrunk.width, shrunk.height, 3));
    dims = pixel_values.dims;
    values.push(pixel_values.data as Float32Array);
    outcomes.push({
      ok: true,
      width: decoded.original.width,
      height: decoded.original.height,
      modelInput: modelView(pixel_values.data as Float32Array, dims[2], dims[3], processorConfig.image_mean ?? [0.5, 0.5, 0.5], processorConfig.image_std ?? [0.5, 0.5, 0.5]),
      notes: decoded.notes,
    });
  }
  return { values, dims, outcomes };
}

/** Embeds images; unusable ones get an outcome with a message and no row. `withAttentions` false leaves the attentions out. */
export async function embedImages(model: LoadedModel, images: readonly ImageInput[], withAttentions = true): Promise<{ result: TaskResult; modelMs: number }> {
  const { values, dims, outcomes } = await prepareImages(model, images);
  if (values.length === 0) {
    const k = model.info.llip?.mixtureTokens;
    const embeds = { dims: k ? [0, k, model.info.embedDim] : [0, model.info.embedDim], data: new Float32Array(0) };
    return { result: { kind: 'image-embeds', embeds, attentions: null, outcomes }, modelMs: 0 };
  }
  if (!model.vision) throw new Error(`${model.info.source.id} has no image encoder of its own.`);
  const batch = new Tensor('float32', concatenate(values), [values.length, ...dims.slice(1)]);
  const started = performance.now();
  const out = withAttentions ? await model.vision({ pixel_values: batch }) : await runFetching(model.vision, { pixel_values: batch }, [model.spec.imageEmbeds]);
  const modelMs = performance.now() - started;
  const attentions = !withAttentions ? null : out.vision_attentions ? tensorData(out.vision_attentions) : tappedAttention(model.vision, out, values.length);
  return { result: { kind: 'image-embeds', embeds: tensorData(out[model.spec.imageEmbeds]), attentions, outcomes }, modelMs };
}

export async function embedTexts(model: LoadedModel, texts: readonly string[], withAttentions = true): Promise<{ result: TaskResult; modelMs: number }> {
  const { tokenizer, spec } = model;
  const limit = model.info.maxTextTokens;
  const inputs = tokenizer([...texts], { padding: spec.padding, truncation: true, max_length: limit });
  const unknownId: number | undefined = tokenizer.unk_token_id ?? undefined;
  const ids = inputs.input_ids.tolist() as bigint[][];
  const mask = inputs.attention_mask?.tolist() as bigint[][] | undefined;
  // The batch is tokenized once; only captions that fill the window (maybe truncated) or hold
  // an unknown token are looked at again, word by word.
  const outcomes: TextOutcome[] = texts.map((t, k) => {
    const row = ids[k].map(Number);
    const length = mask ? mask[k].reduce((n, v) => n + Number(v), 0) : tokenizer.encode(t).length;
    const unknownWords = unknownId !== undefined && row.includes(unknownId)
      ? t.split(/\s+/).filter((w) => w && tokenizer.encode(w, { add_special_tokens: false }).includes(unknownId))
      : [];
    if (length < limit) return { tokens: length, unknownWords };
    const full = tokenizer.encode(t);
    if (full.length <= limit) return { tokens: full.length, unknownWords };
    return { tokens: limit, truncatedTo: tokenizer.decode(full.slice(0, limit), { skip_special_tokens: true }), unknownWords };
  });
  if (!model.text) throw new Error(`${model.info.source.id} has no text encoder of its own.`);
  const started = performance.now();
  const feeds = inputs as unknown as Record<string, Tensor>;
  const out = withAttentions ? await model.text(feeds) : await runFetching(model.text, feeds, [spec.textEmbeds]);
  const modelMs = performance.now() - started;
  const attentions = !withAttentions ? null : out.text_attentions ? tensorData(out.text_attentions) : tappedAttention(model.text, out, texts.length);
  return { result: { kind: 'text-embeds', embeds: tensorData(out[spec.textEmbeds]), attentions, outcomes }, modelMs };
}

/** An ONNX Runtime session as transformers.js keeps it: `run` with the outputs to fetch. */
interface FetchingSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>, fetches: readonly string[]): Promise<Record<string, { data: unknown; dims: readonly number[]; type: string }>>;
}

/**
 * Runs a one-graph tower's session for `outputs` only: ONNX Runtime then leaves the other outputs
 * (the attention probabilities, a few hundred KB an image) in the graph instead of copying them
 * out. Falls back to the whole call where the tower is not one plain session.
 */
async function runFetching(tower: Tower, inputs: Record<string, Tensor>, outputs: readonly string[]): Promise<Record<string, Tensor>> {
  const sessions = (tower as unknown as { sessions?: Record<string, FetchingSession> }).sessions;
  const session = sessions && Object.keys(sessions).length === 1 ? Object.values(sessions)[0] : undefined;
  const feedsKnown = session && session.inputNames.every((name) => name in inputs);
  if (!session || !feedsKnown || !outputs.every((name) => session.outputNames.includes(name))) return tower(inputs);
  const feeds = Object.fromEntries(session.inputNames.map((name) => [name, (inputs[name] as unknown as { ort_tensor: unknown }).ort_tensor]));
  const out = await session.run(feeds, outputs);
  return Object.fromEntries(outputs.map((name) => [name, new Tensor(out[name].type as 'float32', out[name].data as Float32Array, [...out[name].dims])]));
}

export function concatenate(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The processor's normalised pixels back to 8-bit RGB: what the model actually saw. */
function modelView(values: Float32Array, height: number, width: number, mean: number[], std: number[]): Uint8ClampedArray {
  const plane = height * width;
  const out = new Uint8ClampedArray(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = (values[c * plane + i] * std[c] + mean[c]) * 255;
  }
  return out;
}
