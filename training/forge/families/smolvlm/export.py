"""shapes-smolvlm in the SmolVLM/Idefics3 hub layout, loaded by transformers.js's AutoProcessor
and AutoModelForVision2Seq and run by model.generate, as HuggingFaceTB/SmolVLM-256M-Instruct:

  onnx/vision_encoder.onnx
    in   pixel_values          float32 [batch_size, num_images, 3, 32, 32]
         pixel_attention_mask  bool    [batch_size, num_images, 32, 32]
    out  image_features        [frames, 16, hidden]   the real frames only (padding frames,
                               whose mask is all false, are dropped inside the graph), pixel
                               shuffled and projected
         vision_attentions     [frames, layers, heads, 65, 65]  the tower's self-attention
                               (class token first, then the 8 × 8 patches row-major)
  onnx/embed_tokens.onnx       input_ids int64 [batch_size, sequence_length] -> inputs_embeds
  onnx/decoder_model_merged.onnx  shapes-lm's cached decoder over embeddings (lm/graphs.py)

config.json (model_type idefics3, a Llama text_config), generation_config.json,
preprocessor_config.json and processor_config.json (image splitting on: 64 × 64 -> 2 × 2 tiles
and a global view), tokenizer.json and tokenizer_config.json with SmolVLM's chat template.

goldens.json: PyTorch's greedy answers (ids) to the golden questions about the golden images,
the prefill's last logits, the frames and image features of the golden images, the vision
tower's attentions for image 0's global view and, for case 0, its first answer tokens' decoder attention rows.
"""
import torch
from torch import nn

from forge.export import Export, Graph, golden, rounded
from forge.families.lm.graphs import decoder_graph, greedy
from forge.families.smolvlm.hub import chat_tokenizer_config, chat_tokenizer_json, idefics3_preprocessor_config, processor_config
from forge.families.smolvlm.inputs import expand_images, frames_from_images, image_token_sequence
from forge.families.smolvlm.model import SmolVlm

MAX_NEW_TOKENS = 48
ATTENTION_STEPS = 8  # case 0's decoder attention rows kept: the prefill's last query and 7 steps


class VisionGraph(nn.Module):
    def __init__(self, model: SmolVlm):
        super().__init__()
        self.model = model

    def forward(self, pixel_values, pixel_attention_mask):
        tile = self.model.config.tile_size
        frames = pixel_values.reshape(-1, 3, tile, tile)
        real = pixel_attention_mask.reshape(-1, tile * tile).float().sum(dim=1) > 0
        frames = frames.index_select(0, torch.nonzero(real).squeeze(1))
        return self.model.image_features(frames)


class EmbedGraph(nn.Module):
    def __init__(self, model: SmolVlm):
        super().__init__()
        self.embed = model.lm.embed

    def forward(self, input_ids):
        return self.embed(input_ids)


def text_config(lm):
    c = lm.config
    return {
        "model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": c.vocab_size, "hidden_size": c.hidden_size,
        "intermediate_size": c.intermediate_size, "num_hidden_layers": c.layers, "num_attention_heads": c.heads,
        "num_key_value_heads": c.kv_heads, "head_dim": c.head_dim, "max_position_embeddings": c.max_positions,
        "rms_norm_eps": c.rms_eps, "rope_theta": c.rope_theta, "hidden_act": "silu", "tie_word_embeddings": True,
        "pad_token_id": c.pad_id, "bos_token_id": c.bos_id, "eos_token_id": c.eos_id,
    }


def generation_config(lm):
    c = lm.config
    return {"bos_token_id": c.bos_id, "eos_token_id": c.eos_id, "pad_token_id": c.pad_id, "max_new_tokens": MAX_NEW_TOKENS, "do_sample": False}


