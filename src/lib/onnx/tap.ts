/**
 * Tapping a graph: making ONNX Runtime return intermediate tensors without re-exporting the
 * model. A second `graph` field appended to the model's bytes, holding only `output` entries
 * (a ValueInfoProto with just a name), is merged by protobuf into the first, so the session
 * lists and returns those tensors; the weights are neither decoded nor changed.
 */
import type { TensorData } from '../runtime/protocol';
import { concatBytes, lengthDelimited } from './protobuf';

const MODEL_GRAPH = 7;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;

/**
 * The model's bytes with `names` added to its graph's outputs (a new buffer; `model` is kept).
 *
 * @example tapOutputs(bytes, ['/vision/blocks.0/attn/Softmax_output_0'])  // bytes.length + 48 bytes
 */
export function tapOutputs(model: Uint8Array, names: readonly string[]): Uint8Array {
  const outputs = names.map((name) => lengthDelimited(GRAPH_OUTPUT, lengthDelimited(VALUE_INFO_NAME, name)));
  return concatBytes([model, lengthDelimited(MODEL_GRAPH, concatBytes(outputs))]);
}

const GRAPH_NODE = 1;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;

/**
 * The model's bytes with each intermediate tensor `from` returned under the output name `to`:
 * the appended `graph` field holds an `Identity` node per pair (protobuf appends it to the
 * graph's nodes) and the new names as outputs. For readers that look outputs up by name, such
 * as transformers.js's `generate`, which collects only `decoder_attentions.{i}`. A pair whose
 * names are equal is tapped as it is.
 *
 * @example aliasOutputs(bytes, [['/layers.0/attn/Softmax_output_0', 'decoder_attentions.0']])
 */
export function aliasOutputs(model: Uint8Array, pairs: readonly (readonly [from: string, to: string])[]): Uint8Array {
  const nodes = pairs
    .filter(([from, to]) => from !== to)
    .map(([from, to]) => lengthDelimited(GRAPH_NODE, concatBytes([lengthDelimited(NODE_INPUT, from), lengthDelimited(NODE_OUTPUT, to), lengthDelimited(NODE_OP_TYPE, 'Identity')])));
  const outputs = pairs.map(([, to]) => lengthDelimited(GRAPH_OUTPUT, lengthDelimited(VALUE_INFO_NAME, to)));
  return concatBytes([model, lengthDelimited(MODEL_GRAPH, concatBytes([...nodes, ...outputs]))]);
}

/**
 * One tapped probability tensor per layer, as `[batch, layers, heads, T, T]` (the layout the
 * forge exports). Exporters write `[batch, heads, T, T]`, or `[batch · heads, T, T]` where the
 * attention was computed with batched 3-D matmuls; both are read. Tensors of another shape than
 * the first layer's (a pooling head's attention of one query, say) are left out, and so is
 * everything when the first is not square. Layers the graph could not shape this way are left out too.
 *
 * @example stackAttention([l0, l1, l2], 8)  // { dims: [8, 3, 4, 65, 65], data } for three [8, 4, 65, 65] layers
 */
export function stackAttention(layers: readonly TensorData[], batch: number): TensorData | null {
  const shaped = layers.map((t) => ({ t, dims: asBatchHeads(t, batch) }));
  const first = shaped.find((s) => s.dims !== null)?.dims;
  if (!first || first[2] !== first[3]) return null;
  const [, heads, queries, keys] = first;
  const kept = shaped.filter((s) => s.dims?.every((d, i) => d === first[i])).map((s) => s.t);
  const block = heads * queries * keys;
  const data = new Float32Array(batch * kept.length * block);
  kept.forEach((t, l) => {
    for (let b = 0; b < batch; b++) data.set(t.data.subarray(b * block, (b + 1) * block), (b * kept.length + l) * block);
  });
  return { dims: [batch, kept.length, heads, queries, keys], data };
}

function asBatchHeads(t: TensorData, batch: number): number[] | null {
  if (t.dims.length === 4 && t.dims[0] === batch) return [...t.dims];
  if (t.dims.length === 3 && batch > 0 && t.dims[0] % batch === 0) return [batch, t.dims[0] / batch, t.dims[1], t.dims[2]];
  return null;
}
