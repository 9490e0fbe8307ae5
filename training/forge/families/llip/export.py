"""The tiny Llip in a hub-like folder with its own model type, `shapes_llip`: shapes-clip's
tokenizer and image processor files (transformers.js's AutoTokenizer and AutoProcessor load
them) and three graphs run with onnxruntime:

  onnx/vision_model.onnx  pixel_values [batch, 3, S, S] -> mixture_tokens [batch, K, D] (not normalised),
                          last_hidden_state [batch, K+P, W], vision_attentions [batch, layers, heads, K+P, K+P]
  onnx/text_model.onnx    input_ids, attention_mask [T, L] -> text_embeds [T, D] (not normalised),
                          last_hidden_state [T, L, W], text_attentions [T, layers, heads, L, L]
  onnx/head_model.onnx    mixture_tokens [batch, K, D], text_embeds [T, D] -> mixture_weights [batch, T, H, K],
                          image_embeds [batch, T, D] (contextual, not normalised), logits_per_image [batch, T],
                          logit_scale (scalar, exponentiated)
"""
import torch

from forge.data import golden_captions, golden_images
from forge.export import Call, Export, Graph, golden, golden_inputs
from forge.families.clip.export import hub_config


def vision_tower(model, pixel_values):
    return model.vision(pixel_values)


def text_tower(model, input_ids, attention_mask):
    return model.text(input_ids, attention_mask)


def head(model, mixture_tokens, text_embeds):
    weights, image_embeds, logits = model.head(mixture_tokens, text_embeds)
    return weights, image_embeds, logits, model.logit_scale.exp()


class LlipExport(Export):
    def config(self):
        """The CLIP config's tower sections, under Llip's own model type and fields."""
        c = self.model.config
        clip = hub_config(self.model, self.meta)
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

    def graphs(self):
        model, c = self.model, self.model.config
        # Example sizes differ from every size the goldens use, so the parity test exercises the dynamic axes.
        ids = torch.tensor([[2, 5, 6, 3], [2, 5, 3, 0], [2, 7, 3, 0]])
        mask = (ids != 0).long()
        pixels = torch.zeros(2, 3, c.image_size, c.image_size)
        mixture = torch.randn(2, c.mixture_tokens, c.embed_dim)
        text_embeds = torch.randn(3, c.embed_dim)
        return {
            "vision_model": Graph(Call(model, vision_tower), (pixels,), ["pixel_values"], ["mixture_tokens", "last_hidden_state", "vision_attentions"],
                                  {"pixel_values": {0: "batch"}, "mixture_tokens": {0: "batch"}, "last_hidden_state": {0: "batch"},
                                   "vision_attentions": {0: "batch"}}),
            "text_model": Graph(Call(model, text_tower), (ids, mask), ["input_ids", "attention_mask"], ["text_embeds", "last_hidden_state", "text_attentions"],
                                {"input_ids": {0: "texts", 1: "sequence"}, "attention_mask": {0: "texts", 1: "sequence"}, "text_embeds": {0: "texts"},
                                 "last_hidden_state": {0: "texts", 1: "sequence"}, "text_attentions": {0: "texts", 3: "sequence", 4: "sequence"}}),
            "head_model": Graph(Call(model, head), (mixture, text_embeds), ["mixture_tokens", "text_embeds"],
                                ["mixture_weights", "image_embeds", "logits_per_image", "logit_scale"],
                                {"mixture_tokens": {0: "batch"}, "text_embeds": {0: "texts"}, "mixture_weights": {0: "batch", 1: "texts"},
                                 "image_embeds": {0: "batch", 1: "texts"}, "logits_per_image": {0: "batch", 1: "texts"}}),
        }

    def goldens(self, inputs):
        """The three graphs' outputs for the golden inputs (those of shapes-clip's goldens)."""
        model = self.model
        pixel_values = golden_images(inputs)
        input_ids, attention_mask = golden_captions(inputs)
        mixture_tokens, vision_hidden, vision_attentions = model.vision(pixel_values)
        text_embeds, text_hidden, text_attentions = model.text(input_ids, attention_mask)
        mixture_weights, image_embeds, logits_per_image = model.head(mixture_tokens, text_embeds)
        return {
            "inputs": golden_inputs(inputs, input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values),
            "outputs": {
                "mixture_tokens": golden(mixture_tokens), "vision_last_hidden_state": golden(vision_hidden),
                # Image 0 only: all eight would make the file several megabytes.
                "vision_attentions_image0": golden(vision_attentions[:1]),
                "text_embeds": golden(text_embeds), "text_last_hidden_state": golden(text_hidden),
                "text_attentions": golden(text_attentions),
                "mixture_weights": golden(mixture_weights), "image_embeds": golden(image_embeds),
                "logits_per_image": golden(logits_per_image),
                "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
            },
        }
