/**
 * Attention of SmolVLM graphs that do not output it (the hub's exports): as the three sessions
 * are created, the vision encoder's attention Softmaxes are added to its outputs, and the
 * decoder's are returned under the names transformers.js's `generate` and the worker read,
 * `decoder_attentions.{i}` (an `Identity` node per layer, appended with the outputs). The forge's
 * graphs, which output both, pass unchanged; so does `embed_tokens`.
 *
 * All sessions of the model share one `session_options`, so each graph is told by its outputs:
 * `image_features` is the vision encoder's, `logits` the decoder's.
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
}

const plans = new WeakMap<object, VlmPlans>();

/** The name transformers.js collects a decoder layer's attention under. */
const decoderAttention = (layer: number) => `decoder_attentions.${layer}`;

function rewrite(bytes: Uint8Array, layers: number, found: VlmPlans): Uint8Array {
  const graph = readGraph(bytes);
  if (graph.outputs.includes('image_features')) {
    const plan = (found.vision = findAttention(graph));
    return plan.kind === 'tap' ? tapOutputs(bytes, plan.names) : bytes;
  }
  if (!graph.outputs.includes('logits')) return bytes;
  const exported = graph.outputs.filter((name) => name.startsWith('decoder_attentions.'));
  if (exported.length > 0) {
    found.decoder = { kind: 'outputs', names: exported };
    return bytes;
  }
  const plan = (found.decoder = findAttention(graph));
  if (plan.kind !== 'tap') return bytes;
  if (plan.names.length !== layers) {
    found.decoderMismatch = plan.names.length;
    return bytes;
  }
  return aliasOutputs(bytes, plan.names.map((name, layer) => [name, decoderAttention(layer)] as const));
}

type Loader = { from_pretrained(id: string, options: Record<string, unknown>): Promise<unknown> };

/** Loads a SmolVLM-layout model through transformers.js with its attention tapped where its graphs do not output it. */
export async function loadVlmTapped<T extends object>(loader: Loader, id: string, options: Record<string, unknown>, layers: number): Promise<T> {
  const found: VlmPlans = {};
  const model = (await loader.from_pretrained(id, withRewrite(options, (bytes) => rewrite(bytes, layers, found)))) as T;
  plans.set(model, found);
  return model;
}

function sourceOf(plan: AttentionPlan | undefined, graphName: string): AttentionSource | undefined {
  if (!plan) return undefined;
  const reason = unavailableReason(plan, graphName);
  return reason ? { via: 'unavailable', reason } : { via: plan.kind === 'tap' ? 'tapped' : 'outputs' };
}

/** How the vision encoder's and the decoder's attention reach the lab, for a model loaded with `loadVlmTapped`. */
export function vlmAttentionSources(model: object): { vision?: AttentionSource; decoder?: AttentionSource } {
  const found = plans.get(model);
  if (!found) return {};
  const decoder = found.decoderMismatch === undefined
    ? sourceOf(found.decoder, 'language model')
    : { via: 'unavailable' as const, reason: `The language model's graph has ${found.decoderMismatch} attention Softmax nodes, not one per layer, so which layer each belongs to is not known and its attention is not shown.` };
  return { vision: sourceOf(found.vision, 'vision encoder'), decoder };
}

/** The tapped Softmax outputs of the vision encoder, first layer first; null when its graph was not tapped. */
export function tappedVisionNames(model: object): readonly string[] | null {
  const plan = plans.get(model)?.vision;
  return plan?.kind === 'tap' ? plan.names : null;
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
