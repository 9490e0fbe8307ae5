/**
 * Decoding with a key/value cache through a graph in the Llama-style layout transformers.js
 * reads for `decoder_model_merged` (see training/forge/families/coca/cached_decoder.py):
 * inputs `input_ids` [batch, new], `attention_mask` [batch, past + new], the model's own
 * inputs (CoCa: `image_tokens`) and `past_key_values.{i}.key|value` [batch, heads, past,
 * head_dim]; outputs `logits` [batch, new, vocab] and `present.{i}.key|value` [batch, heads,
 * past + new, head_dim], plus whatever else the graph returns (CoCa: its attentions for the new
 * positions). Each step feeds only the new tokens, so its cost no longer grows with the caption.
 *
 * Pure: the runtime (onnxruntime-web or -node, or transformers.js's wrapper of either) comes in
 * as a `CachedGraph`, so the worker, the evaluation and the parity tests share this loop.
 */

/** What this loop reads of a runtime's tensors. */
export interface GraphTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** A graph input as onnxruntime's `session.inputMetadata` describes it. */
export interface InputMetadata {
  readonly name: string;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

export interface CachedGraph<T extends GraphTensor> {
  /** The graph's inputs (onnxruntime's `inputMetadata`): the cache's names and fixed dims. */
  readonly inputs: readonly InputMetadata[];
  /** Runs the graph on named feeds; returns every named output. */
  run(feeds: Record<string, T>): Promise<Record<string, T>>;
  /** A tensor of the runtime. */
  tensor(type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: number[]): T;
}

/** What this loop needs of an onnxruntime session (-web or -node): its inputs and a run. */
export interface SessionLike<T extends GraphTensor> {
  readonly inputMetadata: readonly unknown[];
  run(feeds: Record<string, T>): Promise<Record<string, T>>;
}

/**
 * An onnxruntime session as a `CachedGraph`, given that runtime's Tensor class.
 * @example greedyCaptions(sessionGraph(await InferenceSession.create(path), Tensor), { image_tokens }, 8, options)
 */
export function sessionGraph<T extends GraphTensor>(
  session: SessionLike<T>,
  Tensor: new (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: number[]) => T,
): CachedGraph<T> {
  return {
    inputs: session.inputMetadata as readonly InputMetadata[],
    run: (feeds) => session.run(feeds),
    tensor: (type, data, dims) => new Tensor(type, data, dims),
  };
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

/** One cache entry: the input it is fed to, the output it comes back from, its fixed dims. */
export interface CacheEntry {
  readonly past: string;
  readonly present: string;
  readonly heads: number;
  readonly headDim: number;
}

/**
 * The cache entries of a graph, from its input metadata.
 * @example cacheEntries(session.inputMetadata)
 *   // [{ past: 'past_key_values.0.key', present: 'present.0.key', heads: 4, headDim: 16 }, …]
 */
export function cacheEntries(inputs: readonly InputMetadata[]): CacheEntry[] {
  const entries = inputs.flatMap(({ name, shape }) => {
    const match = PAST.exec(name);
    if (!match) return [];
    const [, layer, kind] = match;
    const heads = shape?.[1];
    const headDim = shape?.[3];
    if (typeof heads !== 'number' || typeof headDim !== 'number') {
      throw new Error(`${name} must have a fixed number of heads and head size, not [${shape?.join(', ') ?? '?'}].`);
    }
    return [{ past: name, present: `present.${layer}.${kind}`, heads, headDim }];
  });
  if (entries.length === 0) throw new Error('This decoder graph takes no past_key_values: it cannot decode with a cache.');
  return entries;
}

/** The keys and values of the tokens read so far, and how many there are. */
export interface KeyValueCache<T extends GraphTensor> {
  readonly length: number;
  readonly tensors: Readonly<Record<string, T>>;
}

/** A cache holding no token yet: `[batch, heads, 0, head_dim]` per entry. */
export function emptyCache<T extends GraphTensor>(graph: CachedGraph<T>, batch: number): KeyValueCache<T> {
  const tensors: Record<string, T> = {};
  for (const e of cacheEntries(graph.inputs)) tensors[e.past] = graph.tensor('float32', new Float32Array(0), [batch, e.heads, 0, e.headDim]);
  return { length: 0, tensors };
}

function int64<T extends GraphTensor>(graph: CachedGraph<T>, values: readonly number[], dims: number[]): T {
  return graph.tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/**
 * One step: the new tokens of every sequence (all sequences the same count, every token real)
 * read after the cached ones. Returns the graph's outputs and the cache grown by the new tokens.
 * A graph that takes `position_ids` (the Llama layout: shapes-lm, shapes-cm3) is given each new
 * token's position, counted from 0 at the first cached token, unless `inputs` holds its own.
 * @example const { outputs, cache: next } = await decodeStep(graph, cache, [[2]], { image_tokens })
 *   // outputs.logits [1, 1, vocab]; next.length === cache.length + 1
 */
export async function decodeStep<T extends GraphTensor>(
  graph: CachedGraph<T>,
  cache: KeyValueCache<T>,
  ids: readonly (readonly number[])[],
  inputs: Readonly<Record<string, T>>,
): Promise<{ outputs: Record<string, T>; cache: KeyValueCache<T> }> {
  const batch = ids.length;
  const fresh = ids[0]?.length ?? 0;
  if (batch === 0 || fresh === 0 || ids.some((row) => row.length !== fresh)) throw new Error('Each sequence needs the same number (at least one) of new tokens.');
  const total = cache.length + fresh;
  const positions: Record<string, T> = graph.inputs.some((i) => i.name === 'position_ids') && !inputs.position_ids
    ? { position_ids: int64(graph, Array.from({ length: batch * fresh }, (_, i) => cache.length + (i % fresh)), [batch, fresh]) }
    : {};
  const outputs = await graph.run({
    ...positions,
    ...inputs,
    ...cache.tensors,
    input_ids: int64(graph, ids.flat(), [batch, fresh]),
    attention_mask: int64(graph, new Array<number>(batch * total).fill(1), [batch, total]),
  });
  const tensors: Record<string, T> = {};
  for (const e of cacheEntries(graph.inputs)) {
    const present = outputs[e.present];
    if (!present) throw new Error(`The decoder graph did not return ${e.present}.`);
    tensors[e.past] = present;
  }
  return { outputs, cache: { length: total, tensors } };
}

/** The row of a `[batch, new, vocab]` logits tensor for one sequence's last new token. */
export function lastLogits(logits: GraphTensor, sequence: number): Float32Array {
  const [, fresh, vocabulary] = logits.dims;
  const start = (sequence * fresh + fresh - 1) * vocabulary;
  return (logits.data as Float32Array).subarray(start, start + vocabulary);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export interface GreedyOptions {
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  /** Most tokens a caption holds, BOS and EOS included. */
  readonly maxLength: number;
}

/**
 * Greedy captions, batched: every sequence starts as [BOS]; each step feeds the token chosen
 * last and appends the arg-max of its logits. A sequence stops at [EOS] (kept) or at
 * `maxLength` tokens. Finished sequences are fed pads while the others go on: causal attention
 * keeps those pads from changing anything that is read.
 * @example await greedyCaptions(graph, { image_tokens }, 8, { bos: 2, eos: 3, pad: 0, maxLength: 16 })
 *   // [[2, 4, 25, 22, 13, 7, 29, 31, 18, 3], ...]: one id list per image
 */
export async function greedyCaptions<T extends GraphTensor>(
  graph: CachedGraph<T>,
  inputs: Readonly<Record<string, T>>,
  batch: number,
  o: GreedyOptions,
): Promise<number[][]> {
  const sequences = Array.from({ length: batch }, () => [o.bos]);
  const done = new Array<boolean>(batch).fill(false);
  let cache = emptyCache(graph, batch);
  for (let length = 1; length < o.maxLength && done.includes(false); length++) {
    const step = await decodeStep(graph, cache, sequences.map((s) => [s[s.length - 1]]), inputs);
    cache = step.cache;
    sequences.forEach((s, b) => {
      if (done[b]) {
        s.push(o.pad);
        return;
      }
      s.push(argmax(lastLogits(step.outputs.logits, b)));
      done[b] = s[s.length - 1] === o.eos;
    });
  }
  return sequences.map((s) => (s.includes(o.eos) ? s.slice(0, s.indexOf(o.eos) + 1) : s));
}

/**
 * Per-step attention rows put together as one pass over the whole sequence would give them.
 * Step k's tensor is `[1, layers, heads, 1, keys_k]` (the new position's row of batch item 0);
 * the result is `[layers, heads, steps, keys]`, with zeros where a step saw fewer keys (a
 * causal row's future, whose probability is 0 in the uncached graph too).
 * @example stackSteps(steps.map((s) => s.self_attentions), steps.length)  // [4, 4, L, L]
 */
export function stackSteps(rows: readonly GraphTensor[], keys: number): { dims: number[]; data: Float32Array } {
  if (rows.length === 0) throw new Error('No decoding steps to put together.');
  const [, layers, heads] = rows[0].dims;
  const out = new Float32Array(layers * heads * rows.length * keys);
  rows.forEach((row, step) => {
    const width = row.dims[4];
    if (row.dims[3] !== 1 || width > keys) throw new Error(`Step ${step} has attention rows [${row.dims.join(', ')}], not one row of at most ${keys} keys.`);
    const data = row.data as Float32Array;
    for (let m = 0; m < layers * heads; m++) out.set(data.subarray(m * width, (m + 1) * width), (m * rows.length + step) * keys);
  });
  return { dims: [layers, heads, rows.length, keys], data: out };
}

/** What `continueSequence` asks of its caller at each step. */
export interface ContinueOptions<T extends GraphTensor> {
  /** The model's own further inputs, fed at every step (CoCa: `image_tokens`). */
  readonly inputs?: Readonly<Record<string, T>>;
  /** Most tokens to add. */
  readonly maxNew: number;
  /** Token ids that end the sequence (kept). */
  readonly stop: readonly number[];
  /**
   * Chooses the next token from the newest position's logits `[vocab]` and the step's outputs
   * (attentions among them); `index` counts the tokens chosen before.
   */
  choose(logits: Float32Array, outputs: Readonly<Record<string, T>>, index: number): number | Promise<number>;
  /** Awaited after each choice: true stops the sequence there (a cancelled request). */
  interrupted?(): boolean | Promise<boolean>;
}

/**
 * One prompt continued token by token through the cache: the prompt read in one step, then one
 * token a step, each at its position. Ends at a stop token (kept), after `maxNew` tokens, or
 * when `interrupted` says so.
 * @example await continueSequence(graph, [2, 4, 22, 13, 3, 36], { maxNew: 65, stop: [37], choose: (row) => argmax(row) })
 *   // { ids: [126, 97, …, 37], stopped: 'stop' }: a drawing's 64 codes and </image>
 */
export async function continueSequence<T extends GraphTensor>(
  graph: CachedGraph<T>,
  prompt: readonly number[],
  o: ContinueOptions<T>,
): Promise<{ ids: number[]; stopped: 'stop' | 'length' | 'interrupted' }> {
  const inputs = o.inputs ?? {};
  let step = await decodeStep(graph, emptyCache(graph, 1), [prompt], inputs);
  const ids: number[] = [];
  for (;;) {
    const id = await o.choose(lastLogits(step.outputs.logits, 0), step.outputs, ids.length);
    ids.push(id);
    if (o.stop.includes(id)) return { ids, stopped: 'stop' };
    if (ids.length >= o.maxNew) return { ids, stopped: 'length' };
    if (await o.interrupted?.()) return { ids, stopped: 'interrupted' };
    step = await decodeStep(graph, step.cache, [[id]], inputs);
  }
}
