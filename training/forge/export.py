"""The one export step: a trained model -> a folder in the Hugging Face hub's layout.

  config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json
  onnx/<graph>.onnx            one per graph the family names, with named inputs and outputs
                               (attention probabilities included), checked by onnx
  onnx/<graph>_quantized.onnx  8-bit weights (quantize.py), for the graphs the family lists
  goldens.json                 PyTorch's outputs for the fixed inputs of write-golden-inputs.ts
  training.json                the model's config and the training run's report

A family subclasses Export with its config, its graphs and its goldens; the tokenizer and image
processor default to the ShapesWorld word-level tokenizer and CLIP's image processor, which
transformers.js's AutoTokenizer and AutoProcessor load.
"""
import json
import os
from dataclasses import dataclass

import onnx
import torch
from torch import nn

from forge.quantize import quantize_file

OPSET = 14


@dataclass
class Graph:
    module: nn.Module  # called with args; its outputs are named `outputs`, in order
    args: tuple  # example inputs; sizes that differ from the goldens' exercise the dynamic axes
    inputs: list
    outputs: list
    axes: dict  # dynamic axes by input or output name


class Call(nn.Module):
    """A graph over part of a model: forward(*inputs) returns fn(model, *inputs). The model is the
    child `model`, so the graph's weights are named model.<parameter name>."""

    def __init__(self, model, fn):
        super().__init__()
        self.model, self.fn = model, fn

    def forward(self, *inputs):
        return self.fn(self.model, *inputs)


class Export:
    quantized = ()  # graphs that also get an 8-bit copy

    def __init__(self, model, meta, report, extras=None):
        """meta: the dataset's vocabulary and specVersion; report: the training run's report;
        extras: what the family's training kept beside the weights (Training.extras)."""
        self.model, self.meta, self.report, self.extras = model, meta, report, extras or {}

    def config(self) -> dict:
        raise NotImplementedError

    def files(self) -> dict:
        """The hub files beside the graphs, by file name."""
        c = self.model.config
        return {
            "config.json": self.config(), "preprocessor_config.json": preprocessor_config(c.image_size),
            "tokenizer.json": tokenizer_json(self.meta["vocabulary"]), "tokenizer_config.json": tokenizer_config(c.max_text_tokens),
        }

    def graphs(self) -> dict:
        """Graph name -> Graph."""
        raise NotImplementedError

    def after_graph(self, name, path):
        """Called once each graph is written, before it is checked."""

    def goldens(self, inputs) -> dict:
        raise NotImplementedError

    def extend(self, out):
        """Called once the graphs and goldens.json are written: where a family adds a graph that
        it exports its own way (and its goldens to goldens.json)."""

    def summary(self, goldens):
        """A line to print once the folder is written."""
        return ""


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1, ensure_ascii=False)
        f.write("\n")


def rounded(tensor, digits=7):
    return [float(f"{v:.{digits}g}") for v in tensor.flatten().tolist()]


def golden(tensor):
    """A tensor as goldens.json holds it: dims and values to 7 significant digits."""
    return {"dims": list(tensor.shape), "data": rounded(tensor)}


def golden_inputs(inputs, **tensors):
    """goldens.json's "inputs": the golden scenes' seeds and captions (write-golden-inputs.ts) and
    the tensors the graphs were fed, in the order given."""
    return {"seeds": [img["seed"] for img in inputs["images"]], "captions": [c["text"] for c in inputs["captions"]],
            **{name: golden(t) for name, t in tensors.items()}}


def export_graph(graph: Graph, path):
    torch.onnx.export(graph.module, graph.args, path, opset_version=OPSET, input_names=graph.inputs,
                      output_names=graph.outputs, dynamic_axes=graph.axes)


def export_folder(export: Export, golden_inputs, out):
    model = export.model
    model.eval()
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    for name, value in export.files().items():
        write_json(os.path.join(out, name), value)
    for name, graph in export.graphs().items():
        path = os.path.join(out, "onnx", f"{name}.onnx")
        export_graph(graph, path)
        export.after_graph(name, path)
        onnx.checker.check_model(onnx.load(path), full_check=True)
        if name in export.quantized:
            quantize_file(path)
    with torch.no_grad():
        goldens = export.goldens(golden_inputs)
    with open(os.path.join(out, "goldens.json"), "w") as f:
        json.dump(goldens, f, separators=(",", ":"), ensure_ascii=False)
    export.extend(out)
    write_json(os.path.join(out, "training.json"), {"config": model.config.as_dict(), **export.report})
    summary = export.summary(goldens)
    if summary:
        print(summary, flush=True)
    print(f"exported to {out}", flush=True)


def preprocessor_config(size):
    """CLIPImageProcessor: resize the shortest edge to size, centre-crop, rescale, normalise (0.5, 0.5)."""
    return {
        "image_processor_type": "CLIPImageProcessor", "feature_extractor_type": "CLIPFeatureExtractor",
        "do_resize": True, "size": {"shortest_edge": size}, "resample": 3,
        "do_center_crop": True, "crop_size": {"height": size, "width": size},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_convert_rgb": True,
    }


def tokenizer_json(vocabulary):
    """The ShapesWorld vocabulary as a WordPiece model of whole words: one id per word, as
    write-dataset.ts tokenizes ([BOS] words [EOS])."""
    special = vocabulary[:4]
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for i, t in enumerate(special)
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": False, "strip_accents": True, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}}],
            "special_tokens": {
                "[BOS]": {"id": "[BOS]", "ids": [2], "tokens": ["[BOS]"]},
                "[EOS]": {"id": "[EOS]", "ids": [3], "tokens": ["[EOS]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": {w: i for i, w in enumerate(vocabulary)},
        },
    }


def tokenizer_config(max_tokens):
    return {
        "tokenizer_class": "CLIPTokenizer", "model_max_length": max_tokens,
        "pad_token": "[PAD]", "unk_token": "[UNK]", "bos_token": "[BOS]", "eos_token": "[EOS]",
        "do_lower_case": True, "clean_up_tokenization_spaces": True,
    }
