"""The tiny CoCa in a hub-like folder with its own model type ("shapes_coca"): shapes-clip's
tokenizer and image processor files, and three graphs run on onnxruntime:

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

  onnx/decoder_model_merged.onnx  the decoder with a key/value cache (cached_decoder.py), and
                           its goldens under goldens.json's "cached_decoder"

Another graph is one more entry in CocaExport.graphs (and its outputs in goldens), or, when it
is exported its own way, a call in CocaExport.extend.
"""
import json

import torch
from torch import nn

from forge.data import golden_captions, golden_images
from forge.export import Call, Export, Graph, golden, golden_inputs


def vision_graph(model, pixel_values):
    embeds, tokens, attentions = model.vision(pixel_values)
    return tokens, embeds, attentions


def text_graph(model, input_ids, attention_mask):
    return model.decoder.contrastive(input_ids, attention_mask)[0], model.logit_scale.exp()


def decoder_graph(model, input_ids, attention_mask, image_tokens):
    return model.decoder(input_ids, attention_mask, image_tokens)


def caption_text(ids, vocabulary):
    """The words of a token id list, special tokens left out."""
    return " ".join(vocabulary[i] for i in ids if not vocabulary[i].startswith("["))


class CocaExport(Export):
    def config(self):
        c, report = self.model.config, self.report
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
            "shapesworld": {"spec_version": self.meta["specVersion"], "vocabulary_size": len(self.meta["vocabulary"])},
        }

    def graphs(self):
        model, c = self.model, self.model.config
        patches = (c.image_size // c.patch_size) ** 2
        # Example sizes differ from the goldens' sizes, so the parity test exercises the dynamic axes.
        ids = torch.tensor([[2, 5, 6, 3], [2, 5, 3, 0], [2, 7, 3, 0]])
        mask = (ids != 0).long()
        pixels = torch.zeros(3, 3, c.image_size, c.image_size)
        image_tokens = torch.randn(3, patches, c.vision_width)
        seq = {0: "batch", 1: "sequence"}
        return {
            "vision_model": Graph(Call(model, vision_graph), (pixels,), ["pixel_values"], ["image_tokens", "image_embeds", "vision_attentions"],
                                  {"pixel_values": {0: "batch"}, "image_tokens": {0: "batch"}, "image_embeds": {0: "batch"},
                                   "vision_attentions": {0: "batch"}}),
            "text_model": Graph(Call(model, text_graph), (ids, mask), ["input_ids", "attention_mask"], ["text_embeds", "logit_scale"],
                                {"input_ids": seq, "attention_mask": seq, "text_embeds": {0: "batch"}}),
            "decoder_model": Graph(Call(model, decoder_graph), (ids, mask, image_tokens), ["input_ids", "attention_mask", "image_tokens"],
                                   ["logits", "cross_attentions", "self_attentions"],
                                   {"input_ids": seq, "attention_mask": seq, "image_tokens": {0: "batch"}, "logits": seq,
                                    "cross_attentions": {0: "batch", 3: "sequence"},
                                    "self_attentions": {0: "batch", 3: "sequence", 4: "sequence"}}),
        }

    def goldens(self, inputs):
        """The three graphs' outputs for the golden inputs (those of shapes-clip's goldens). The
        decoder golden is teacher-forced: caption i (as tokenized, BOS … EOS, right-padded) read
        against image i's tokens."""
        model, vocabulary = self.model, self.meta["vocabulary"]
        pixel_values = golden_images(inputs)
        input_ids, attention_mask = golden_captions(inputs, model.config.pad_id)
        image_embeds, image_tokens, vision_attentions = model.vision(pixel_values)
        text_embeds = model.decoder.contrastive(input_ids, attention_mask)[0]
        logits, cross_attentions, self_attentions = model.decoder(input_ids, attention_mask, image_tokens)
        similarity = nn.functional.normalize(image_embeds, dim=-1) @ nn.functional.normalize(text_embeds, dim=-1).t()
        greedy = model.generate(image_tokens)
        return {
            "inputs": {
                **golden_inputs(inputs, input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values),
                "decoder": "input_ids and attention_mask above, image_tokens of image i for caption i",
            },
            "outputs": {
                "image_tokens": golden(image_tokens), "image_embeds": golden(image_embeds),
                # Item 0 only: all eight would make the file several megabytes.
                "vision_attentions_image0": golden(vision_attentions[:1]),
                "text_embeds": golden(text_embeds),
                "logit_scale": float(f"{model.logit_scale.exp().item():.7g}"),
                "similarity": golden(similarity),
                "logits": golden(logits),
                "cross_attentions_item0": golden(cross_attentions[:1]),
                "self_attentions_item0": golden(self_attentions[:1]),
            },
            "greedy": {
                "max_length": model.config.max_text_tokens, "bos_token_id": model.config.bos_id, "eos_token_id": model.config.eos_id,
                "ids": greedy, "text": [caption_text(g, vocabulary) for g in greedy],
            },
        }

    def extend(self, out):
        from forge.families.coca.cached_decoder import add_cached
        add_cached(self.model, out)

    def summary(self, goldens):
        return "greedy captions of the golden images: " + json.dumps(goldens["greedy"]["text"])
