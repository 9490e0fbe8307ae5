"""The tiny MaskVLM in a hub-like folder with its own model type (`shapes_maskvlm`): shapes-clip's
tokenizer and image processor files and one graph, onnx/model.onnx, which pairs image b with
caption b:

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
import onnx
import torch

from forge.data import golden_captions, golden_images
from forge.export import Export, Graph, golden, golden_inputs

INPUTS = ["pixel_values", "patch_mask", "input_ids", "attention_mask", "token_mask"]
OUTPUTS = ["reconstructed_patches", "word_logits", "image_to_text_attentions", "text_to_image_attentions",
           "itm_probability", "image_embeds", "text_embeds", "vision_attentions", "text_attentions"]
GOLDEN_MASK_SEED = 0
GOLDEN_MASK_RATIO = 0.5
COLOUR_WORDS = ("red", "green", "blue", "yellow")
SHAPE_WORDS = ("circle", "square", "triangle", "circles", "squares", "triangles")


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


class MaskVlmExport(Export):
    def config(self):
        model, c = self.model, self.model.config
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
            "shapesworld": {"spec_version": self.meta["specVersion"], "vocabulary_size": len(self.meta["vocabulary"])},
        }

    def example(self):
        c = self.model.config
        ids = torch.tensor([[2, 5, 6, 7, 3], [2, 5, 3, 0, 0]])
        return (torch.zeros(2, 3, c.image_size, c.image_size), torch.zeros(2, c.patches), ids, (ids != 0).long(),
                torch.tensor([[0, 1, 0, 0, 0], [0, 0, 0, 0, 0]]))

    def graphs(self):
        batch, seq = {0: "batch"}, {0: "batch", 1: "sequence"}
        return {"model": Graph(self.model, self.example(), INPUTS, OUTPUTS, {
            "pixel_values": batch, "patch_mask": batch, "input_ids": seq, "attention_mask": seq, "token_mask": seq,
            "reconstructed_patches": batch, "word_logits": seq,
            "image_to_text_attentions": {0: "batch", 4: "sequence"}, "text_to_image_attentions": {0: "batch", 3: "sequence"},
            "itm_probability": batch, "image_embeds": batch, "text_embeds": batch,
            "vision_attentions": batch, "text_attentions": {0: "batch", 3: "sequence", 4: "sequence"},
        })}

    @torch.no_grad()
    def after_graph(self, name, path):
        """Writes the fixed sizes (patches, heads, values) into the outputs' declared shapes, where the
        exporter left symbolic names; only the batch and sequence axes stay named."""
        graph = onnx.load(path)
        shapes = {name: t.shape for name, t in zip(OUTPUTS, self.model(*self.example()))}
        for output in graph.graph.output:
            for axis, dim in enumerate(output.type.tensor_type.shape.dim):
                if dim.dim_param and dim.dim_param not in ("batch", "sequence"):
                    dim.dim_value = shapes[output.name][axis]
        onnx.save(graph, path)

    def goldens(self, inputs):
        """Image b paired with caption b, masked by golden_masks."""
        model = self.model
        pixel_values = golden_images(inputs)
        input_ids, attention_mask = golden_captions(inputs)
        patch_mask, token_mask = golden_masks(input_ids, self.meta["vocabulary"], model.config.patches)
        out = dict(zip(OUTPUTS, model(pixel_values, patch_mask, input_ids, attention_mask, token_mask)))
        outputs = {name: golden(out[name]) for name in OUTPUTS if not name.endswith("_attentions")}
        # Pair 0 only: all eight would make the file megabytes.
        for name in ("image_to_text_attentions", "text_to_image_attentions", "vision_attentions", "text_attentions"):
            outputs[f"{name}_pair0"] = golden(out[name][:1])
        return {
            "inputs": {
                **golden_inputs(inputs, pixel_values=pixel_values, patch_mask=patch_mask, input_ids=input_ids,
                                attention_mask=attention_mask, token_mask=token_mask),
                "patch_mask_rule": f"randperm(64) with torch seed {GOLDEN_MASK_SEED}, the first {int(GOLDEN_MASK_RATIO * 100)}% masked, per image in order",
                "token_mask_rule": "the first colour word, else the first shape word, else the first word",
            },
            "outputs": outputs,
        }
