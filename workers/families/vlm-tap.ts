/**
 * Attention of SmolVLM graphs that do not output it (the hub's exports): as the three sessions
 * are created, the vision encoder's attention Softmaxes are added to its outputs, and the
 * decoder's are returned under the names transformers.js's `generate` and the worker read,
 * `decoder_attentions.{i}` (an `Identity` node per layer, appended with the outputs). The forge's
 * graphs, which output both, pass unchanged; so does `embed_tokens`.
 *
 * All sessions of the model share one `session_options`, so each graph is told by its outputs:
 * `image_features` is the vision encoder's, `logits` the decoder's.
 *
 * A tapped tensor is computed and returned at every run, the ones of `generate` included, so a
 * graph is tapped only when its attention fits `TAP_BUDGET` for the largest image the processor
 * makes (every tile and the global image at once, the whole prompt at the prefill): the hub's
 * SmolVLM-256M would need about 10 GB for its vision encoder's and 1.4 GB for its decoder's.
 */
import { findAttention, readGraph, unavailableReason, type AttentionPlan } from '../../src/lib/onnx/graph';
import { aliasOutputs, stackAttention, tapOutputs } from '../../src/lib/onnx/tap';
import type { AttentionSource, TensorData } from '../../src/lib/runtime/protocol';
import { withRewrite } from './tap';

interface VlmPlans {
  vision?: AttentionPlan;
  decoder?: AttentionPlan;
  /** Softmaxes found in the decoder when they are not one per layer (then none is tapped). */
  decoderMismatch?: number;
  /** Why a graph that could be tapped was not: its attention would not fit the budget. */
  visionTooLarge?: string;
  decoderTooLarge?: string;
}

/** The most bytes the tapped attention of one graph's run may take. */
export const TAP_BUDGET = 256 * 2 ** 20;

/** The model's shape as its config and processor state it, for the size of its attention. */
export interface VlmShape {
  readonly layers: number;
  readonly heads: number;
  readonly visionLayers: number;
  readonly visionHeads: number;
  /** Patches per frame. */
  readonly visionTokens: number;
  /** Frames of the largest image: every tile of the processor's longest edge, and the global image. */
  readonly frames: number;
  readonly imageSeqLen: number;
}

/** The shape from the config's `text_config` and `vision_config` and the processor's settings. */
export function vlmShape(
  text: Record<string, number>,
  vision: Record<string, number>,
  processor: { size?: { longest_edge?: number }; do_image_splitting?: boolean; tileSide: number; imageSeqLen: number },
): VlmShape {
  const tilesPerSide = processor.do_image_splitting === false ? 0 : Math.ceil((processor.size?.longest_edge ?? processor.tileSide) / processor.tileSide);
  return {
    layers: text.num_hidden_layers,
    heads: text.num_attention_heads,
    visionLayers: vision.num_hidden_layers,
    visionHeads: vision.num_attention_heads,
    visionTokens: (vision.image_size / vision.patch_size) ** 2,
    frames: tilesPerSide ** 2 + 1,
    imageSeqLen: processor.imageSeqLen,
  };
}

/**
 * Bytes of float32 attention of the vision encoder's run on the largest image, and of the
 * decoder's prefill of its prompt (its visual tokens and 64 text tokens).
 *
 * @example attentionBytes(smolvlm256m)  // { vision: 10267656192, decoder: 1433272320 } (about 10 GB and 1.4 GB)
 */
export function attentionBytes(shape: VlmShape): { vision: number; decoder: number } {
  const prompt = shape.frames * shape.imageSeqLen + 64;
  return {
    vision: 4 * shape.frames * shape.visionLayers * shape.visionHeads * shape.visionTokens ** 2,
    decoder: 4 * shape.layers * shape.heads * prompt ** 2,
  };
}

const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MB`;
const tooLarge = (graph: string, bytes: number) =>
  `The ${graph}'s attention probabilities would take ${megabytes(bytes)} at each run on the largest image, more than the ${megabytes(TAP_BUDGET)} this page sets aside for them, so they are not shown for this model.`;

