"""Rebuilds the PyTorch checkpoint of a shipped model from its own ONNX graphs, for models whose
training run's weights were not kept:

  PYTHONPATH=training /usr/bin/python3 -m forge recover <family> [--model static/models/shapes-<family>]

1. A model of the shipped config (training.json) gets a distinct random value in every weight and
   is exported with the family's own export code into a temporary folder.
2. Each initializer of that fresh graph is traced to the weight it came from: by name, or by value
   where the exporter renamed it (a Linear's weight is stored transposed for MatMul) or folded it
   (logit_scale is stored as exp(logit_scale)). Initializers that come from no weight are constants
   of the code and must equal the shipped graph's. A logit scale that no graph holds (MaskVLM's,
   used in training only) is read from config.json, which states it to 6 decimals.
3. The shipped graph's initializer of the same name gives the weight's trained value; a weight
   stored in several graphs must hold one value in all.
4. The checkpoint is saved in the cache, exported again into a temporary folder and compared with
   the shipped folder: each ONNX file byte for byte (so every weight is the shipped one, bit for
   bit), and the goldens (within 1e-6 where they were computed with this machine's float kernels).
"""
import json
import os
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from forge import checkpoint
from forge.export import export_folder, export_graph
from forge.families import family

GOLDEN_TOLERANCE = 1e-6


def initializers(path):
    return {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}


def key(array):
    return array.shape, np.ascontiguousarray(array, dtype=np.float32).tobytes()


def stored_forms(name, value):
    """How the exporter may store a weight: as it is, transposed (a Linear's weight feeding MatMul),
    exponentiated (a logit scale, folded) -> {(shape, bytes): (weight name, form)}."""
    forms = {key(value): (name, "same")}
    if value.ndim == 2:
        forms[key(value.T)] = (name, "transposed")
        # A buffer squared by the exporter's constant folding (shapes-vq's codebook in the nearest-code
        # distance): it says nothing the plain form does not; the re-export below checks it.
        forms[key(value * value)] = (name, "squared")
    if value.ndim == 0:
        forms[key(np.exp(value))] = (name, "exp")
    return forms


def float32_log(stored):
    """The float32 x whose float32 exp is exactly `stored` (nearest to log(stored) when none is)."""
    target = torch.tensor(stored, dtype=torch.float32)
    x = torch.log(target)
    candidates = [x]
    for direction in (float("inf"), float("-inf")):
        y = x
        for _ in range(4):
            y = torch.nextafter(y, torch.tensor(direction))
            candidates.append(y)
    exact = [c for c in candidates if torch.exp(c) == target]
    return (exact[0] if exact else x).numpy()


def unstore(value, form):
    if form == "transposed":
        return value.T
    if form == "exp":
        return float32_log(value)
    return value


def shipped_meta(name, folder):
    """The dataset facts and family extras an export needs, read back from the shipped files."""
    config = json.load(open(os.path.join(folder, "config.json")))
    extras = {}
    if not os.path.exists(os.path.join(folder, "tokenizer.json")):  # shapes-vq reads no text
        return {"vocabulary": [], "specVersion": config["shapesworld"]["spec_version"]}, extras
    tokenizer = json.load(open(os.path.join(folder, "tokenizer.json")))["model"]
    if tokenizer["type"] == "Unigram":
        # SigLIP's pieces: three specials, then "▁" + each word of the word-level vocabulary,
        # whose four specials ([PAD] [UNK] [BOS] [EOS]) it leaves out.
        pieces = [p for p, _ in tokenizer["vocab"]]
        vocabulary = ["[PAD]", "[UNK]", "[BOS]", "[EOS]"] + [p[1:] for p in pieces[3:]]
        extras["piece_scores"] = [s for _, s in tokenizer["vocab"]]
    else:
        vocabulary = sorted(tokenizer["vocab"], key=tokenizer["vocab"].get)
    tokenizer_config = json.load(open(os.path.join(folder, "tokenizer_config.json"))) if os.path.exists(os.path.join(folder, "tokenizer_config.json")) else {}
    if "chat_template" in tokenizer_config:
        # A chat model's (shapes-smolvlm's) special tokens, in the order its tokenizer lists them, and its chat template.
        added = json.load(open(os.path.join(folder, "tokenizer.json")))["added_tokens"]
        extras = {"special_tokens": [t["content"] for t in added if t.get("special")], "chat_template": tokenizer_config["chat_template"]}
    if config.get("model_type") == "shapes_cm3":
        # Where the markers and codes sit (config.json says it) and the image tokenizer whose codes it reads
        # and whose decoder draws its goldens' pixels: shapes-vq's checkpoint in the cache (recover vq first).
        extras = {"layout": {k: config["vocabulary"][k] for k in ("words", "codes", "cells")}, "vq": checkpoint.default_path("vq")}
    spec_version = config.get("shapesworld", {}).get("spec_version")  # shapes-cm3's config does not state it
    return {"vocabulary": vocabulary, "specVersion": spec_version}, extras


