/**
 * Attention of graphs that do not output it (the hub's CLIPs, SigLIPs, jina-clip): the Softmax
 * nodes' probabilities are added to the graph's outputs as the session is created, so the lens
 * works for them as for the forge's exports, which list their attention themselves.
 *
 * The bytes are changed only on their way into ONNX Runtime: transformers.js downloads and
 * caches the file as the hub serves it, and each load taps it again (a pass over the graph's
 * node list; the weights are skipped by length). transformers.js creates every session with
 * `InferenceSession.create(bytes, { ...session_options })`; a tower loaded through `loadTapped`
 * (or a VLM through `loadVlmTapped`) carries a rewrite of the bytes in its session options
 * (under a symbol ONNX Runtime never reads), which the wrapped `create` applies.
 */
import type { Tensor } from '@huggingface/transformers';
import { findAttention, readGraph, unavailableReason, type AttentionPlan } from '../../src/lib/onnx/graph';
import { stackAttention, tapOutputs } from '../../src/lib/onnx/tap';
import type { AttentionSource, TensorData } from '../../src/lib/runtime/protocol';

const TAP = Symbol('attention-tap');

/** Rewrites a graph's bytes on their way into ONNX Runtime; throws on bytes that are not a model. */
export type GraphRewrite = (bytes: Uint8Array) => Uint8Array;

type Create = (model: unknown, options?: Record<PropertyKey, unknown>, ...rest: unknown[]) => Promise<unknown>;
interface SessionClass {
  create: Create;
}

const installed = new WeakSet<SessionClass>();

/**
 * Wraps `create` of ONNX Runtime's `InferenceSession` (the class transformers.js calls) so that
 * sessions asked for by `loadTapped` list their attention probabilities among their outputs.
 * `readPath` reads a model given as a path (transformers.js in Node passes paths).
 */
export function installAttentionTap(sessionClass: object, readPath?: (path: string) => Promise<Uint8Array>): void {
  const sessions = sessionClass as SessionClass;
  if (installed.has(sessions)) return;
  installed.add(sessions);
  const create = sessions.create;
  sessions.create = async function (model, options, ...rest) {
    const rewrite = options?.[TAP] as GraphRewrite | undefined;
    if (!rewrite) return create.call(this, model, options, ...rest);
    const bytes = model instanceof Uint8Array ? model : typeof model === 'string' && readPath ? await readPath(model) : null;
    return create.call(this, bytes ? rewritten(bytes, rewrite) : model, options, ...rest);
  };
}

/** Unreadable bytes go to ONNX Runtime as they are, for its own error. */
function rewritten(bytes: Uint8Array, rewrite: GraphRewrite): Uint8Array {
  try {
    return rewrite(bytes);
  } catch {
    return bytes;
  }
}

/**
 * `options` for a transformers.js `from_pretrained` whose every session's bytes pass through
 * `rewrite` (all sessions of a model share one `session_options`, so `rewrite` tells them apart
 * by what it reads in the bytes).
 */
export function withRewrite(options: Record<string, unknown>, rewrite: GraphRewrite): Record<string, unknown> {
  const sessionOptions = (options.session_options ?? {}) as Record<PropertyKey, unknown>;
  return { ...options, session_options: { ...sessionOptions, [TAP]: rewrite } };
}

type Loader = { from_pretrained(id: string, options: Record<string, unknown>): Promise<unknown> };
const plans = new WeakMap<object, AttentionPlan>();

/** Loads a tower through transformers.js with its attention tapped where its graph does not output it. */
export async function loadTapped<T extends object>(loader: Loader, id: string, options: Record<string, unknown>): Promise<T> {
  const found: { plan?: AttentionPlan } = {};
  const tower = (await loader.from_pretrained(id, withRewrite(options, (bytes) => {
    const plan = (found.plan = findAttention(readGraph(bytes)));
    return plan.kind === 'tap' ? tapOutputs(bytes, plan.names) : bytes;
  }))) as T;
  if (found.plan) plans.set(tower, found.plan);
  return tower;
}

/** How a tower's attention reaches the lens; undefined for a tower loaded without `loadTapped`. */
export function attentionSource(tower: object | null, graphName: string): AttentionSource | undefined {
  const plan = tower ? plans.get(tower) : undefined;
  if (!plan) return undefined;
  const reason = unavailableReason(plan, graphName);
  return reason ? { via: 'unavailable', reason } : { via: plan.kind === 'tap' ? 'tapped' : 'outputs' };
}

/**
 * A tapped tower's attention from one call's outputs, `[batch, layers, heads, T, T]`, or null
 * when the tower was not tapped.
 */
export function tappedAttention(tower: object | null, outputs: Record<string, Tensor>, batch: number): TensorData | null {
  const plan = tower ? plans.get(tower) : undefined;
  if (plan?.kind !== 'tap') return null;
  const layers = plan.names.map((name) => outputs[name]).filter(Boolean).map((t) => ({ dims: [...t.dims], data: t.data as Float32Array }));
  return stackAttention(layers, batch);
}
