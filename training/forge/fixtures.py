"""Hub-shaped copies of shapes-clip whose graphs do not output their attention, for testing the
runtime's tapping of attention probabilities (workers/families/tap.ts). Made from the shipped
graphs by editing their node lists only: every initializer (weight) is kept byte for byte.

  PYTHONPATH=training /usr/bin/python3 -m forge.fixtures [--model static/models/shapes-clip] [--vlm static/models/shapes-smolvlm] [--out tests/fixtures/hub]

writes three repos' graphs (tooling/hub-mirror.ts serves the rest of each repo from shapes-clip):
  shapes-clip-untapped   both towers without their `*_attentions` outputs: the Softmax nodes are
                         there, as in the hub's CLIP exports
  shapes-clip-fused      the image tower's attention blocks replaced by ONNX Runtime's fused
                         `com.microsoft.Attention` (same weights, same embeddings); its text
                         tower is shapes-clip-untapped's (the mirror serves that one)
  shapes-clip-nosoftmax  both towers with every Softmax written out as Exp / ReduceSum / Div
  shapes-clip-corrupt    an image tower file that is not a model: the first 16 KiB of
                         shapes-clip-untapped's, every byte inverted
and one copy of shapes-smolvlm (`--vlm`, the mirror serves its JSON files from shapes-smolvlm):
  shapes-smolvlm-untapped  the vision encoder without `vision_attentions` and the decoder without
                         `decoder_attentions.*`, its Softmax outputs renamed as a hub export
                         names them (`/layers.0/attn/Softmax_output_0`); embed_tokens as shipped
"""
import argparse
import os

import onnx
from onnx import helper

TOWERS = ("text_model", "vision_model")


def drop_attention_outputs(model):
    keep = [o for o in model.graph.output if not o.name.endswith("attentions")]
    del model.graph.output[:]
    model.graph.output.extend(keep)