def recover(name, folder, out, golden_inputs):
    spec = family(name)
    training = json.load(open(os.path.join(folder, "training.json")))
    report = {k: v for k, v in training.items() if k != "config"}
    meta, extras = shipped_meta(name, folder)
    model = spec.Model(spec.Config(**training["config"]))
    generator = torch.Generator().manual_seed(0)
    # The weights, and the float buffers a graph holds (shapes-vq's codebook, which follows the features by
    # moving averages rather than gradients); buffers no graph holds are the model's to rebuild (rebuild_buffers).
    weights = dict(model.named_parameters())
    in_graphs = getattr(model, "graph_buffers", ())
    weights.update({n: b for n, b in model.named_buffers() if n in in_graphs})
    with torch.no_grad():
        for p in weights.values():
            p.copy_(torch.randn(p.shape, generator=generator))
    model.eval()
    fresh = {n: p.detach().numpy().copy() for n, p in weights.items()}
    forms = {}
    for n, value in fresh.items():
        forms.update(stored_forms(n, value))
    recovered, problems = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for graph_name, graph in spec.Export(model, meta, report, extras).graphs().items():
            path = os.path.join(tmp, f"{graph_name}.onnx")
            export_graph(graph, path)
            shipped = initializers(os.path.join(folder, "onnx", f"{graph_name}.onnx"))
            for init_name, value in initializers(path).items():
                source = forms.get(key(value))
                if init_name not in shipped:
                    problems.append(f"{graph_name}: {init_name} is not in the shipped graph")
                elif source is None:
                    if not np.array_equal(value, shipped[init_name]):
                        problems.append(f"{graph_name}: {init_name} {list(value.shape)} comes from no single weight and differs from the shipped graph's")
                else:
                    weight, form = source
                    if form == "squared":
                        continue
                    trained = unstore(shipped[init_name], form)
                    if weight in recovered and not np.array_equal(recovered[weight], trained):
                        problems.append(f"{graph_name}: {weight} differs between graphs")
                    recovered[weight] = trained
    config = json.load(open(os.path.join(folder, "config.json")))
    for n in sorted(set(fresh) - set(recovered)):
        if n == "logit_scale" and "logit_scale" in config:
            # Used in training only (MaskVLM's ITC), so in no graph; config.json states it to 6 decimals.
            recovered[n] = float32_log(np.float32(config["logit_scale"]))
            print(f"{n}: in no graph; from config.json's {config['logit_scale']}", flush=True)
        elif n in getattr(model, "unused_weights", {}):
            recovered[n] = unused_weight(n, model.unused_weights[n], report, recovered, fresh[n])
        else:
            problems.append(f"{n} is in no graph")
    if problems:
        raise SystemExit("cannot recover shapes-" + name + ":\n  " + "\n  ".join(problems))
    model.load_state_dict({**model.state_dict(), **{n: torch.from_numpy(np.array(v, dtype=np.float32)) for n, v in recovered.items()}})
    if hasattr(model, "rebuild_buffers"):
        model.rebuild_buffers()
    checkpoint.save(out, name, model, meta, report, extras)
    verify(name, out, folder, golden_inputs)


def unused_weight(name, backbone, report, recovered, fresh):
    """A weight the model never reads (so in no graph; shapes-smolvlm's copy of shapes-clip's projection):
    the backbone checkpoint's value (report["backbones"] names it, in the cache) when every weight of that
    backbone the graphs hold equals the checkpoint's, which makes it the very backbone the model was built
    from; zeros otherwise. Either way the model computes the same, and the re-export checks it."""
    path = os.path.join(os.path.dirname(checkpoint.default_path(backbone)), (report.get("backbones") or {}).get(backbone, ""))
    prefix = backbone + "."
    if os.path.isfile(path):
        state = torch.load(path)["state"]
        ours = {n: v for n, v in recovered.items() if n.startswith(prefix)}
        if name in state and state[name].shape == fresh.shape and ours and all(
                n in state and np.array_equal(state[n].numpy(), np.asarray(v, dtype=np.float32)) for n, v in ours.items()):
            print(f"{name}: in no graph (never read); from {path}, whose other {len(ours)} {backbone} weights the graphs hold", flush=True)
            return state[name].numpy()
    print(f"{name}: in no graph (never read); zeros ({path} is missing or another {backbone})", flush=True)
    return np.zeros_like(fresh)


def flat_numbers(value, out):
    if isinstance(value, dict):
        for v in value.values():
            flat_numbers(v, out)
    elif isinstance(value, list):
        for v in value:
            flat_numbers(v, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.append(float(value))
    return out


def verify(name, path, folder, golden_inputs):
    """Exports the checkpoint again and compares it with the shipped folder."""
    spec = family(name)
    _, model, saved = checkpoint.load(path, name)
    shipped_goldens = json.load(open(os.path.join(folder, "goldens.json")))
    with tempfile.TemporaryDirectory() as tmp:
        export_folder(spec.Export(model, saved["meta"], saved["report"], saved["extras"]), golden_inputs, tmp)
        ours = flat_numbers(json.load(open(os.path.join(tmp, "goldens.json"))), [])
        theirs = flat_numbers(shipped_goldens, [])
        if len(ours) != len(theirs):
            raise SystemExit(f"goldens differ in size: {len(ours)} numbers, shipped {len(theirs)}")
        worst = max(abs(a - b) for a, b in zip(ours, theirs))
        same = [f for f in sorted(os.listdir(os.path.join(tmp, "onnx")))
                if open(os.path.join(tmp, "onnx", f), "rb").read() == open(os.path.join(folder, "onnx", f), "rb").read()]
        total = len(os.listdir(os.path.join(tmp, "onnx")))
        print(f"shapes-{name} from the recovered checkpoint: ONNX files identical: {len(same)} of {total} "
              f"({', '.join(same)}); goldens: {len(ours)} numbers, largest difference {worst:.3g}", flush=True)
        if worst > GOLDEN_TOLERANCE:
            # Same weights (the graphs hold them, byte for byte) but other sums: the shipped goldens
            # were computed with other float kernels (another CPU's BLAS) than this machine's.
            print(f"  goldens over {GOLDEN_TOLERANCE:g} apart, from the same weights: the difference is in the arithmetic "
                  f"(the shipped goldens were computed with other float kernels), not in the weights", flush=True)
        if len(same) != total:
            raise SystemExit(f"the recovered checkpoint of shapes-{name} does not reproduce the shipped model")
