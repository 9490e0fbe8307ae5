"""CoCa's text decoder with a key/value cache, in the Llama-style layout transformers.js uses for
decoder_model_merged graphs, so one decoding loop can serve CoCa and later decoder-only models.

  onnx/decoder_model_merged.onnx
    in   input_ids        int64   [batch_size, sequence_length]        the new tokens only
         attention_mask   int64   [batch_size, total_sequence_length]  past + new (1 = real)
         image_tokens     float32 [batch_size, patches, vision_width]  the vision graph's output
         past_key_values.{i}.key / .value
                          float32 [batch_size, heads, past_sequence_length, head_dim]
                          for every causal self-attention layer: i < unimodal layers are the
                          unimodal ones, the multimodal ones follow
    out  logits           [batch_size, sequence_length, vocab]
         present.{i}.key / .value
                          [batch_size, heads, total_sequence_length, head_dim]
         cross_attentions [batch_size, multimodal layers, heads, sequence_length, patches]
         self_attentions  [batch_size, unimodal + multimodal layers, heads, sequence_length,
                          total_sequence_length]
  Positions are past_sequence_length + 0 … new - 1, as in the uncached decoder; heads and
  head_dim are fixed numbers in the graph (the caller reads them to build an empty cache).

With an empty cache (past_sequence_length 0) the graph is the whole teacher-forced decoder, so
it also serves evaluation and parity. The cross-attention keys and values are recomputed from
image_tokens at every step: 64 patches cost less than carrying them as more cache entries.

CocaExport (export.py) calls add_cached once the folder is written, so every export has the graph
and its goldens (goldens.json's "cached_decoder"). For a folder exported without them, from its
checkpoint (`forge recover coca` rebuilds the shipped one's from its graphs):

  PYTHONPATH=training /usr/bin/python3 -m forge.families.coca.cached_decoder [--model DIR] [--checkpoint PATH]

writes the graph and adds its goldens to goldens.json, leaving the rest of that file as it was.
"""
import json
import os

import onnx
import torch
from torch import nn

from forge.export import Graph, export_graph, rounded
from forge.families.coca.model import NEGATIVE, TinyCoca, TinyCocaConfig

GRAPH = "decoder_model_merged"
GOLDENS_KEY = "cached_decoder"  # its goldens, a key of goldens.json


def cached_self_attention(attn, x, mask, past_key, past_value):
    """The causal self-attention of forge.blocks.Attention over the cached keys and values plus the
    new ones. x [batch, new, W], mask [batch, 1, new, past + new] ->
    out [batch, new, W], probs [batch, heads, new, past + new], key and value [batch, heads, past + new, W / heads]"""
    batch, tokens, width = x.shape
    head_dim = width // attn.heads
    qkv = attn.qkv(x).reshape(batch, tokens, 3, attn.heads, head_dim).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0].contiguous(), qkv[1].contiguous(), qkv[2].contiguous()
    key = torch.cat([past_key, k], dim=2)
    value = torch.cat([past_value, v], dim=2)
    scores = torch.matmul(q, key.transpose(-1, -2)) * (head_dim ** -0.5) + mask
    probs = scores.softmax(dim=-1)
    out = torch.matmul(probs, value).transpose(1, 2).reshape(batch, tokens, width)
    return attn.out(out), probs, key, value


def cached_mask(attention_mask, past, tokens):
    """Additive mask [batch, 1, new, past + new]: the new query at position past + i sees keys
    0 … past + i, and no padded key (tiny_coca.decoder_mask's values, rows past … past + new - 1)."""
    keys = torch.arange(attention_mask.shape[1])
    queries = torch.arange(tokens) + past
    causal = (keys[None, :] > queries[:, None]).float() * NEGATIVE
    padding = (1 - attention_mask[:, None, None, :].float()) * NEGATIVE
    return causal + padding


class CachedDecoderGraph(nn.Module):
    """TinyCoca's TextDecoder.forward over new tokens, given the keys and values of the past ones."""

    def __init__(self, model: TinyCoca):
        super().__init__()
        self.decoder = model.decoder

    def forward(self, input_ids, attention_mask, image_tokens, *past):
        d = self.decoder
        past_length = past[0].shape[2]
        tokens = input_ids.shape[1]
        x = d.token(input_ids) + d.pos[torch.arange(tokens) + past_length]
        mask = cached_mask(attention_mask, past_length, tokens)
        presents, self_attentions, cross_attentions = [], [], []
        for i, block in enumerate(list(d.unimodal) + list(d.multimodal)):
            h, probs, key, value = cached_self_attention(block.attn, block.ln1(x), mask, past[2 * i], past[2 * i + 1])
            x = x + h
            if i >= len(d.unimodal):
                h, cross = block.cross(block.ln2(x), image_tokens)
                x = x + h
                x = x + block.mlp(block.ln3(x))
                cross_attentions.append(cross)
            else:
                x = x + block.mlp(block.ln2(x))
            presents += [key, value]
            self_attentions.append(probs)
        logits = d.lm_head(d.ln_final(x))
        return (logits, *presents, torch.stack(cross_attentions, dim=1), torch.stack(self_attentions, dim=1))


def layer_count(c: TinyCocaConfig):
    return c.unimodal_layers + c.multimodal_layers


def empty_cache(c: TinyCocaConfig, batch):
    head_dim = c.text_width // c.text_heads
    return [torch.zeros(batch, c.text_heads, 0, head_dim) for _ in range(2 * layer_count(c))]


