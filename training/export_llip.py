"""Exports a trained TinyLlip in a hub-like folder with its own model type, `shapes_llip`:

  config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json (the tokenizer and
  image processor files are those of shapes-clip, so transformers.js AutoTokenizer and
  AutoProcessor load them), and three graphs run with onnxruntime:

  onnx/vision_model.onnx  pixel_values [batch, 3, S, S] -> mixture_tokens [batch, K, D] (not normalised),
                          last_hidden_state [batch, K+P, W], vision_attentions [batch, layers, heads, K+P, K+P]
  onnx/text_model.onnx    input_ids, attention_mask [T, L] -> text_embeds [T, D] (not normalised),
                          last_hidden_state [T, L, W], text_attentions [T, layers, heads, L, L]
  onnx/head_model.onnx    mixture_tokens [batch, K, D], text_embeds [T, D] -> mixture_weights [batch, T, H, K],
                          image_embeds [batch, T, D] (contextual, not normalised), logits_per_image [batch, T],
                          logit_scale (scalar, exponentiated)

  goldens.json (PyTorch outputs for the fixed golden inputs), training.json (the run's report).
"""
import json
import os

import onnx
import torch
from torch import nn

from tiny_llip import TinyLlip
from export_clip import OPSET, hub_config, preprocessor_config, rounded, tokenizer_config, tokenizer_json, write_json


class VisionTower(nn.Module):
    def __init__(self, model: TinyLlip):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.vision(pixel_values)


class TextTower(nn.Module):
    def __init__(self, model: TinyLlip):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model.text(input_ids, attention_mask)


class Head(nn.Module):
    def __init__(self, model: TinyLlip):
        super().__init__()
        self.model = model

    def forward(self, mixture_tokens, text_embeds):
        weights, image_embeds, logits = self.model.head(mixture_tokens, text_embeds)
        return weights, image_embeds, logits, self.model.logit_scale.exp()


def llip_config(model: TinyLlip, meta):
    """The CLIP config's tower sections, under Llip's own model type and fields."""
    c = model.config
    clip = hub_config(model, meta)
    vision = {**clip["vision_config"], "model_type": "shapes_llip_vision_model", "num_mixture_tokens": c.mixture_tokens}
    text = {**clip["text_config"], "model_type": "shapes_llip_text_model"}
    return {
        "architectures": ["ShapesLlipModel"],
        "model_type": "shapes_llip",
        "num_mixture_tokens": c.mixture_tokens,
        "cross_attention_heads": c.cross_heads,
        "cross_attention_temperature": c.cross_temperature,
        "projection_dim": c.embed_dim,
        "image_size": c.image_size,
        "patch_size": c.patch_size,
        "logit_scale_init_value": c.logit_scale_init,
        "vision_config": vision,
        "text_config": text,
        "shapesworld": clip["shapesworld"],
    }


def export_onnx(model: TinyLlip, out):
    folder = os.path.join(out, "onnx")
    os.makedirs(folder, exist_ok=True)
    c = model.config
    # Example sizes differ from every size the goldens use, so the parity test exercises the dynamic axes.
    ids = torch.tensor([[2, 5, 6, 3], [2, 5, 3, 0], [2, 7, 3, 0]])
    mask = (ids != 0).long()
    pixels = torch.zeros(2, 3, c.image_size, c.image_size)
    mixture = torch.randn(2, c.mixture_tokens, c.embed_dim)
    text_embeds = torch.randn(3, c.embed_dim)
    graphs = {
        "vision_model": (VisionTower(model), (pixels,), ["pixel_values"], ["mixture_tokens", "last_hidden_state", "vision_attentions"],
                         {"pixel_values": {0: "batch"}, "mixture_tokens": {0: "batch"}, "last_hidden_state": {0: "batch"},
                          "vision_attentions": {0: "batch"}}),
        "text_model": (TextTower(model), (ids, mask), ["input_ids", "attention_mask"], ["text_embeds", "last_hidden_state", "text_attentions"],
                       {"input_ids": {0: "texts", 1: "sequence"}, "attention_mask": {0: "texts", 1: "sequence"}, "text_embeds": {0: "texts"},
                        "last_hidden_state": {0: "texts", 1: "sequence"}, "text_attentions": {0: "texts", 3: "sequence", 4: "sequence"}}),
        "head_model": (Head(model), (mixture, text_embeds), ["mixture_tokens", "text_embeds"],
                       ["mixture_weights", "image_embeds", "logits_per_image", "logit_scale"],
                       {"mixture_tokens": {0: "batch"}, "text_embeds": {0: "texts"}, "mixture_weights": {0: "batch", 1: "texts"},
                        "image_embeds": {0: "batch", 1: "texts"}, "logits_per_image": {0: "batch", 1: "texts"}}),
    }
    for name, (module, args, inputs, outputs, axes) in graphs.items():
        path = os.path.join(folder, f"{name}.onnx")
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=inputs, output_names=outputs, dynamic_axes=axes)
        onnx.checker.check_model(onnx.load(path), full_check=True)


