"""The tiny CLIP in the hub's CLIP layout, loaded by transformers.js with the same code as a hub
CLIP: onnx/text_model.onnx, onnx/vision_model.onnx, onnx/model.onnx, and 8-bit copies of the
two towers (for the fp32-vs-q8 fidelity view).

Beyond the hub's outputs, the towers return every layer's attention probabilities
(`text_attentions` [batch, layers, heads, T, T], `vision_attentions` [batch, layers, heads, 1+P, 1+P])
and the text tower returns the learned `logit_scale` (already exponentiated).
"""
import torch
from torch import nn

from forge.data import golden_captions, golden_images
from forge.export import Call, Export, Graph, golden, golden_inputs


def text_tower(model, input_ids, attention_mask):
    embeds, hidden, attentions = model.text(input_ids, attention_mask)
    return embeds, hidden, attentions, model.logit_scale.exp()


def vision_tower(model, pixel_values):
    return model.vision(pixel_values)


def hub_config(model, meta):
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


class ClipExport(Export):
    quantized = ("text_model", "vision_model")

    def config(self):
        return hub_config(self.model, self.meta)

    def graphs(self):
        model, c = self.model, self.model.config
        ids = torch.tensor([[2, 5, 6, 3], [2, 5, 3, 0]])
        mask = (ids != 0).long()
        pixels = torch.zeros(2, 3, c.image_size, c.image_size)
        seq = {0: "batch", 1: "sequence"}
        return {
            "text_model": Graph(Call(model, text_tower), (ids, mask), ["input_ids", "attention_mask"],
                                ["text_embeds", "last_hidden_state", "text_attentions", "logit_scale"],
                                {"input_ids": seq, "attention_mask": seq, "text_embeds": {0: "batch"}, "last_hidden_state": seq,
                                 "text_attentions": {0: "batch", 3: "sequence", 4: "sequence"}}),
            "vision_model": Graph(Call(model, vision_tower), (pixels,), ["pixel_values"], ["image_embeds", "last_hidden_state", "vision_attentions"],
                                  {"pixel_values": {0: "batch"}, "image_embeds": {0: "batch"}, "last_hidden_state": {0: "batch"},
                                   "vision_attentions": {0: "batch"}}),
            "model": Graph(model, (ids, pixels, mask), ["input_ids", "pixel_values", "attention_mask"],
                           ["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
                           {"input_ids": {0: "texts", 1: "sequence"}, "attention_mask": {0: "texts", 1: "sequence"},
                            "pixel_values": {0: "images"}, "logits_per_image": {0: "images", 1: "texts"},
                            "logits_per_text": {0: "texts", 1: "images"}, "text_embeds": {0: "texts"}, "image_embeds": {0: "images"}}),
        }

    def goldens(self, inputs):
        model = self.model
        pixel_values = golden_images(inputs)
        input_ids, attention_mask = golden_captions(inputs)
        text_embeds, _, text_attentions = model.text(input_ids, attention_mask)
        image_embeds, _, vision_attentions = model.vision(pixel_values)
        logits_per_image = model(input_ids, pixel_values, attention_mask)[0]
        similarity = nn.functional.normalize(image_embeds, dim=-1) @ nn.functional.normalize(text_embeds, dim=-1).t()
        return {
            "inputs": golden_inputs(inputs, input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values),
            "outputs": {
                "text_embeds": golden(text_embeds), "image_embeds": golden(image_embeds),
                "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
                "similarity": golden(similarity), "logits_per_image": golden(logits_per_image),
                "text_attentions": golden(text_attentions),
                # Image 0 only: all eight would make the file several megabytes.
                "vision_attentions_image0": golden(vision_attentions[:1]),
            },
        }
