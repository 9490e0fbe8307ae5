/**
 * The nodes and outputs of an ONNX model's main graph, read straight from the model's bytes,
 * and where its attention probabilities are: the `Softmax` nodes whose output weighs the values
 * (feeds a `MatMul`), in the graph's order, which exporters write layer by layer.
 *
 * Only names and operator types are read: initializers (the weights) are skipped by length.
 */
import { fields, MalformedProtobufError, text } from './protobuf';

export interface GraphNode {
  readonly opType: string;
  /** '' (or 'ai.onnx') for standard operators, 'com.microsoft' for ONNX Runtime's contrib operators. */
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface GraphSummary {
  readonly nodes: readonly GraphNode[];
  /** Names of the graph's outputs. */
  readonly outputs: readonly string[];
}

// ModelProto.graph; GraphProto.node and .output; NodeProto.input, .output, .name, .op_type, .domain; ValueInfoProto.name.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_DOMAIN = 7;
const VALUE_INFO_NAME = 1;

function readNode(bytes: Uint8Array): GraphNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let opType = '';
  let domain = '';
  let name = '';
  for (const f of fields(bytes)) {
    if (f.wire !== 2) continue;
    if (f.number === NODE_INPUT) inputs.push(text(f));
    else if (f.number === NODE_OUTPUT) outputs.push(text(f));
    else if (f.number === NODE_NAME) name = text(f);
    else if (f.number === NODE_OP_TYPE) opType = text(f);
    else if (f.number === NODE_DOMAIN) domain = text(f);
  }
  return { opType, domain, name, inputs, outputs };
}

/**
 * The main graph's nodes and outputs. Several `graph` fields are merged as protobuf merges them
 * (repeated fields appended), so a model already extended by `tapOutputs` reads whole.
 *
 * @example readGraph(bytes).nodes.filter((n) => n.opType === 'Softmax').length  // 3 for shapes-clip's vision tower
 */
export function readGraph(model: Uint8Array): GraphSummary {
  const nodes: GraphNode[] = [];
  const outputs: string[] = [];
  let graphs = 0;
  for (const f of fields(model)) {
    if (f.number !== MODEL_GRAPH || !f.bytes) continue;
    graphs++;
    for (const g of fields(f.bytes)) {
      if (g.number === GRAPH_NODE && g.bytes) nodes.push(readNode(g.bytes));
      else if (g.number === GRAPH_OUTPUT && g.bytes) {
        for (const v of fields(g.bytes)) if (v.number === VALUE_INFO_NAME && v.wire === 2) outputs.push(text(v));
      }
    }
  }
  if (graphs === 0) throw new MalformedProtobufError('protobuf: these bytes hold no ONNX graph');
  return { nodes, outputs };
}

/** Operators that compute attention whole, its probabilities never leaving them. */
const FUSED = /^(Attention|MultiHeadAttention|GroupQueryAttention|PackedAttention|PackedMultiHeadAttention|DecoderMaskedMultiHeadAttention|DecoderMaskedSelfAttention|SparseAttention|PagedAttention|LongformerAttention|QAttention|QOrderedAttention)$/;
/** Nodes a probability tensor may pass through on its way to weighing the values (quantized graphs quantize it first). */
const PASS_THROUGH = new Set(['Cast', 'Dropout', 'Identity', 'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear']);
/** Products whose first input weighs the second (P · V), plain or quantized. */
const WEIGHING = new Set(['MatMul', 'Einsum', 'MatMulInteger', 'QLinearMatMul']);

/** Where a graph's attention probabilities are, or why they cannot be had. */
export type AttentionPlan =
  /** The graph already outputs them (a forge export): nothing to add. */
  | { readonly kind: 'outputs'; readonly names: readonly string[] }
  /** The Softmax outputs to add as graph outputs, first layer first. */
  | { readonly kind: 'tap'; readonly names: readonly string[] }
  /** Attention is computed inside fused operators (their op types, e.g. `com.microsoft.Attention`). */
  | { readonly kind: 'fused'; readonly operators: readonly string[] }
  /** No Softmax weighs values in this graph. */
  | { readonly kind: 'none'; readonly softmaxes: number };

/**
 * Finds the attention probabilities of a graph: outputs named as attentions, else the Softmax
 * nodes whose output (maybe through a Cast, a Dropout or a quantization) is the first input of a
 * MatMul (P · V), else the fused attention operators that hide them.
 */
export function findAttention(graph: GraphSummary): AttentionPlan {
  const exported = graph.outputs.filter((name) => /attentions?$/i.test(name));
  if (exported.length > 0) return { kind: 'outputs', names: exported };
  const consumers = new Map<string, GraphNode[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (!consumers.has(input)) consumers.set(input, []);
      consumers.get(input)?.push(node);
    }
  }
  const weighsValues = (tensor: string, depth: number): boolean =>
    (consumers.get(tensor) ?? []).some((n) =>
      (WEIGHING.has(n.opType) && n.inputs[0] === tensor && isStandard(n)) ||
      (depth < 3 && PASS_THROUGH.has(n.opType) && weighsValues(n.outputs[0], depth + 1)),
    );
  const softmaxes = graph.nodes.filter((n) => n.opType === 'Softmax' && isStandard(n));
  const names = softmaxes.map((n) => n.outputs[0]).filter((out) => out && weighsValues(out, 0));
  if (names.length > 0) return { kind: 'tap', names };
  const operators = [...new Set(graph.nodes.filter((n) => FUSED.test(n.opType)).map((n) => `${n.domain || 'ai.onnx'}.${n.opType}`))];
  if (operators.length > 0) return { kind: 'fused', operators };
  return { kind: 'none', softmaxes: softmaxes.length };
}

function isStandard(node: GraphNode): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

/** What the attention lens can say about a graph whose attention it cannot show; null when it can. */
export function unavailableReason(plan: AttentionPlan, graphName: string): string | null {
  switch (plan.kind) {
    case 'outputs':
    case 'tap':
      return null;
    case 'fused':
      return `The ${graphName} computes attention in one fused operator (${plan.operators.join(', ')}): its attention probabilities never leave that operator, so their maps are not available for this graph.`;
    case 'none':
      return plan.softmaxes === 0
        ? `The ${graphName} has no Softmax node, so it has no attention probabilities to show.`
        : `None of the ${graphName}'s ${plan.softmaxes} Softmax nodes weighs values (feeds a MatMul), so it has no attention probabilities to show.`;
    default: {
      const unreachable: never = plan;
      throw new Error(`Unknown plan ${JSON.stringify(unreachable)}`);
    }
  }
}
