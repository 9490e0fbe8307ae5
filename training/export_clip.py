"""Exports a trained TinyClip in the Hugging Face hub's CLIP folder layout, so transformers.js
loads it with the same code as a hub CLIP:

  config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json,
  onnx/text_model.onnx, onnx/vision_model.onnx, onnx/model.onnx,
  onnx/text_model_quantized.onnx, onnx/vision_model_quantized.onnx (8-bit weights: quantize_q8.py),
  goldens.json (PyTorch outputs for fixed inputs), training.json (the run's report).

Beyond the hub's outputs, the towers return every layer's attention probabilities
(`text_attentions` [batch, layers, heads, T, T], `vision_attentions` [batch, layers, heads, 1+P, 1+P])
and the text tower returns the learned `logit_scale` (already exponentiated).
"""
import json
import os

import torch
from torch import nn

from tiny_clip import TinyClip
from quantize_q8 import quantize_file

OPSET = 14


class TextTower(nn.Module):
    def __init__(self, model: TinyClip):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        embeds, hidden, attentions = self.model.text(input_ids, attention_mask)
        return embeds, hidden, attentions, self.model.logit_scale.exp()


class VisionTower(nn.Module):
    def __init__(self, model: TinyClip):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.vision(pixel_values)


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")


def hub_config(model: TinyClip, meta):
    c = model.config
    return {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": c.embed_dim,
        "logit_scale_init_value": c.logit_scale_init,
        "text_config": {
            "model_type": "clip_text_model", "vocab_size": c.vocab_size, "hidden_size": c.text_width,
            "intermediate_size": c.text_width * c.mlp_ratio, "num_hidden_layers": c.text_layers,
            "num_attention_heads": c.text_heads, "max_position_embeddings": c.max_text_tokens,
            "hidden_act": "gelu", "projection_dim": c.embed_dim,
            "pad_token_id": c.pad_id, "bos_token_id": c.bos_id, "eos_token_id": c.eos_id,
        },
        "vision_config": {
            "model_type": "clip_vision_model", "image_size": c.image_size, "patch_size": c.patch_size,
            "num_channels": 3, "hidden_size": c.vision_width, "intermediate_size": c.vision_width * c.mlp_ratio,
            "num_hidden_layers": c.vision_layers, "num_attention_heads": c.vision_heads,
            "hidden_act": "gelu", "projection_dim": c.embed_dim,
        },
        "shapesworld": {"spec_version": meta["specVersion"], "vocabulary_size": len(meta["vocabulary"])},
    }


def preprocessor_config(size):
    return {
        "image_processor_type": "CLIPImageProcessor", "feature_extractor_type": "CLIPFeatureExtractor",
        "do_resize": True, "size": {"shortest_edge": size}, "resample": 3,
        "do_center_crop": True, "crop_size": {"height": size, "width": size},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_convert_rgb": True,
    }


def tokenizer_json(vocabulary):
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


def export_onnx(model: TinyClip, out):
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    c = model.config
    ids = torch.tensor([[2, 5, 6, 3], [2, 5, 3, 0]])
    mask = (ids != 0).long()
    pixels = torch.zeros(2, 3, c.image_size, c.image_size)
    seq = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        TextTower(model), (ids, mask), os.path.join(out, "onnx", "text_model.onnx"), opset_version=OPSET,
        input_names=["input_ids", "attention_mask"],
        output_names=["text_embeds", "last_hidden_state", "text_attentions", "logit_scale"],
        dynamic_axes={"input_ids": seq, "attention_mask": seq, "text_embeds": {0: "batch"}, "last_hidden_state": seq,
                      "text_attentions": {0: "batch", 3: "sequence", 4: "sequence"}},
    )
    torch.onnx.export(
        VisionTower(model), (pixels,), os.path.join(out, "onnx", "vision_model.onnx"), opset_version=OPSET,
        input_names=["pixel_values"], output_names=["image_embeds", "last_hidden_state", "vision_attentions"],
        dynamic_axes={"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}, "last_hidden_state": {0: "batch"},
                      "vision_attentions": {0: "batch"}},
    )
    torch.onnx.export(
        model, (ids, pixels, mask), os.path.join(out, "onnx", "model.onnx"), opset_version=OPSET,
        input_names=["input_ids", "pixel_values", "attention_mask"],
        output_names=["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
        dynamic_axes={"input_ids": {0: "texts", 1: "sequence"}, "attention_mask": {0: "texts", 1: "sequence"},
                      "pixel_values": {0: "images"}, "logits_per_image": {0: "images", 1: "texts"},
                      "logits_per_text": {0: "texts", 1: "images"}, "text_embeds": {0: "texts"}, "image_embeds": {0: "images"}},
    )


def rounded(tensor, digits=7):
    return [float(f"{v:.{digits}g}") for v in tensor.flatten().tolist()]


@torch.no_grad()
def goldens(model: TinyClip, inputs):
    """PyTorch outputs for the fixed inputs written by write-golden-inputs.ts."""
    model.eval()
    size = inputs["imageSize"]
    images = torch.tensor([img["pixels"] for img in inputs["images"]], dtype=torch.float32).reshape(-1, size, size, 3)
    pixel_values = (images.permute(0, 3, 1, 2) / 255.0 - 0.5) / 0.5
    lengths = [len(c["ids"]) for c in inputs["captions"]]
    width = max(lengths)
    input_ids = torch.tensor([c["ids"] + [0] * (width - len(c["ids"])) for c in inputs["captions"]])
    attention_mask = (torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]).long()
    text_embeds, _, text_attentions = model.text(input_ids, attention_mask)
    image_embeds, _, vision_attentions = model.vision(pixel_values)
    logits_per_image = model(input_ids, pixel_values, attention_mask)[0]
    similarity = nn.functional.normalize(image_embeds, dim=-1) @ nn.functional.normalize(text_embeds, dim=-1).t()

    def tensor(t):
        return {"dims": list(t.shape), "data": rounded(t)}

    return {
        "inputs": {
            "seeds": [img["seed"] for img in inputs["images"]],
            "captions": [c["text"] for c in inputs["captions"]],
            "input_ids": tensor(input_ids), "attention_mask": tensor(attention_mask),
            "pixel_values": tensor(pixel_values),
        },
        "outputs": {
            "text_embeds": tensor(text_embeds), "image_embeds": tensor(image_embeds),
            "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
            "similarity": tensor(similarity), "logits_per_image": tensor(logits_per_image),
            "text_attentions": tensor(text_attentions),
            # Image 0 only: all eight would make the file several megabytes.
            "vision_attentions_image0": tensor(vision_attentions[:1]),
        },
    }


def export_all(model: TinyClip, meta, golden_inputs, out, report):
    model.eval()
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "config.json"), hub_config(model, meta))
    write_json(os.path.join(out, "preprocessor_config.json"), preprocessor_config(model.config.image_size))
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(meta["vocabulary"]))
    write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config(model.config.max_text_tokens))
    export_onnx(model, out)
    for tower in ("text_model", "vision_model"):
        quantize_file(os.path.join(out, "onnx", f"{tower}.onnx"))
    with open(os.path.join(out, "goldens.json"), "w") as f:
        json.dump(goldens(model, golden_inputs), f, separators=(",", ":"))
    write_json(os.path.join(out, "training.json"), {"config": model.config.as_dict(), **report})
    print(f"exported to {out}", flush=True)
