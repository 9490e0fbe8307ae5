import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concatBytes, fields, lengthDelimited, MalformedProtobufError, readVarint, text } from '../../src/lib/onnx/protobuf';
import { findAttention, readGraph, unavailableReason, type GraphNode } from '../../src/lib/onnx/graph';
import { aliasOutputs, stackAttention, tapOutputs } from '../../src/lib/onnx/tap';

const bytes = (path: string) => new Uint8Array(readFileSync(path));
const VISION = 'static/models/shapes-clip/onnx/vision_model.onnx';
const UNTAPPED = 'tests/fixtures/hub/shapes-clip-untapped/onnx/vision_model.onnx';

describe('protobuf', () => {
  it('reads varints across bytes', () => {
    expect(readVarint(new Uint8Array([0x96, 0x01]), 0)).toEqual({ value: 150, next: 2 });
    expect(readVarint(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), 0).value).toBe(2 ** 32 - 1);
  });

  it('writes length-delimited fields that read back', () => {
    const message = concatBytes([lengthDelimited(1, 'abc'), lengthDelimited(300, 'x'.repeat(200))]);
    const read = [...fields(message)];
    expect(read.map((f) => [f.number, f.wire, text(f)])).toEqual([[1, 2, 'abc'], [300, 2, 'x'.repeat(200)]]);
  });

  it('refuses bytes that are not a message', () => {
    expect(() => [...fields(new Uint8Array([0x0a, 0x05, 0x61]))]).toThrow(MalformedProtobufError);
    expect(() => [...fields(new Uint8Array([0x0f]))]).toThrow(/wire type 7/);
    expect(() => [...fields(new Uint8Array([0x08, 0x80]))]).toThrow(/past the end/);
  });
});

describe('readGraph', () => {
  it('reads the node list of shapes-clip’s image tower, and its outputs', () => {
    const graph = readGraph(bytes(VISION));
    expect(graph.outputs).toEqual(['image_embeds', 'last_hidden_state', 'vision_attentions']);
    const softmax = graph.nodes.filter((n) => n.opType === 'Softmax');
    expect(softmax.map((n) => n.name)).toEqual([0, 1, 2].map((l) => `/vision/blocks.${l}/attn/Softmax`));
  });

  it('refuses a cut download and a web page', () => {
    const model = bytes(VISION);
    expect(() => readGraph(model.subarray(0, model.length / 2))).toThrow(MalformedProtobufError);
    expect(() => readGraph(new TextEncoder().encode('<!doctype html><html></html>'))).toThrow(MalformedProtobufError);
  });

  it('returns tensors under new names through appended Identity nodes, a same-named pair as it is', () => {
    const model = bytes(UNTAPPED);
    const graph = readGraph(aliasOutputs(model, [['/vision/blocks.0/attn/Softmax_output_0', 'decoder_attentions.0'], ['same', 'same']]));
    expect(graph.outputs).toEqual(['image_embeds', 'last_hidden_state', 'decoder_attentions.0', 'same']);
    expect(graph.nodes.length).toBe(readGraph(model).nodes.length + 1);
    expect(graph.nodes.at(-1)).toEqual({ opType: 'Identity', domain: '', name: '', inputs: ['/vision/blocks.0/attn/Softmax_output_0'], outputs: ['decoder_attentions.0'] });
  });

  it('merges an appended graph field, as protobuf does', () => {
    const tapped = tapOutputs(bytes(UNTAPPED), ['a', 'b']);
    expect(readGraph(tapped).outputs).toEqual(['image_embeds', 'last_hidden_state', 'a', 'b']);
    expect(Buffer.from(tapped.subarray(0, bytes(UNTAPPED).length)).equals(bytes(UNTAPPED))).toBe(true);
  });
});

const node = (opType: string, inputs: string[], outputs: string[], domain = ''): GraphNode => ({ opType, domain, name: outputs[0], inputs, outputs });

