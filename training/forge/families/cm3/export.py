"""shapes-cm3 as a model folder: onnx/decoder_model_merged.onnx in shapes-lm's Llama layout
(input_ids, attention_mask, position_ids, past_key_values.* -> logits, present.*,
decoder_attentions.*), the ShapesWorld word tokenizer for the caption part, and a config that
says where the markers and shapes-vq's codes sit in the vocabulary. Goldens: greedy drawings of
the golden captions (prompt [BOS] words [EOS] <image>, up to 64 codes and </image>; their pixels
as shapes-vq decodes them), the same drawings with classifier-free guidance at the scale the
Token lab draws with by default (the unconditional prompt is <image> alone, which the image-first
training rows teach; each step kept to the image's grammar: 64 codes, then </image>), and greedy captions of the golden images' codes (prompt <image> codes
</image> [BOS], up to [EOS])."""
import torch

from forge import checkpoint
from forge.data import golden_captions, golden_images
from forge.export import Export, golden, golden_inputs, tokenizer_config, tokenizer_json
from forge.families.cm3.vocabulary import Layout
from forge.families.lm.graphs import decoder_graph

MAX_CAPTION = 16
# The guidance scale the Token lab draws with by default (config.json `guidance_scale`), chosen by
# the held-out evaluation (training/eval/cm3.ts) among the scales it measures.
GUIDANCE = 2


class Reader:
    """One sequence read through the cache, as the TypeScript loop reads it: the prompt in one
    step, then one token a step at its position; `logits` are the newest position's."""

    def __init__(self, lm, prompt):
        self.lm, self.length = lm, len(prompt)
        self.logits, self.past, _ = lm.decode(lm.embed(torch.tensor([prompt])), torch.ones(1, self.length, dtype=torch.long),
                                              torch.arange(self.length)[None, :], lm.empty_cache(1))
        self.logits = self.logits[0, -1]

    def read(self, token):
        self.length += 1
        logits, self.past, _ = self.lm.decode(self.lm.embed(torch.tensor([[token]])), torch.ones(1, self.length, dtype=torch.long),
                                              torch.tensor([[self.length - 1]]), self.past)
        self.logits = logits[0, -1]


@torch.no_grad()
def greedy(lm, prompt, stop, max_new, unconditional=None, scale=1.0, layout=None):
    """Greedy decoding through the cache -> new ids (stop included). With an `unconditional`
    prompt, classifier-free guidance as CM3leon samples images: a second sequence reads that
    prompt and the same chosen tokens, and each step chooses from uncond + scale · (cond − uncond),
    kept to the image's grammar (`layout`: codes, then </image>)."""
    reader = Reader(lm, prompt)
    other = Reader(lm, unconditional) if unconditional is not None else None
    ids = []
    while True:
        logits = reader.logits if other is None else image_grammar(layout, guided(reader.logits, other.logits, scale), len(ids))
        ids.append(int(logits.argmax()))
        if ids[-1] == stop or len(ids) >= max_new:
            return ids
        reader.read(ids[-1])
        if other is not None:
            other.read(ids[-1])


def guided(conditional, unconditional, scale):
    """Classifier-free guidance on one position's logits (scale 1: the conditional ones)."""
    return unconditional + scale * (conditional - unconditional)


def image_grammar(layout, logits, index):
    """A drawing's step `index` kept to the image's grammar: a code at each of the first `cells`
    steps, then </image>; every other token -inf. Guidance needs it: pushing cond away from uncond
    can lift a token both find unlikely (a word, a marker) above every code."""
    kept = torch.full_like(logits, float("-inf"))
    if index < layout.cells:
        kept[layout.first_code:layout.first_code + layout.codes] = logits[layout.first_code:layout.first_code + layout.codes]
    else:
        kept[layout.end_image] = logits[layout.end_image]
    return kept


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
                "max_caption_tokens": MAX_CAPTION, "guidance_scale": GUIDANCE, "image_tokenizer": "shapes-vq", "vocabulary": layout.as_dict()}

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
        unconditional = [layout.begin_image]
        guided_drawn = [greedy(lm, p, layout.end_image, layout.cells + 1, unconditional, GUIDANCE, layout) for p in draw_prompts]
        side = int(layout.cells ** 0.5)

        def pixels(drawings):
            """The drawings as shapes-vq decodes them (a cell whose token is not a code gets code 0), so the
            browser's decoded drawings are checked against PyTorch's pixels."""
            grids = torch.tensor([[t - layout.first_code if 0 <= t - layout.first_code < layout.codes else 0
                                   for t in (ids[:layout.cells] + [layout.first_code] * layout.cells)[:layout.cells]] for ids in drawings])
            return golden(vq.decode(grids.reshape(len(drawings), side, side)))

        codes = vq.encode(golden_images(inputs))[0]
        caption_prompts = [row.tolist() + [2] for row in layout.image(codes)]
        written = [greedy(lm, p, 3, MAX_CAPTION) for p in caption_prompts]
        first = torch.tensor([draw_prompts[0]])
        logits = lm(first, torch.ones_like(first))
        return {
            "inputs": golden_inputs(inputs, input_ids=input_ids, attention_mask=attention_mask),
            "outputs": {"prefill_logits": golden(logits[0, -1])},
            "draw": {"prompts": draw_prompts, "ids": drawn, "stop": layout.end_image, "max_new_tokens": layout.cells + 1,
                     "pixels": pixels(drawn)},
            "guided_draw": {"scale": GUIDANCE, "unconditional_prompt": unconditional, "prompts": draw_prompts, "ids": guided_drawn,
                            "stop": layout.end_image, "max_new_tokens": layout.cells + 1, "pixels": pixels(guided_drawn)},
            "caption": {"image_codes": codes.reshape(len(codes), -1).tolist(), "prompts": caption_prompts, "ids": written, "stop": 3,
                        "max_new_tokens": MAX_CAPTION,
                        "text": [" ".join(self.meta["vocabulary"][i] for i in ids if 3 < i < layout.begin_image) for ids in written]},
        }
