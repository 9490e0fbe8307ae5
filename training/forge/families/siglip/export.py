"""The tiny SigLIP in the hub's SigLIP layout, so transformers.js loads it with AutoTokenizer /
AutoProcessor / SiglipTextModel / SiglipVisionModel / SiglipModel as it loads
Xenova/siglip-base-patch16-224: a Unigram tokenizer (tokenizer.py), SigLIP's image processor,
onnx/text_model.onnx, onnx/vision_model.onnx, onnx/model.onnx.

Beyond the hub's outputs, the towers return attention probabilities (`text_attentions`,
`vision_attentions`, the MAP head's `pooling_attentions`) and the text tower returns the learned
`logit_scale` (already exponentiated) and `logit_bias`.
"""
import torch

from forge.data import golden_images
from forge.export import Call, Export, Graph, golden, golden_inputs
from forge.families.siglip import tokenizer as tok


def text_tower(model, input_ids):
    pooled, hidden, attentions = model.text(input_ids)
    # clone(): a bare parameter (or one times 1.0, folded away) would leave an unnamed output.
    return pooled, hidden, attentions, model.logit_scale.exp(), model.logit_bias.clone()


def vision_tower(model, pixel_values):
    return model.vision(pixel_values)


def preprocessor_config(size):
    """SiglipImageProcessor: squash-resize to size x size (bilinear, no crop), rescale, normalise."""
    return {
        "image_processor_type": "SiglipImageProcessor", "processor_class": "SiglipProcessor",
        "do_resize": True, "size": {"height": size, "width": size}, "resample": 2,
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_convert_rgb": True,
    }


class SiglipExport(Export):
    def __init__(self, model, meta, report, extras=None):
        super().__init__(model, meta, report, extras)
        self.vocab_pieces = tok.pieces(meta["vocabulary"])
        assert len(self.vocab_pieces) == model.config.vocab_size

    def config(self):
        """transformers.js reads model_type (model classes; the zero-shot pipeline's max_length
        padding and sigmoid) and the sub-configs' model types; the rest documents the model as
        transformers' SiglipConfig would."""
        c = self.model.config
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
            "shapesworld": {"spec_version": self.meta["specVersion"], "vocabulary_size": c.vocab_size},
        }

    def files(self):
        c = self.model.config
        return {
            "config.json": self.config(), "preprocessor_config.json": preprocessor_config(c.image_size),
            "tokenizer.json": tok.tokenizer_json(self.vocab_pieces, self.extras["piece_scores"]),
            "tokenizer_config.json": tok.tokenizer_config(c.max_text_tokens),
        }

    def graphs(self):
        model, c = self.model, self.model.config
        ids = torch.tensor([[3, 4, 5, 1] + [1] * (c.max_text_tokens - 4)] * 2)
        pixels = torch.zeros(2, 3, c.image_size, c.image_size)
        seq = {0: "batch", 1: "sequence"}
        return {
            "text_model": Graph(Call(model, text_tower), (ids,), ["input_ids"],
                                ["pooler_output", "last_hidden_state", "text_attentions", "logit_scale", "logit_bias"],
                                {"input_ids": seq, "pooler_output": {0: "batch"}, "last_hidden_state": seq,
                                 "text_attentions": {0: "batch", 3: "sequence", 4: "sequence"}}),
            "vision_model": Graph(Call(model, vision_tower), (pixels,), ["pixel_values"],
                                  ["pooler_output", "last_hidden_state", "vision_attentions", "pooling_attentions"],
                                  {"pixel_values": {0: "batch"}, "pooler_output": {0: "batch"}, "last_hidden_state": {0: "batch"},
                                   "vision_attentions": {0: "batch"}, "pooling_attentions": {0: "batch"}}),
            "model": Graph(model, (ids, pixels), ["input_ids", "pixel_values"],
                           ["logits_per_image", "logits_per_text", "text_embeds", "image_embeds"],
                           {"input_ids": {0: "texts", 1: "sequence"}, "pixel_values": {0: "images"},
                            "logits_per_image": {0: "images", 1: "texts"}, "logits_per_text": {0: "texts", 1: "images"},
                            "text_embeds": {0: "texts"}, "image_embeds": {0: "images"}}),
        }

    def goldens(self, inputs):
        """The captions re-tokenized by this model's tokenizer (padded to max length, as SigLIP is always fed)."""
        model = self.model
        pixel_values = golden_images(inputs)
        captions = [c["text"] for c in inputs["captions"]]
        input_ids = tok.encode(captions, self.vocab_pieces, model.config.max_text_tokens)
        text_pooled, _, text_attentions = model.text(input_ids)
        image_pooled, _, vision_attentions, pooling_attentions = model.vision(pixel_values)
        logits_per_image, _, text_embeds, image_embeds = model(input_ids, pixel_values)
        similarity = image_embeds @ text_embeds.t()
        return {
            "inputs": golden_inputs(inputs, input_ids=input_ids, pixel_values=pixel_values),
            "outputs": {
                "text_pooler_output": golden(text_pooled), "image_pooler_output": golden(image_pooled),
                "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
                "logit_bias": float(f"{model.logit_bias.item():.7g}"),
                "similarity": golden(similarity), "logits_per_image": golden(logits_per_image),
                "probabilities": golden(torch.sigmoid(logits_per_image)),
                "text_attentions": golden(text_attentions),
                # Image 0 only: all eight would make the file several megabytes.
                "vision_attentions_image0": golden(vision_attentions[:1]),
                "pooling_attentions": golden(pooling_attentions),
            },
        }
