"""Exports a trained TinyCoca in a hub-like folder with its own model type ("shapes_coca"): the
tokenizer, image processor and JSON writers are shapes-clip's, so transformers.js's
AutoTokenizer / AutoProcessor load them; the three graphs run on onnxruntime.

  config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json,
  onnx/vision_model.onnx   pixel_values [B, 3, 32, 32] -> image_tokens [B, 64, W],
                           image_embeds [B, D] (contrastive, not normalised),
                           vision_attentions [B, vision layers, heads, 64, 64] (no class token)
  onnx/text_model.onnx     input_ids, attention_mask int64 [B, L] -> text_embeds [B, D]
                           (the unimodal layers' class token, not normalised), logit_scale (exp'd)
  onnx/decoder_model.onnx  input_ids, attention_mask int64 [B, L], image_tokens [B, 64, W] ->
                           logits [B, L, V] (next-token logits at every position),
                           cross_attentions [B, multimodal layers, heads, L, 64],
                           self_attentions [B, unimodal + multimodal layers, heads, L, L]
  goldens.json             PyTorch outputs for the fixed inputs, and greedy captions
  training.json            the run's config, report and history

Re-export saved weights without training again:
  python3 training/export_coca.py --weights /tmp/coca.pt --out static/models/shapes-coca
"""
import json
import os

import onnx
import torch
from torch import nn

from tiny_coca import TinyCoca
from export_clip import preprocessor_config, rounded, tokenizer_config, tokenizer_json, write_json

OPSET = 14


class VisionGraph(nn.Module):
    def __init__(self, model: TinyCoca):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        embeds, tokens, attentions = self.model.vision(pixel_values)
        return tokens, embeds, attentions


class TextGraph(nn.Module):
    def __init__(self, model: TinyCoca):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model.decoder.contrastive(input_ids, attention_mask)[0], self.model.logit_scale.exp()


class DecoderGraph(nn.Module):
    def __init__(self, model: TinyCoca):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, image_tokens):
        return self.model.decoder(input_ids, attention_mask, image_tokens)