const plans = new WeakMap<object, VlmPlans>();

/** The name transformers.js collects a decoder layer's attention under. */
const decoderAttention = (layer: number) => `decoder_attentions.${layer}`;

function rewrite(bytes: Uint8Array, shape: VlmShape, found: VlmPlans): Uint8Array {
  const graph = readGraph(bytes);
  const size = attentionBytes(shape);
  if (graph.outputs.includes('image_features')) {
    const plan = (found.vision = findAttention(graph));
    if (plan.kind !== 'tap') return bytes;
    if (size.vision > TAP_BUDGET) {
      found.visionTooLarge = tooLarge('vision encoder', size.vision);
      return bytes;
    }
    return tapOutputs(bytes, plan.names);
  }
  if (!graph.outputs.includes('logits')) return bytes;
  const exported = graph.outputs.filter((name) => name.startsWith('decoder_attentions.'));
  if (exported.length > 0) {
    found.decoder = { kind: 'outputs', names: exported };
    return bytes;
  }
  const plan = (found.decoder = findAttention(graph));
  if (plan.kind !== 'tap') return bytes;
  if (plan.names.length !== shape.layers) {
    found.decoderMismatch = plan.names.length;
    return bytes;
  }
  if (size.decoder > TAP_BUDGET) {
    found.decoderTooLarge = tooLarge('language model', size.decoder);
    return bytes;
  }
  return aliasOutputs(bytes, plan.names.map((name, layer) => [name, decoderAttention(layer)] as const));
}

type Loader = { from_pretrained(id: string, options: Record<string, unknown>): Promise<unknown> };

/** Loads a SmolVLM-layout model through transformers.js with its attention tapped where its graphs do not output it. */
export async function loadVlmTapped<T extends object>(loader: Loader, id: string, options: Record<string, unknown>, shape: VlmShape): Promise<T> {
  const found: VlmPlans = {};
  const model = (await loader.from_pretrained(id, withRewrite(options, (bytes) => rewrite(bytes, shape, found)))) as T;
  plans.set(model, found);
  return model;
}

function sourceOf(plan: AttentionPlan | undefined, graphName: string, tooLargeReason?: string): AttentionSource | undefined {
  if (!plan) return undefined;
  if (tooLargeReason) return { via: 'unavailable', reason: tooLargeReason };
  const reason = unavailableReason(plan, graphName);
  return reason ? { via: 'unavailable', reason } : { via: plan.kind === 'tap' ? 'tapped' : 'outputs' };
}

/** How the vision encoder's and the decoder's attention reach the lab, for a model loaded with `loadVlmTapped`. */
export function vlmAttentionSources(model: object): { vision?: AttentionSource; decoder?: AttentionSource } {
  const found = plans.get(model);
  if (!found) return {};
  const decoder = found.decoderMismatch === undefined
    ? sourceOf(found.decoder, 'language model', found.decoderTooLarge)
    : { via: 'unavailable' as const, reason: `The language model's graph has ${found.decoderMismatch} attention Softmax nodes, not one per layer, so which layer each belongs to is not known and its attention is not shown.` };
  return { vision: sourceOf(found.vision, 'vision encoder', found.visionTooLarge), decoder };
}

/** The tapped Softmax outputs of the vision encoder, first layer first; null when its graph was not tapped. */
export function tappedVisionNames(model: object): readonly string[] | null {
  const found = plans.get(model);
  return found?.vision?.kind === 'tap' && !found.visionTooLarge ? found.vision.names : null;
}

/**
 * The tapped vision attention of one encoder run, `[frames, layers, heads, T, T]` as the forge's
 * `vision_attentions`: `frames` is the number of frames the encoder kept (its `image_features`).
 */
export function stackVisionAttention(names: readonly string[], outputs: Record<string, { dims: readonly number[]; data: unknown }>): TensorData | null {
  const frames = outputs.image_features?.dims[0] ?? 0;
  const layers = names.map((name) => outputs[name]).filter(Boolean).map((t) => ({ dims: [...t.dims], data: t.data as Float32Array }));
  return stackAttention(layers, frames);
}