@torch.no_grad()
def goldens(model: TinyLlip, inputs):
    """PyTorch outputs of the three graphs for the fixed inputs of write-golden-inputs.ts (the
    inputs of shapes-clip's goldens)."""
    model.eval()
    size = inputs["imageSize"]
    images = torch.tensor([img["pixels"] for img in inputs["images"]], dtype=torch.float32).reshape(-1, size, size, 3)
    pixel_values = (images.permute(0, 3, 1, 2) / 255.0 - 0.5) / 0.5
    lengths = [len(c["ids"]) for c in inputs["captions"]]
    width = max(lengths)
    input_ids = torch.tensor([c["ids"] + [0] * (width - len(c["ids"])) for c in inputs["captions"]])
    attention_mask = (torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]).long()
    mixture_tokens, vision_hidden, vision_attentions = model.vision(pixel_values)
    text_embeds, text_hidden, text_attentions = model.text(input_ids, attention_mask)
    mixture_weights, image_embeds, logits_per_image = model.head(mixture_tokens, text_embeds)

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
            "mixture_tokens": tensor(mixture_tokens), "vision_last_hidden_state": tensor(vision_hidden),
            # Image 0 only: all eight would make the file several megabytes.
            "vision_attentions_image0": tensor(vision_attentions[:1]),
            "text_embeds": tensor(text_embeds), "text_last_hidden_state": tensor(text_hidden),
            "text_attentions": tensor(text_attentions),
            "mixture_weights": tensor(mixture_weights), "image_embeds": tensor(image_embeds),
            "logits_per_image": tensor(logits_per_image),
            "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
        },
    }


def export_all(model: TinyLlip, meta, golden_inputs, out, report):
    model.eval()
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "config.json"), llip_config(model, meta))
    write_json(os.path.join(out, "preprocessor_config.json"), preprocessor_config(model.config.image_size))
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(meta["vocabulary"]))
    write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config(model.config.max_text_tokens))
    export_onnx(model, out)
    with open(os.path.join(out, "goldens.json"), "w") as f:
        json.dump(goldens(model, golden_inputs), f, separators=(",", ":"))
    write_json(os.path.join(out, "training.json"), {"config": model.config.as_dict(), **report})
    print(f"exported to {out}", flush=True)


def main():
    """Re-exports weights saved by train_llip.py --save, without training again."""
    import argparse
    from tiny_llip import TinyLlipConfig
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", required=True)
    parser.add_argument("--data", default="training/data")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json")
    parser.add_argument("--out", default="static/models/shapes-llip")
    args = parser.parse_args()
    saved = torch.load(args.weights)
    model = TinyLlip(TinyLlipConfig(**saved["config"]))
    model.load_state_dict(saved["state"])
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    export_all(model, meta, json.load(open(args.golden_inputs)), args.out, saved["report"])


if __name__ == "__main__":
    main()