def coca_config(model: TinyCoca, meta, report):
    c = model.config
    patches = (c.image_size // c.patch_size) ** 2
    return {
        "architectures": ["ShapesCocaModel"],
        "model_type": "shapes_coca",
        "image_size": c.image_size,
        "patch_size": c.patch_size,
        "projection_dim": c.embed_dim,
        "logit_scale_init_value": c.logit_scale_init,
        "caption_loss_weight": report.get("caption_weight"),
        "contrastive_loss_weight": report.get("contrastive_weight"),
        "vision_config": {
            "model_type": "shapes_coca_vision_model", "image_size": c.image_size, "patch_size": c.patch_size,
            "num_channels": 3, "num_patches": patches, "class_token": False, "pooler": "attentional (1 learned query)",
            "hidden_size": c.vision_width, "intermediate_size": c.vision_width * c.mlp_ratio,
            "num_hidden_layers": c.vision_layers, "num_attention_heads": c.vision_heads,
            "hidden_act": "gelu", "projection_dim": c.embed_dim,
        },
        "text_config": {
            "model_type": "shapes_coca_text_decoder", "vocab_size": c.vocab_size, "hidden_size": c.text_width,
            "intermediate_size": c.text_width * c.mlp_ratio, "num_attention_heads": c.text_heads,
            "unimodal_layers": c.unimodal_layers, "multimodal_layers": c.multimodal_layers,
            "max_position_embeddings": c.max_text_tokens, "max_length": c.max_text_tokens,
            "hidden_act": "gelu", "projection_dim": c.embed_dim, "class_token": "appended after the caption",
            "pad_token_id": c.pad_id, "bos_token_id": c.bos_id, "eos_token_id": c.eos_id,
        },
        "shapesworld": {"spec_version": meta["specVersion"], "vocabulary_size": len(meta["vocabulary"])},
    }


def export_onnx(model: TinyCoca, out):
    folder = os.path.join(out, "onnx")
    os.makedirs(folder, exist_ok=True)
    c = model.config
    patches = (c.image_size // c.patch_size) ** 2
    # Example sizes differ from the goldens' sizes, so the parity test exercises the dynamic axes.
    ids = torch.tensor([[2, 5, 6, 3], [2, 5, 3, 0], [2, 7, 3, 0]])
    mask = (ids != 0).long()
    pixels = torch.zeros(3, 3, c.image_size, c.image_size)
    image_tokens = torch.randn(3, patches, c.vision_width)
    seq = {0: "batch", 1: "sequence"}
    graphs = {
        "vision_model": (VisionGraph(model), (pixels,), ["pixel_values"], ["image_tokens", "image_embeds", "vision_attentions"],
                         {"pixel_values": {0: "batch"}, "image_tokens": {0: "batch"}, "image_embeds": {0: "batch"},
                          "vision_attentions": {0: "batch"}}),
        "text_model": (TextGraph(model), (ids, mask), ["input_ids", "attention_mask"], ["text_embeds", "logit_scale"],
                       {"input_ids": seq, "attention_mask": seq, "text_embeds": {0: "batch"}}),
        "decoder_model": (DecoderGraph(model), (ids, mask, image_tokens), ["input_ids", "attention_mask", "image_tokens"],
                          ["logits", "cross_attentions", "self_attentions"],
                          {"input_ids": seq, "attention_mask": seq, "image_tokens": {0: "batch"}, "logits": seq,
                           "cross_attentions": {0: "batch", 3: "sequence"},
                           "self_attentions": {0: "batch", 3: "sequence", 4: "sequence"}}),
    }
    for name, (module, args, inputs, outputs, axes) in graphs.items():
        path = os.path.join(folder, f"{name}.onnx")
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=inputs, output_names=outputs, dynamic_axes=axes)
        onnx.checker.check_model(onnx.load(path), full_check=True)


def caption_text(ids, vocabulary):
    """The words of a token id list, special tokens left out."""
    return " ".join(vocabulary[i] for i in ids if not vocabulary[i].startswith("["))


@torch.no_grad()
def goldens(model: TinyCoca, inputs, vocabulary):
    """PyTorch outputs of the three graphs for the fixed inputs of write-golden-inputs.ts (the
    inputs of shapes-clip's goldens). The decoder golden is teacher-forced: caption i (as
    tokenized, BOS … EOS, right-padded) read against image i's tokens."""
    model.eval()
    size = inputs["imageSize"]
    images = torch.tensor([img["pixels"] for img in inputs["images"]], dtype=torch.float32).reshape(-1, size, size, 3)
    pixel_values = (images.permute(0, 3, 1, 2) / 255.0 - 0.5) / 0.5
    lengths = [len(c["ids"]) for c in inputs["captions"]]
    width = max(lengths)
    input_ids = torch.tensor([c["ids"] + [model.config.pad_id] * (width - len(c["ids"])) for c in inputs["captions"]])
    attention_mask = (torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]).long()
    image_embeds, image_tokens, vision_attentions = model.vision(pixel_values)
    text_embeds = model.decoder.contrastive(input_ids, attention_mask)[0]
    logits, cross_attentions, self_attentions = model.decoder(input_ids, attention_mask, image_tokens)
    similarity = nn.functional.normalize(image_embeds, dim=-1) @ nn.functional.normalize(text_embeds, dim=-1).t()
    greedy = model.generate(image_tokens)

    def tensor(t):
        return {"dims": list(t.shape), "data": rounded(t)}

    return {
        "inputs": {
            "seeds": [img["seed"] for img in inputs["images"]],
            "captions": [c["text"] for c in inputs["captions"]],
            "input_ids": tensor(input_ids), "attention_mask": tensor(attention_mask),
            "pixel_values": tensor(pixel_values),
            "decoder": "input_ids and attention_mask above, image_tokens of image i for caption i",
        },
        "outputs": {
            "image_tokens": tensor(image_tokens), "image_embeds": tensor(image_embeds),
            # Item 0 only: all eight would make the file several megabytes.
            "vision_attentions_image0": tensor(vision_attentions[:1]),
            "text_embeds": tensor(text_embeds),
            "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
            "similarity": tensor(similarity),
            "logits": tensor(logits),
            "cross_attentions_item0": tensor(cross_attentions[:1]),
            "self_attentions_item0": tensor(self_attentions[:1]),
        },
        "greedy": {
            "max_length": model.config.max_text_tokens, "bos_token_id": model.config.bos_id, "eos_token_id": model.config.eos_id,
            "ids": greedy, "text": [caption_text(g, vocabulary) for g in greedy],
        },
    }


def export_all(model: TinyCoca, meta, golden_inputs, out, report):
    model.eval()
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "config.json"), coca_config(model, meta, report))
    write_json(os.path.join(out, "preprocessor_config.json"), preprocessor_config(model.config.image_size))
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(meta["vocabulary"]))
    write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config(model.config.max_text_tokens))
    export_onnx(model, out)
    golden = goldens(model, golden_inputs, meta["vocabulary"])
    with open(os.path.join(out, "goldens.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    from forge.families.coca.cached_decoder import add_cached  # the decoder with a key/value cache, and its goldens
    add_cached(model, out)
    write_json(os.path.join(out, "training.json"), {"config": model.config.as_dict(), **report})
    print("greedy captions of the golden images:", json.dumps(golden["greedy"]["text"]), flush=True)
    print(f"exported to {out}", flush=True)


def main():
    import argparse
    from tiny_coca import TinyCocaConfig
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", required=True)
    parser.add_argument("--data", default="training/data")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json")
    parser.add_argument("--out", default="static/models/shapes-coca")
    args = parser.parse_args()
    saved = torch.load(args.weights)
    model = TinyCoca(TinyCocaConfig(**saved["config"]))
    model.load_state_dict(saved["state"])
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    export_all(model, meta, json.load(open(args.golden_inputs)), args.out, saved["report"])


if __name__ == "__main__":
    main()
