"""8-bit weight quantization of an exported tower, for the fp32-vs-q8 fidelity view.

Every weight matrix that feeds a MatMul, a Conv or an embedding Gather is stored as int8 with
one float scale per output channel (symmetric, zero point 0) and turned back into float by a
DequantizeLinear node in front of its consumer. Activations stay float, so the graph's named
outputs (embeddings, attention probabilities, logit_scale) are unchanged in name and shape;
only the weights lose precision. The file is named as transformers.js expects its q8 dtype
(`<name>_quantized.onnx`).

  PYTHONPATH=training python3 -m forge.quantize static/models/shapes-clip/onnx/text_model.onnx   (writes text_model_quantized.onnx)
"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

# The axis of one output channel, per consumer of a weight: MatMul's B is [in, out], Conv's
# weight is [out, in, kh, kw], an embedding table is [vocabulary, width] (one scale per row).
CHANNEL_AXIS = {("MatMul", 1): 1, ("Conv", 1): 0, ("Gather", 0): 0}
MIN_ELEMENTS = 256  # small tensors (biases, norms) stay float: they cost nothing to keep


def quantize_tensor(weights: np.ndarray, axis: int):
    """int8 values, float32 scales and int8 zero points (all 0) along `axis`."""
    moved = np.moveaxis(weights, axis, 0).reshape(weights.shape[axis], -1)
    scale = np.abs(moved).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    shape = [1] * weights.ndim
    shape[axis] = -1
    q = np.clip(np.rint(weights / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32), np.zeros_like(scale, dtype=np.int8)


def quantize_model(model: onnx.ModelProto) -> tuple[onnx.ModelProto, list[str]]:
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    consumers: dict[str, list[tuple[str, int]]] = {}
    for node in graph.node:
        for k, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node.op_type, k))
    done, dequantize = [], []
    for name, tensor in initializers.items():
        uses = consumers.get(name, [])
        axes = {CHANNEL_AXIS.get(use) for use in uses}
        weights = numpy_helper.to_array(tensor)
        if len(axes) != 1 or None in axes or weights.dtype != np.float32 or weights.size < MIN_ELEMENTS:
            continue
        axis = axes.pop()
        q, scale, zero = quantize_tensor(weights, axis)
        graph.initializer.remove(tensor)
        graph.initializer.extend([
            numpy_helper.from_array(q, f"{name}_q8"),
            numpy_helper.from_array(scale, f"{name}_scale"),
            numpy_helper.from_array(zero, f"{name}_zero"),
        ])
        # The float tensor keeps its name, now as the DequantizeLinear output, so its
        # consumers are untouched.
        dequantize.append(helper.make_node("DequantizeLinear", [f"{name}_q8", f"{name}_scale", f"{name}_zero"], [name],
                                           name=f"{name}_dequantize", axis=axis))
        done.append(name)
    nodes = dequantize + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    return model, done


def quantize_file(path: str) -> str:
    out = path[: -len(".onnx")] + "_quantized.onnx"
    model, done = quantize_model(onnx.load(path))
    onnx.save(model, out)
    print(f"{os.path.basename(out)}: {len(done)} weight tensors in int8, {os.path.getsize(path)} -> {os.path.getsize(out)} bytes", flush=True)
    return out


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        quantize_file(arg)
