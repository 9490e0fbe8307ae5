"""The cached decoder graph of shapes-lm, in the layout transformers.js runs for Llama decoders
(decoder_model_merged: one graph for the empty and the cached past):

  in   inputs_embeds (or input_ids)  [batch_size, sequence_length(, hidden)]  the new tokens only
       attention_mask   int64 [batch_size, total_sequence_length]  past + new (1 = real)
       position_ids     int64 [batch_size, sequence_length]
       past_key_values.{i}.key / .value  float32 [batch_size, kv_heads, past_sequence_length, head_dim]
  out  logits           [batch_size, sequence_length, vocab]
       present.{i}.key / .value  [batch_size, kv_heads, total_sequence_length, head_dim]
       decoder_attentions.{i}    [batch_size, heads, sequence_length, total_sequence_length]

kv_heads, heads and head_dim are fixed numbers in the graph (transformers.js reads them to build
the empty cache of the first step). shapes-smolvlm's decoder takes embeddings, shapes-lm's own
folder takes ids.

greedy() decodes the way transformers.js's generate does (prefill, then one token per step
through the cache, positions counted from 0), for the goldens.
"""
import torch
from torch import nn

from forge.export import Graph
from forge.families.lm.model import TinyLm


class DecoderGraph(nn.Module):
    def __init__(self, lm: TinyLm, takes_ids: bool):
        super().__init__()
        self.lm, self.takes_ids = lm, takes_ids

    def forward(self, inputs, attention_mask, position_ids, *past):
        embeds = self.lm.embed(inputs) if self.takes_ids else inputs
        logits, presents, attentions = self.lm.decode(embeds, attention_mask, position_ids, list(past))
        return (logits, *presents, *attentions)


def io_names(layers):
    past = [f"past_key_values.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    present = [f"present.{i}.{kind}" for i in range(layers) for kind in ("key", "value")]
    return past, present, [f"decoder_attentions.{i}" for i in range(layers)]


def decoder_graph(lm: TinyLm, takes_ids: bool) -> Graph:
    c = lm.config
    # Two sequences, a cache of 3 and 2 new tokens: neither the goldens' sizes nor decoding's, so
    # the parity tests exercise every dynamic axis.
    batch, past_length, new = 2, 3, 2
    first = "input_ids" if takes_ids else "inputs_embeds"
    inputs = torch.tensor([[5, 6], [7, 3]]) if takes_ids else torch.randn(batch, new, c.hidden_size)
    mask = torch.ones(batch, past_length + new, dtype=torch.long)
    positions = torch.arange(past_length, past_length + new)[None, :].expand(batch, -1).contiguous()
    past = [torch.randn(batch, c.kv_heads, past_length, c.head_dim) for _ in range(2 * c.layers)]
    past_names, present_names, attention_names = io_names(c.layers)
    axes = {first: {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    axes.update({n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names})
    axes.update({n: {0: "batch_size", 2: "total_sequence_length"} for n in present_names})
    axes.update({n: {0: "batch_size", 2: "sequence_length", 3: "total_sequence_length"} for n in attention_names})
    return Graph(DecoderGraph(lm, takes_ids), (inputs, mask, positions, *past), [first, "attention_mask", "position_ids", *past_names],
                 ["logits", *present_names, *attention_names], axes)


@torch.no_grad()
def greedy(lm: TinyLm, embeds, max_new_tokens):
    """Greedy decoding of one prompt given as embeddings [1, L, W]: the new ids (the EOS included
    when reached), the prefill's last logits [V], and per step (prefill first) each layer's
    attention row of the newest query [heads, keys]."""
    c = lm.config
    length = embeds.shape[1]
    mask = torch.ones(1, length, dtype=torch.long)
    logits, past, attentions = lm.decode(embeds, mask, torch.arange(length)[None, :], lm.empty_cache(1))
    prefill_logits = logits[0, -1]
    rows = [[a[0, :, -1] for a in attentions]]
    ids = []
    while True:
        token = int(logits[0, -1].argmax())
        ids.append(token)
        if token == c.eos_id or len(ids) >= max_new_tokens:
            break
        mask = torch.ones(1, length + len(ids), dtype=torch.long)
        position = torch.tensor([[length + len(ids) - 1]])
        logits, past, attentions = lm.decode(lm.embed(torch.tensor([[token]])), mask, position, past)
        rows.append([a[0, :, -1] for a in attentions])
    return ids, prefill_logits, rows