def prune(model):
    """Removes nodes no graph output depends on, then initializers no node reads."""
    graph = model.graph
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(graph.node):
        if any(out in needed for out in node.output):
            kept.append(node)
            needed.update(i for i in node.input if i)
    kept.reverse()
    del graph.node[:]
    graph.node.extend(kept)
    used = [t for t in graph.initializer if t.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(used)


def attention_blocks(model):
    """The name prefix of each attention block (`/vision/blocks.0/attn`), found by its Softmax."""
    return [n.name.rsplit("/", 1)[0] for n in model.graph.node if n.op_type == "Softmax"]


def fuse_attention(model, heads):
    """Each block's q·k, softmax and ·v (from the qkv projection to the heads' merge) becomes one
    com.microsoft.Attention node reading the same qkv weight and bias."""
    nodes = {n.name: n for n in model.graph.node}
    for prefix in attention_blocks(model):
        qkv, bias, merged = nodes[f"{prefix}/qkv/MatMul"], nodes[f"{prefix}/qkv/Add"], nodes[f"{prefix}/Reshape_1"]
        weight = qkv.input[1]
        bias_name = next(i for i in bias.input if i != qkv.output[0])
        fused = helper.make_node("Attention", [qkv.input[0], weight, bias_name], [merged.output[0]],
                                 name=f"{prefix}/Attention", domain="com.microsoft", num_heads=heads)
        at = list(model.graph.node).index(merged)
        model.graph.node.remove(merged)
        model.graph.node.insert(at, fused)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    prune(model)


def unroll_softmax(model):
    """softmax(x) = exp(x − max x) / Σ exp(x − max x) over the last axis, as five plain nodes."""
    graph = model.graph
    axes = helper.make_tensor("unrolled_softmax_axes", onnx.TensorProto.INT64, [1], [-1])
    graph.initializer.append(axes)
    out = []
    for node in graph.node:
        if node.op_type != "Softmax":
            out.append(node)
            continue
        x, y, p = node.input[0], node.output[0], node.name
        out += [
            helper.make_node("ReduceMax", [x], [f"{p}_max"], name=f"{p}/ReduceMax", axes=[-1], keepdims=1),
            helper.make_node("Sub", [x, f"{p}_max"], [f"{p}_shifted"], name=f"{p}/Sub"),
            helper.make_node("Exp", [f"{p}_shifted"], [f"{p}_exp"], name=f"{p}/Exp"),
            helper.make_node("ReduceSum", [f"{p}_exp", axes.name], [f"{p}_sum"], name=f"{p}/ReduceSum", keepdims=1),
            helper.make_node("Div", [f"{p}_exp", f"{p}_sum"], [y], name=f"{p}/Div"),
        ]
    del graph.node[:]
    graph.node.extend(out)


def rename_softmax_outputs(model):
    """Each Softmax's output named `<node name>_output_0`, as torch.onnx names an unexported tensor."""
    renamed = {}
    for node in model.graph.node:
        if node.op_type == "Softmax":
            renamed[node.output[0]] = f"{node.name}_output_0"
            node.output[0] = renamed[node.output[0]]
    for node in model.graph.node:
        for k, name in enumerate(node.input):
            if name in renamed:
                node.input[k] = renamed[name]


def write_vlm(source, out):
    """shapes-smolvlm's three graphs with their attention outputs removed (the weights untouched)."""
    vision = onnx.load(os.path.join(source, "onnx", "vision_encoder.onnx"))
    drop_attention_outputs(vision)
    prune(vision)
    write(vision, os.path.join(out, "onnx", "vision_encoder.onnx"))
    decoder = onnx.load(os.path.join(source, "onnx", "decoder_model_merged.onnx"))
    keep = [o for o in decoder.graph.output if not o.name.startswith("decoder_attentions.")]
    del decoder.graph.output[:]
    decoder.graph.output.extend(keep)
    rename_softmax_outputs(decoder)
    prune(decoder)
    write(decoder, os.path.join(out, "onnx", "decoder_model_merged.onnx"))
    write(onnx.load(os.path.join(source, "onnx", "embed_tokens.onnx")), os.path.join(out, "onnx", "embed_tokens.onnx"))


def write(model, path):
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(prog="forge.fixtures")
    parser.add_argument("--model", default="static/models/shapes-clip")
    parser.add_argument("--out", default="tests/fixtures/hub")
    parser.add_argument("--vlm", default="static/models/shapes-smolvlm")
    args = parser.parse_args()
    write_vlm(args.vlm, os.path.join(args.out, "shapes-smolvlm-untapped"))
    import json
    config = json.load(open(os.path.join(args.model, "config.json")))
    for tower in TOWERS:
        source = os.path.join(args.model, "onnx", f"{tower}.onnx")
        untapped = onnx.load(source)
        drop_attention_outputs(untapped)
        prune(untapped)
        write(untapped, os.path.join(args.out, "shapes-clip-untapped", "onnx", f"{tower}.onnx"))

        if tower == "vision_model":
            fused = onnx.load(source)
            drop_attention_outputs(fused)
            prune(fused)
            fuse_attention(fused, config["vision_config"]["num_attention_heads"])
            write(fused, os.path.join(args.out, "shapes-clip-fused", "onnx", f"{tower}.onnx"))

        plain = onnx.load(source)
        drop_attention_outputs(plain)
        prune(plain)
        unroll_softmax(plain)
        write(plain, os.path.join(args.out, "shapes-clip-nosoftmax", "onnx", f"{tower}.onnx"))

    with open(os.path.join(args.out, "shapes-clip-untapped", "onnx", "vision_model.onnx"), "rb") as f:
        head = f.read(16384)
    corrupt = os.path.join(args.out, "shapes-clip-corrupt", "onnx", "vision_model.onnx")
    os.makedirs(os.path.dirname(corrupt), exist_ok=True)
    with open(corrupt, "wb") as f:
        f.write(bytes(b ^ 0xFF for b in head))


if __name__ == "__main__":
    main()