def io_names(c: TinyCocaConfig):
    layers = range(layer_count(c))
    past = [f"past_key_values.{i}.{kind}" for i in layers for kind in ("key", "value")]
    present = [f"present.{i}.{kind}" for i in layers for kind in ("key", "value")]
    return ["input_ids", "attention_mask", "image_tokens", *past], ["logits", *present, "cross_attentions", "self_attentions"]


def cached_graph(model: TinyCoca) -> Graph:
    """The graph's export spec, for CocaExport.graphs."""
    c = model.config
    patches = (c.image_size // c.patch_size) ** 2
    head_dim = c.text_width // c.text_heads
    # A non-empty cache and two new tokens, neither the sizes of the goldens nor of decoding,
    # so the parity tests exercise every dynamic axis.
    past_length, batch = 3, 2
    ids = torch.tensor([[5, 6], [7, 3]])
    mask = torch.ones(batch, past_length + 2, dtype=torch.long)
    image_tokens = torch.randn(batch, patches, c.vision_width)
    past = [torch.randn(batch, c.text_heads, past_length, head_dim) for _ in range(2 * layer_count(c))]
    inputs, outputs = io_names(c)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "image_tokens": {0: "batch_size"},
            "logits": {0: "batch_size", 1: "sequence_length"},
            "cross_attentions": {0: "batch_size", 3: "sequence_length"},
            "self_attentions": {0: "batch_size", 3: "sequence_length", 4: "total_sequence_length"}}
    for name in inputs[3:]:
        axes[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in outputs[1:-2]:
        axes[name] = {0: "batch_size", 2: "total_sequence_length"}
    return Graph(CachedDecoderGraph(model), (ids, mask, image_tokens, *past), inputs, outputs, axes)


@torch.no_grad()
def cached_greedy(model: TinyCoca, image_tokens):
    """Greedy caption of one image ([1, P, W]), one token per step through the cache: the ids,
    and each step's logits [V], cross-attentions [M, H, P] and self-attentions [layers, H, past + 1]."""
    c = model.config
    graph = CachedDecoderGraph(model)
    ids, past = [c.bos_id], empty_cache(c, 1)
    steps = []
    while len(ids) < c.max_text_tokens:
        out = graph(torch.tensor([[ids[-1]]]), torch.ones(1, len(ids), dtype=torch.long), image_tokens, *past)
        logits, past = out[0], list(out[1:-2])
        steps.append({"logits": logits[0, -1], "cross": out[-2][0, :, :, -1], "self": out[-1][0, :, :, -1]})
        ids.append(int(logits[0, -1].argmax()))
        if ids[-1] == c.eos_id:
            break
    return ids, steps


@torch.no_grad()
def cached_goldens(model: TinyCoca, image_tokens):
    """PyTorch reference for the cached decoder on the golden images' tokens [images, P, W]:
    each image's greedy caption decoded through the cache, every step's logits for the new
    position, and image 0's per-step attentions (all images' would make the file large)."""
    model.eval()
    captions, logits = [], []
    attentions = None
    for i in range(image_tokens.shape[0]):
        ids, steps = cached_greedy(model, image_tokens[i:i + 1])
        captions.append(ids)
        logits.append(rounded(torch.stack([s["logits"] for s in steps])))
        if i == 0:
            attentions = {"cross": [rounded(s["cross"]) for s in steps],
                          "self": [rounded(s["self"]) for s in steps]}
    uncached = model.generate(image_tokens)
    if captions != uncached:
        raise SystemExit(f"cached greedy captions {captions} differ from TinyCoca.generate's {uncached}")
    c = model.config
    return {
        "about": f"Greedy captions of the golden images decoded one token per step through {GRAPH}'s cache, "
                 "from [BOS], until [EOS] or max_length tokens. step_logits[i]: the logits of every step k "
                 "(input token ids[i][k] after k cached tokens), [steps, V] flattened. Image 0's "
                 "cross_attentions[k] [multimodal layers, heads, patches] and self_attentions[k] "
                 "[unimodal + multimodal layers, heads, k + 1] are step k's rows for its new position.",
        "max_length": c.max_text_tokens, "bos_token_id": c.bos_id, "eos_token_id": c.eos_id,
        "ids": captions,
        "step_logits": logits,
        "image0": {"cross_attentions": attentions["cross"], "self_attentions": attentions["self"]},
    }


def add_cached(model: TinyCoca, out):
    """Writes the graph into an exported model folder and adds its goldens to goldens.json (the
    rest of the file is left as it was: the same values written the same way)."""
    model.eval()
    path = os.path.join(out, "onnx", f"{GRAPH}.onnx")
    with torch.no_grad():
        export_graph(cached_graph(model), path)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    path = os.path.join(out, "goldens.json")
    with open(path) as f:
        goldens = json.load(f)
    pixel_values = torch.tensor(goldens["inputs"]["pixel_values"]["data"]).reshape(goldens["inputs"]["pixel_values"]["dims"])
    with torch.no_grad():
        image_tokens = model.vision(pixel_values)[1]
    goldens[GOLDENS_KEY] = cached_goldens(model, image_tokens)
    with open(path, "w") as f:
        json.dump(goldens, f, separators=(",", ":"), ensure_ascii=False)
    print(f"{GRAPH}: greedy captions through the cache equal TinyCoca.generate's; goldens.json has them as {GOLDENS_KEY}", flush=True)


def main():
    import argparse
    from forge import checkpoint
    parser = argparse.ArgumentParser(prog="forge.families.coca.cached_decoder")
    parser.add_argument("--model", default="static/models/shapes-coca")
    parser.add_argument("--checkpoint", default=checkpoint.default_path("coca"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    _, model, _ = checkpoint.load(args.checkpoint, "coca")
    add_cached(model, args.model)


if __name__ == "__main__":
    main()
