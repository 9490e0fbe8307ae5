"""Exports a trained TinyMaskVlm in a hub-like folder with its own model type (`shapes_maskvlm`):

  config.json, preprocessor_config.json, tokenizer.json, tokenizer_config.json (the same
  tokenizer and image processor as shapes-clip, so transformers.js' AutoTokenizer and
  AutoProcessor load them), onnx/model.onnx (one graph, opset 14), goldens.json (PyTorch
  outputs for fixed inputs and masks), training.json (the run's report).

  python3 training/export_maskvlm.py --checkpoint /tmp/maskvlm.pt --out static/models/shapes-maskvlm
      re-exports a checkpoint saved by train_maskvlm.py --checkpoint, keeping the folder's training.json

The graph pairs image b with caption b:
  inputs   pixel_values [B, 3, 32, 32] float32, patch_mask [B, 64] float32 (1 = masked, patches
           row-major), input_ids / attention_mask / token_mask [B, L] int64 (token_mask 1 = masked)
  outputs  reconstructed_patches [B, 64, 48]: each patch's normalised pixels (as pixel_values:
           (x / 255 - 0.5) / 0.5), in the order (row, column, RGB) inside the 4 x 4 patch;
           word_logits [B, L, V]; image_to_text_attentions [B, layers, heads, 64, L];
           text_to_image_attentions [B, layers, heads, L, 64]; itm_probability [B];
           image_embeds, text_embeds [B, E] (unimodal, unnormalised, for ITC; they see the masks too);
           vision_attentions [B, vision layers, heads, 65, 65]: the ViT blocks' self-attention over the
           class token (index 0) and the 64 patches; text_attentions [B, text layers, heads, L, L]: the
           text encoder's self-attention (padding keys get ~0)
"""
import argparse
import json
import os

import onnx
import torch

from tiny_maskvlm import TinyMaskVlm, TinyMaskVlmConfig
from export_clip import preprocessor_config, rounded, tokenizer_config, tokenizer_json, write_json

OPSET = 14
INPUTS = ["pixel_values", "patch_mask", "input_ids", "attention_mask", "token_mask"]
OUTPUTS = ["reconstructed_patches", "word_logits", "image_to_text_attentions", "text_to_image_attentions",
           "itm_probability", "image_embeds", "text_embeds", "vision_attentions", "text_attentions"]
GOLDEN_MASK_SEED = 0
GOLDEN_MASK_RATIO = 0.5
COLOUR_WORDS = ("red", "green", "blue", "yellow")
SHAPE_WORDS = ("circle", "square", "triangle", "circles", "squares", "triangles")


def hub_config(model: TinyMaskVlm, meta):
    c = model.config
    return {
        "architectures": ["ShapesMaskVLMModel"],
        "model_type": "shapes_maskvlm",
        "image_size": c.image_size,
        "patch_size": c.patch_size,
        "num_patches": c.patches,
        "patch_values": c.patch_values,
        "patch_value_order": "row, column, RGB (channel last) inside each patch; patches row-major",
        "vocab_size": c.vocab_size,
        "projection_dim": c.embed_dim,
        "cross_layers": c.cross_layers,
        "cross_heads": c.cross_heads,
        "logit_scale": round(model.logit_scale.exp().item(), 6),
        "vision_config": {
            "hidden_size": c.vision_width, "intermediate_size": c.vision_width * c.mlp_ratio,
            "num_hidden_layers": c.vision_layers, "num_attention_heads": c.vision_heads, "hidden_act": "gelu",
            "num_channels": 3, "image_size": c.image_size, "patch_size": c.patch_size,
        },
        "text_config": {
            "vocab_size": c.vocab_size, "hidden_size": c.text_width, "intermediate_size": c.text_width * c.mlp_ratio,
            "num_hidden_layers": c.text_layers, "num_attention_heads": c.text_heads, "hidden_act": "gelu",
            "max_position_embeddings": c.max_text_tokens, "bidirectional": True,
            "pad_token_id": c.pad_id, "bos_token_id": c.bos_id, "eos_token_id": c.eos_id,
        },
        "inputs": INPUTS,
        "outputs": OUTPUTS,
        "shapesworld": {"spec_version": meta["specVersion"], "vocabulary_size": len(meta["vocabulary"])},
    }


def export_onnx(model: TinyMaskVlm, out):
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    c = model.config
    ids = torch.tensor([[2, 5, 6, 7, 3], [2, 5, 3, 0, 0]])
    example = (torch.zeros(2, 3, c.image_size, c.image_size), torch.zeros(2, c.patches), ids, (ids != 0).long(),
               torch.tensor([[0, 1, 0, 0, 0], [0, 0, 0, 0, 0]]))
    batch, seq = {0: "batch"}, {0: "batch", 1: "sequence"}
    path = os.path.join(out, "onnx", "model.onnx")
    torch.onnx.export(
        model, example, path, opset_version=OPSET, input_names=INPUTS, output_names=OUTPUTS,
        dynamic_axes={
            "pixel_values": batch, "patch_mask": batch, "input_ids": seq, "attention_mask": seq, "token_mask": seq,
            "reconstructed_patches": batch, "word_logits": seq,
            "image_to_text_attentions": {0: "batch", 4: "sequence"}, "text_to_image_attentions": {0: "batch", 3: "sequence"},
            "itm_probability": batch, "image_embeds": batch, "text_embeds": batch,
            "vision_attentions": batch, "text_attentions": {0: "batch", 3: "sequence", 4: "sequence"},
        },
    )
    fix_static_dims(path, model, example)
    onnx.checker.check_model(onnx.load(path))
    return path


