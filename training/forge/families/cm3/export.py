"""shapes-cm3 as a model folder: onnx/decoder_model_merged.onnx in shapes-lm's Llama layout
(input_ids, attention_mask, position_ids, past_key_values.* -> logits, present.*,
decoder_attentions.*), the ShapesWorld word tokenizer for the caption part, and a config that
says where the markers and shapes-vq's codes sit in the vocabulary. Goldens: greedy drawings of
the golden captions (prompt [BOS] words [EOS] <image>, up to 64 codes and </image>; their pixels
as shapes-vq decodes them) and greedy
captions of the golden images' codes (prompt <image> codes </image> [BOS], up to [EOS])."""
import torch

from forge import checkpoint
from forge.data import golden_captions, golden_images
from forge.export import Export, golden, golden_inputs, tokenizer_config, tokenizer_json
from forge.families.cm3.vocabulary import Layout
from forge.families.lm.graphs import decoder_graph

MAX_CAPTION = 16


@torch.no_grad()
def greedy(lm, prompt, stop, max_new):
    """Greedy decoding through the cache, as the TypeScript loop does: -> new ids (stop included)."""
    length = len(prompt)
    logits, past, _ = lm.decode(lm.embed(torch.tensor([prompt])), torch.ones(1, length, dtype=torch.long), torch.arange(length)[None, :],
                                lm.empty_cache(1))
    ids = []
    while True:
        ids.append(int(logits[0, -1].argmax()))
        if ids[-1] == stop or len(ids) >= max_new:
            return ids
        total = length + len(ids)
        logits, past, _ = lm.decode(lm.embed(torch.tensor([[ids[-1]]])), torch.ones(1, total, dtype=torch.long), torch.tensor([[total - 1]]), past)


class Cm3Export(Export):
    def __init__(self, model, meta, report, extras=None):
        super().__init__(model, meta, report, extras)
        self.layout = Layout(**{k: extras["layout"][k] for k in ("words", "codes", "cells")})

    def config(self):
        c, layout = self.model.config, self.layout
        return {"model_type": "shapes_cm3", "architectures": ["ShapesCm3"], "vocab_size": c.vocab_size, "hidden_size": c.hidden_size,
                "num_hidden_layers": c.layers, "num_attention_heads": c.heads, "num_key_value_heads": c.kv_heads, "head_dim": c.head_dim,
                "intermediate_size": c.intermediate_size, "rope_theta": c.rope_theta, "rms_norm_eps": c.rms_eps,
                "max_position_embeddings": c.max_positions, "pad_token_id": 0, "bos_token_id": 2, "eos_token_id": 3,
                "max_caption_tokens": MAX_CAPTION, "image_tokenizer": "shapes-vq", "vocabulary": layout.as_dict()}

    def files(self):
        return {"config.json": self.config(), "tokenizer.json": tokenizer_json(self.meta["vocabulary"]),
                "tokenizer_config.json": tokenizer_config(MAX_CAPTION)}

    def graphs(self):
        return {"decoder_model_merged": decoder_graph(self.model, True)}

    def goldens(self, inputs):
        lm, layout = self.model, self.layout
        _, vq, _ = checkpoint.load(self.extras["vq"], "vq")
        input_ids, attention_mask = golden_captions(inputs)
        captions = [row[row != 0].tolist() for row in input_ids]
        draw_prompts = [ids + [layout.begin_image] for ids in captions]
        drawn = [greedy(lm, p, layout.end_image, layout.cells + 1) for p in draw_prompts]
        # The drawings as shapes-vq decodes them (a cell whose token is not a code gets code 0), so the
        # browser's decoded drawings are checked against PyTorch's pixels.
        side = int(layout.cells ** 0.5)
        grids = torch.tensor([[t - layout.first_code if 0 <= t - layout.first_code < layout.codes else 0
                               for t in (ids[:layout.cells] + [layout.first_code] * layout.cells)[:layout.cells]] for ids in drawn])
        codes = vq.encode(golden_images(inputs))[0]
        caption_prompts = [row.tolist() + [2] for row in layout.image(codes)]
        written = [greedy(lm, p, 3, MAX_CAPTION) for p in caption_prompts]
        first = torch.tensor([draw_prompts[0]])
        logits = lm(first, torch.ones_like(first))
        return {
            "inputs": golden_inputs(inputs, input_ids=input_ids, attention_mask=attention_mask),
            "outputs": {"prefill_logits": golden(logits[0, -1])},
            "draw": {"prompts": draw_prompts, "ids": drawn, "stop": layout.end_image, "max_new_tokens": layout.cells + 1,
                     "pixels": golden(vq.decode(grids.reshape(len(drawn), side, side)))},
            "caption": {"image_codes": codes.reshape(len(codes), -1).tolist(), "prompts": caption_prompts, "ids": written, "stop": 3,
                        "max_new_tokens": MAX_CAPTION,
                        "text": [" ".join(self.meta["vocabulary"][i] for i in ids if 3 < i < layout.begin_image) for ids in written]},
        }