describe('findAttention', () => {
  it('keeps a graph that outputs its attention as it is', () => {
    expect(findAttention(readGraph(bytes(VISION)))).toEqual({ kind: 'outputs', names: ['vision_attentions'] });
  });

  it('finds each layer’s Softmax in order when the graph outputs none', () => {
    expect(findAttention(readGraph(bytes(UNTAPPED)))).toEqual({ kind: 'tap', names: [0, 1, 2].map((l) => `/vision/blocks.${l}/attn/Softmax_output_0`) });
  });

  it('takes only Softmaxes that weigh values, also through a Cast or a quantization', () => {
    const graph = {
      outputs: ['probs'],
      nodes: [
        node('Softmax', ['s0'], ['p0']),
        node('MatMul', ['p0', 'v0'], ['o0']),
        node('Softmax', ['s1'], ['p1']),
        node('Cast', ['p1'], ['p1c']),
        node('MatMul', ['p1c', 'v1'], ['o1']),
        // A statically quantized graph: quantized and dequantized on the way to the product.
        node('Softmax', ['s2'], ['p2']),
        node('QuantizeLinear', ['p2', 'scale', 'zero'], ['p2q']),
        node('DequantizeLinear', ['p2q', 'scale', 'zero'], ['p2d']),
        node('MatMul', ['p2d', 'v2'], ['o2']),
        // A classifier's softmax over logits: read by nothing that weighs values.
        node('Softmax', ['logits'], ['probs']),
        // Values weighing the probabilities (second input): not attention.
        node('Softmax', ['s3'], ['p3']),
        node('MatMul', ['v3', 'p3'], ['o3']),
      ],
    };
    expect(findAttention(graph)).toEqual({ kind: 'tap', names: ['p0', 'p1', 'p2'] });
  });

  it('names the fused operators, and says when there is no Softmax', () => {
    const fused = findAttention(readGraph(bytes('tests/fixtures/hub/shapes-clip-fused/onnx/vision_model.onnx')));
    expect(fused).toEqual({ kind: 'fused', operators: ['com.microsoft.Attention'] });
    expect(unavailableReason(fused, 'image encoder')).toMatch(/image encoder computes attention in one fused operator \(com\.microsoft\.Attention\).*not available/);
    const none = findAttention(readGraph(bytes('tests/fixtures/hub/shapes-clip-nosoftmax/onnx/vision_model.onnx')));
    expect(none).toEqual({ kind: 'none', softmaxes: 0 });
    expect(unavailableReason(none, 'image encoder')).toMatch(/has no Softmax node/);
    expect(findAttention({ outputs: [], nodes: [node('Softmax', ['x'], ['y'])] })).toEqual({ kind: 'none', softmaxes: 1 });
    expect(findAttention({ outputs: [], nodes: [node('MultiHeadAttention', ['q', 'k', 'v'], ['o'], 'com.microsoft')] })).toEqual({ kind: 'fused', operators: ['com.microsoft.MultiHeadAttention'] });
  });
});

describe('the fixtures keep shapes-clip’s weights', () => {
  /** Initializers (GraphProto field 5) by name (TensorProto field 8), as raw bytes. */
  function initializers(model: Uint8Array): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const g of fields(model)) {
      if (g.number !== 7 || !g.bytes) continue;
      for (const f of fields(g.bytes)) {
        if (f.number !== 5 || !f.bytes) continue;
        const name = [...fields(f.bytes)].find((t) => t.number === 8);
        if (name) out.set(text(name), f.bytes);
      }
    }
    return out;
  }
  it.each(['shapes-clip-untapped', 'shapes-clip-fused', 'shapes-clip-nosoftmax'])('%s', (repo) => {
    const shipped = initializers(bytes(VISION));
    const fixture = initializers(bytes(`tests/fixtures/hub/${repo}/onnx/vision_model.onnx`));
    const weights = [...shipped.keys()].filter((n) => n.startsWith('model.') || n.startsWith('onnx::MatMul'));
    expect(weights.length).toBeGreaterThan(20);
    for (const name of weights) expect(Buffer.from(fixture.get(name) ?? []).equals(shipped.get(name) ?? new Uint8Array(1)), name).toBe(true);
  });
});

describe('stackAttention', () => {
  const layer = (dims: number[], offset: number) => ({ dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => offset + i) });

  it('interleaves [batch, heads, T, T] layers as [batch, layers, heads, T, T]', () => {
    const stacked = stackAttention([layer([2, 1, 2, 2], 0), layer([2, 1, 2, 2], 100)], 2);
    expect(stacked?.dims).toEqual([2, 2, 1, 2, 2]);
    expect([...(stacked?.data ?? [])]).toEqual([0, 1, 2, 3, 100, 101, 102, 103, 4, 5, 6, 7, 104, 105, 106, 107]);
  });

  it('reads [batch · heads, T, T] and leaves out a layer of another shape', () => {
    const stacked = stackAttention([layer([4, 3, 3], 0), layer([2, 2, 1, 3], 500)], 2);
    expect(stacked?.dims).toEqual([2, 1, 2, 3, 3]);
    expect(stacked?.data.subarray(18, 20)).toEqual(Float32Array.from([18, 19]));
  });

  it('gives nothing for attention that is not square', () => {
    expect(stackAttention([layer([1, 2, 1, 5], 0)], 1)).toBeNull();
    expect(stackAttention([], 1)).toBeNull();
  });
});