@torch.no_grad()
def fix_static_dims(path, model, example):
    """Writes the fixed sizes (patches, heads, values) into the outputs' declared shapes, where the
    exporter left symbolic names; only the batch and sequence axes stay named."""
    graph = onnx.load(path)
    shapes = {name: t.shape for name, t in zip(OUTPUTS, model(*example))}
    for output in graph.graph.output:
        for axis, dim in enumerate(output.type.tensor_type.shape.dim):
            if dim.dim_param and dim.dim_param not in ("batch", "sequence"):
                dim.dim_value = shapes[output.name][axis]
    onnx.save(graph, path)


def golden_masks(input_ids, vocabulary, patches):
    """A seeded 50% patch mask per image, and one masked word per caption: its first colour word,
    else its first shape word, else its first word."""
    generator = torch.Generator().manual_seed(GOLDEN_MASK_SEED)
    patch_mask = torch.zeros(input_ids.shape[0], patches)
    for b in range(input_ids.shape[0]):
        patch_mask[b, torch.randperm(patches, generator=generator)[: int(patches * GOLDEN_MASK_RATIO)]] = 1
    token_mask = torch.zeros_like(input_ids)
    for b, row in enumerate(input_ids.tolist()):
        words = [vocabulary[t] for t in row]
        position = next((i for i, w in enumerate(words) if w in COLOUR_WORDS),
                        next((i for i, w in enumerate(words) if w in SHAPE_WORDS), 1))
        token_mask[b, position] = 1
    return patch_mask, token_mask


@torch.no_grad()
def goldens(model: TinyMaskVlm, inputs, vocabulary):
    """PyTorch outputs for the fixed inputs of write-golden-inputs.ts, image b paired with caption b."""
    model.eval()
    size = inputs["imageSize"]
    images = torch.tensor([img["pixels"] for img in inputs["images"]], dtype=torch.float32).reshape(-1, size, size, 3)
    pixel_values = (images.permute(0, 3, 1, 2) / 255.0 - 0.5) / 0.5
    lengths = [len(c["ids"]) for c in inputs["captions"]]
    width = max(lengths)
    input_ids = torch.tensor([c["ids"] + [0] * (width - len(c["ids"])) for c in inputs["captions"]])
    attention_mask = (torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]).long()
    patch_mask, token_mask = golden_masks(input_ids, vocabulary, model.config.patches)
    out = dict(zip(OUTPUTS, model(pixel_values, patch_mask, input_ids, attention_mask, token_mask)))

    def tensor(t):
        return {"dims": list(t.shape), "data": rounded(t)}

    outputs = {name: tensor(out[name]) for name in OUTPUTS if not name.endswith("_attentions")}
    # Pair 0 only: all eight would make the file megabytes.
    outputs["image_to_text_attentions_pair0"] = tensor(out["image_to_text_attentions"][:1])
    outputs["text_to_image_attentions_pair0"] = tensor(out["text_to_image_attentions"][:1])
    outputs["vision_attentions_pair0"] = tensor(out["vision_attentions"][:1])
    outputs["text_attentions_pair0"] = tensor(out["text_attentions"][:1])
    return {
        "inputs": {
            "seeds": [img["seed"] for img in inputs["images"]],
            "captions": [c["text"] for c in inputs["captions"]],
            "pixel_values": tensor(pixel_values), "patch_mask": tensor(patch_mask),
            "input_ids": tensor(input_ids), "attention_mask": tensor(attention_mask), "token_mask": tensor(token_mask),
            "patch_mask_rule": f"randperm(64) with torch seed {GOLDEN_MASK_SEED}, the first {int(GOLDEN_MASK_RATIO * 100)}% masked, per image in order",
            "token_mask_rule": "the first colour word, else the first shape word, else the first word",
        },
        "outputs": outputs,
    }


def export_all(model: TinyMaskVlm, meta, golden_inputs, out, report):
    model.eval()
    os.makedirs(out, exist_ok=True)
    write_json(os.path.join(out, "config.json"), hub_config(model, meta))
    write_json(os.path.join(out, "preprocessor_config.json"), preprocessor_config(model.config.image_size))
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(meta["vocabulary"]))
    write_json(os.path.join(out, "tokenizer_config.json"), tokenizer_config(model.config.max_text_tokens))
    export_onnx(model, out)
    with open(os.path.join(out, "goldens.json"), "w") as f:
        json.dump(goldens(model, golden_inputs, meta["vocabulary"]), f, separators=(",", ":"))
    write_json(os.path.join(out, "training.json"), {"config": model.config.as_dict(), **report})
    print(f"exported to {out}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--data", default="training/data")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json")
    parser.add_argument("--out", default="static/models/shapes-maskvlm")
    args = parser.parse_args()
    saved = torch.load(args.checkpoint)
    model = TinyMaskVlm(TinyMaskVlmConfig(**saved["config"]))
    model.load_state_dict(saved["state"])
    meta = json.load(open(os.path.join(args.data, "meta.json")))
    previous = json.load(open(os.path.join(args.out, "training.json")))
    report = {k: v for k, v in previous.items() if k != "config"}
    export_all(model, meta, json.load(open(args.golden_inputs)), args.out, report)


if __name__ == "__main__":
    main()