class SmolVlmExport(Export):
    def config(self):
        model, c = self.model, self.model.config
        v = c.vision
        lm = text_config(model.lm)
        return {
            "architectures": ["Idefics3ForConditionalGeneration"], "model_type": "idefics3",
            "image_token_id": c.image_token_id, "scale_factor": c.scale_factor, "tie_word_embeddings": True,
            "pad_token_id": lm["pad_token_id"], "bos_token_id": lm["bos_token_id"], "eos_token_id": lm["eos_token_id"],
            "text_config": lm,
            "vision_config": {
                "model_type": "idefics3_vision", "image_size": v["image_size"], "patch_size": v["patch_size"], "num_channels": 3,
                "hidden_size": v["vision_width"], "intermediate_size": v["vision_width"] * v["mlp_ratio"],
                "num_hidden_layers": v["vision_layers"], "num_attention_heads": v["vision_heads"], "hidden_act": "gelu",
            },
            "transformers.js_config": {"dtype": "fp32"},
            "shapesworld": {"spec_version": self.meta["specVersion"], "vocabulary_size": len(self.meta["vocabulary"]), "stage": c.stage,
                            "image_size": c.image_size, "tile_size": c.tile_size, "image_seq_len": c.image_seq_len},
        }

    def files(self):
        c = self.model.config
        special = self.extras["special_tokens"]
        return {
            "config.json": self.config(), "generation_config.json": generation_config(self.model.lm),
            "preprocessor_config.json": idefics3_preprocessor_config(c.image_size, c.tile_size),
            "processor_config.json": processor_config(c.image_seq_len),
            "tokenizer.json": chat_tokenizer_json(self.meta["vocabulary"], special),
            "tokenizer_config.json": chat_tokenizer_config(special, self.extras["chat_template"], self.model.lm.config.max_positions),
        }

    def graphs(self):
        model, c = self.model, self.model.config
        tile = c.tile_size
        # Two prompts, one with a padding frame: the graph must drop it.
        pixels = torch.randn(2, 5, 3, tile, tile)
        pixel_mask = torch.ones(2, 5, tile, tile, dtype=torch.bool)
        pixel_mask[1, 4] = False
        ids = torch.tensor([[2, 5, 6], [7, 3, 0]])
        return {
            "vision_encoder": Graph(VisionGraph(model), (pixels, pixel_mask), ["pixel_values", "pixel_attention_mask"],
                                    ["image_features", "vision_attentions"],
                                    {"pixel_values": {0: "batch_size", 1: "num_images"}, "pixel_attention_mask": {0: "batch_size", 1: "num_images"},
                                     "image_features": {0: "frames"}, "vision_attentions": {0: "frames"}}),
            "embed_tokens": Graph(EmbedGraph(model), (ids,), ["input_ids"], ["inputs_embeds"],
                                  {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}}),
            "decoder_model_merged": decoder_graph(model.lm, takes_ids=False),
        }

    def goldens(self, inputs):
        model, c = self.model, self.model.config
        size = inputs["imageSize"]
        images = torch.tensor([img["pixels"] for img in inputs["images"]], dtype=torch.uint8).reshape(-1, size, size, 3)
        frames = frames_from_images(images, c.tile_size).reshape(len(images), -1, 3, c.tile_size, c.tile_size)
        sequence = image_token_sequence(self.meta, c.tiles_per_side, c.image_seq_len)
        features, attentions = model.image_features(frames[0])
        cases = []
        for k, case in enumerate(inputs["cases"]):
            prompt = torch.tensor([case["ids"]])
            with_image = case["image"] is not None
            if with_image:
                ids = expand_images(prompt, torch.tensor([len(case["ids"])]), torch.tensor([0]), c.image_token_id, sequence)[0]
                embeds = model.embed(ids, model.image_features(frames[case["image"]])[0])
            else:
                ids = prompt
                embeds = model.embed(ids, None)
            new, prefill_logits, rows = greedy(model.lm, embeds, MAX_NEW_TOKENS)
            entry = {"image": case["image"], "question": case["question"], "input_ids": ids[0].tolist(), "generated": new,
                     "prefill_logits": rounded(prefill_logits)}
            if k == 0:
                entry["attention_rows"] = [[golden(layer) for layer in step] for step in rows[:ATTENTION_STEPS]]
            cases.append(entry)
        return {
            "inputs": {"seeds": [img["seed"] for img in inputs["images"]], "image_size": size,
                       "pixel_values": golden(frames[None, 0])},
            "image_features_image0": golden(features), "vision_attentions_image0_global": golden(attentions[-1:]),
            "max_new_tokens": MAX_NEW_TOKENS, "cases": cases,
        }

    def summary(self, goldens):
        vocabulary = self.meta["vocabulary"]
        lines = [f"  {c['question']!r} (image {c['image']}): {' '.join(vocabulary[i] for i in c['generated'])}" for c in goldens["cases"][:8]]
        return "greedy answers:\n" + "\n".join(lines)
