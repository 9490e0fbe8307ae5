"""Exports a trained TinySiglip in the Hugging Face hub's SigLIP folder layout, so transformers.js
loads it with AutoTokenizer / AutoProcessor / SiglipTextModel / SiglipVisionModel / SiglipModel
as it loads Xenova/siglip-base-patch16-224:

  config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json,
  onnx/text_model.onnx, onnx/vision_model.onnx, onnx/model.onnx,
  goldens.json (PyTorch outputs for fixed inputs), training.json (the run's report).

Beyond the hub's outputs, the towers return attention probabilities (`text_attentions`,
`vision_attentions`, the MAP head's `pooling_attentions`) and the text tower returns the learned
`logit_scale` (already exponentiated) and `logit_bias`.
"""
import json
import os

import torch
from torch import nn

import siglip_tokenizer as tok
from export_clip import rounded, write_json
from tiny_siglip import TinySiglip

OPSET = 14


class TextTower(nn.Module):
    def __init__(self, model: TinySiglip):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        pooled, hidden, attentions = self.model.text(input_ids)
        # clone(): a bare parameter (or one times 1.0, folded away) would leave an unnamed output.
        return pooled, hidden, attentions, self.model.logit_scale.exp(), self.model.logit_bias.clone()


class VisionTower(nn.Module):
    def __init__(self, model: TinySiglip):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.vision(pixel_values)


def hub_config(model: TinySiglip, meta):
    """transformers.js reads model_type (model classes; the zero-shot pipeline's max_length
    padding and sigmoid) and the sub-configs' model types; the rest documents the model as
    transformers' SiglipConfig would."""
    c = model.config
    return {
        "architectures": ["SiglipModel"],
        "model_type": "siglip",
        "initializer_factor": 1.0,
        "text_config": {
            "model_type": "siglip_text_model", "vocab_size": c.vocab_size, "hidden_size": c.text_width,
            "intermediate_size": c.text_width * c.mlp_ratio, "num_hidden_layers": c.text_layers,
            "num_attention_heads": c.text_heads, "max_position_embeddings": c.max_text_tokens,
            "hidden_act": "gelu", "layer_norm_eps": 1e-5, "projection_size": c.text_width,
            "pad_token_id": c.pad_id, "eos_token_id": c.eos_id,
        },
        "vision_config": {
            "model_type": "siglip_vision_model", "image_size": c.image_size, "patch_size": c.patch_size,
            "num_channels": 3, "hidden_size": c.vision_width, "intermediate_size": c.vision_width * c.mlp_ratio,
            "num_hidden_layers": c.vision_layers, "num_attention_heads": c.vision_heads,
            "hidden_act": "gelu", "layer_norm_eps": 1e-5, "vision_use_head": True,
        },
        "shapesworld": {"spec_version": meta["specVersion"], "vocabulary_size": c.vocab_size},
    }


def preprocessor_config(size):
    """SiglipImageProcessor: squash-resize to size x size (bilinear, no crop), rescale, normalise."""
    return {
        "image_processor_type": "SiglipImageProcessor", "processor_class": "SiglipProcessor",
        "do_resize": True, "size": {"height": size, "width": size}, "resample": 2,
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_convert_rgb": True,
    }


def export_onnx(model: TinySiglip, out):
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    c = model.config
    ids = torch.tensor([[3, 4, 5, 1] + [1] * (c.max_text_tokens - 4)] * 2)
    pixels = torch.zeros(2, 3, c.image_size, c.image_size)
    seq = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        TextTower(model), (ids,), os.path.join(out, "onnx", "text_model.onnx"), opset_version=OPSET,
        input_names=["input_ids"],
        output_names=["pooler_output", "last_hidden_state", "text_attentions", "logit_scale", "logit_bias"],
        dynamic_axes={"input_ids": seq, "pooler_output": {0: "batch"}, "last_hidden_state": seq,
                      "text_attentions": {0: "batch", 3: "sequence", 4: "sequence"}},
    )
    torch.onnx.export(
        VisionTower(model), (pixels,), os.path.join(out, "onnx", "vision_model.onnx"), opset_version=OPSET,
        input_names=["pixel_values"],
        output_names=["pooler_output", "last_hidden_state", "vision_attentions", "pooling_attentions"],
        dynamic_axes={"pixel_values": {0: "batch"}, "pooler_output": {0: "batch"}, "last_hidden_state": {0: "batch"},
                      "vision_attentions": {0: "batch"}, "pooling_attentions": {0: "batch"}},
    )
    torch.onnx.export(
        model, (ids, pixels), os.path.join(out, "onnx", "model.onnx"), opset_version=OPSET,
        input_names=["input_ids", "pixel_values"],
        output_names=["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
        dynamic_axes={"input_ids": {0: "texts", 1: "sequence"}, "pixel_values": {0: "images"},
                      "logits_per_image": {0: "images", 1: "texts"}, "logits_per_text": {0: "texts", 1: "images"},
                      "text_embeds": {0: "texts"}, "image_embeds": {0: "images"}},
    )


@torch.no_grad()
def goldens(model: TinySiglip, inputs, vocab_pieces):
    """PyTorch outputs for the fixed inputs written by write-golden-inputs.ts, the captions
    re-tokenized by this model's tokenizer (padded to max length, as SigLIP is always fed)."""
    model.eval()
    size = inputs["imageSize"]
    images = torch.tensor([img["pixels"] for img in inputs["images"]], dtype=torch.float32).reshape(-1, size, size, 3)
    pixel_values = (images.permute(0, 3, 1, 2) / 255.0 - 0.5) / 0.5
    captions = [c["text"] for c in inputs["captions"]]
    input_ids = tok.encode(captions, vocab_pieces, model.config.max_text_tokens)
    text_pooled, _, text_attentions = model.text(input_ids)
    image_pooled, _, vision_attentions, pooling_attentions = model.vision(pixel_values)
    logits_per_image, _, text_embeds, image_embeds = model(input_ids, pixel_values)
    similarity = image_embeds @ text_embeds.t()

    def tensor(t):
        return {"dims": list(t.shape), "data": rounded(t)}

    return {
        "inputs": {
            "seeds": [img["seed"] for img in inputs["images"]], "captions": captions,
            "input_ids": tensor(input_ids), "pixel_values": tensor(pixel_values),
        },
        "outputs": {
            "text_pooler_output": tensor(text_pooled), "image_pooler_output": tensor(image_pooled),
            "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
            "logit_bias": float(f"{model.logit_bias.item():.7g}"),
            "similarity": tensor(similarity), "logits_per_image": tensor(logits_per_image),
            "probabilities": tensor(torch.sigmoid(logits_per_image)),
            "text_attentions": tensor(text_attentions),
            # Image 0 only: all eight would make the file several megabytes.
            "vision_attentions_image0": tensor(vision_attentions[:1]),
            "pooling_attentions": tensor(pooling_attentions),
        },
    }


def export_all(model: TinySiglip, meta, golden_inputs, out, report, scores):
    model.eval()
    os.makedirs(out, exist_ok=True)
    vocab_pieces = tok.pieces(meta["vocabulary"])
    assert len(vocab_pieces) == model.config.vocab_size
    write_json(os.path.join(out, "config.json"), hub_config(model, meta))
    write_json(os.path.join(out, "preprocessor_config.json"), preprocessor_config(model.config.image_size))
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tok.tokenizer_json(vocab_pieces, scores), f, indent=1, ensure_ascii=False)
        f.write("\n")
    write_json(os.path.join(out, "tokenizer_config.json"), tok.tokenizer_config(model.config.max_text_tokens))
    export_onnx(model, out)
    with open(os.path.join(out, "goldens.json"), "w") as f:
        json.dump(goldens(model, golden_inputs, vocab_pieces), f, separators=(",", ":"), ensure_ascii=False)
    write_json(os.path.join(out, "training.json"), {"config": model.config.as_dict(), **report})
    print(f"exported to {out}", flush=True)
