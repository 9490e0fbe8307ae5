"""shapes-lm: a tiny Llama-style causal decoder (RMSNorm, rotary positions, grouped-query
attention, SwiGLU MLP, tied input and output embeddings), written by hand so that one forward
serves training, the cached decoding graph (decoder_model_merged: new tokens against the keys
and values of the past ones) and the attention probabilities the graph returns.

The decoder takes embeddings, not ids (inputs_embeds), as Llama's decoder graph does in the
hub's vision-language layout: shapes-smolvlm writes image features over the <image> tokens'
embeddings before the decoder sees them.
"""
from dataclasses import asdict, dataclass

import torch
from torch import nn

NEGATIVE = -1e4  # additive mask value: exp() underflows to 0 in float32, and no inf - inf in the graph


@dataclass
class LmConfig:
    vocab_size: int = 101
    hidden_size: int = 128
    layers: int = 4
    heads: int = 4
    kv_heads: int = 2
    intermediate_size: int = 384
    rope_theta: float = 10000.0
    max_positions: int = 256
    rms_eps: float = 1e-5
    pad_id: int = 0
    bos_id: int = 2  # <|im_start|>
    eos_id: int = 3  # <end_of_utterance>

    @property
    def head_dim(self):
        return self.hidden_size // self.heads

    def as_dict(self):
        return asdict(self)


class RmsNorm(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def rotary(x, position_ids, theta):
    """Llama's rotary position embedding of x [batch, heads, tokens, head_dim] at position_ids [batch, tokens]."""
    dim = x.shape[-1]
    inverse = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    angles = position_ids[:, None, :, None].float() * inverse  # [batch, 1, tokens, dim / 2]
    angles = torch.cat([angles, angles], dim=-1)
    return x * angles.cos() + rotate_half(x) * angles.sin()


def decoder_mask(attention_mask, past_length, tokens):
    """Additive mask [batch, 1, new, past + new]: the new query at position past + i sees keys
    0 … past + i, and no padded key."""
    keys = torch.arange(attention_mask.shape[1])
    queries = torch.arange(tokens) + past_length
    causal = (keys[None, :] > queries[:, None]).float() * NEGATIVE
    padding = (1 - attention_mask[:, None, None, :].float()) * NEGATIVE
    return causal + padding


def share_heads(x, heads):
    """[batch, kv_heads, T, d] -> [batch, heads, T, d]: each key/value head serves heads / kv_heads
    query heads in a row (grouped-query attention). Written with expand and reshape, whose sizes
    stay symbolic in the exported graph."""
    batch, kv_heads, tokens, dim = x.shape
    return x[:, :, None].expand(-1, -1, heads // kv_heads, -1, -1).reshape(batch, heads, tokens, dim)


class Attention(nn.Module):
    def __init__(self, c: LmConfig):
        super().__init__()
        self.c = c
        self.q = nn.Linear(c.hidden_size, c.heads * c.head_dim, bias=False)
        self.k = nn.Linear(c.hidden_size, c.kv_heads * c.head_dim, bias=False)
        self.v = nn.Linear(c.hidden_size, c.kv_heads * c.head_dim, bias=False)
        self.o = nn.Linear(c.heads * c.head_dim, c.hidden_size, bias=False)

    def forward(self, x, mask, position_ids, past_key, past_value):
        """x [batch, new, W] -> out, probs [batch, heads, new, past + new], key and value [batch, kv_heads, past + new, head_dim]"""
        c = self.c
        batch, tokens, _ = x.shape
        q = self.q(x).reshape(batch, tokens, c.heads, c.head_dim).transpose(1, 2)
        k = self.k(x).reshape(batch, tokens, c.kv_heads, c.head_dim).transpose(1, 2)
        v = self.v(x).reshape(batch, tokens, c.kv_heads, c.head_dim).transpose(1, 2)
        q = rotary(q, position_ids, c.rope_theta).contiguous()
        k = rotary(k, position_ids, c.rope_theta)
        key = torch.cat([past_key, k], dim=2)
        value = torch.cat([past_value, v], dim=2)
        keys = share_heads(key, c.heads).contiguous()
        values = share_heads(value, c.heads)
        scores = torch.matmul(q, keys.transpose(-1, -2)) * (c.head_dim ** -0.5) + mask
        probs = scores.softmax(dim=-1)
        out = torch.matmul(probs, values).transpose(1, 2).reshape(batch, tokens, c.heads * c.head_dim)
        return self.o(out), probs, key, value


class Mlp(nn.Module):
    def __init__(self, c: LmConfig):
        super().__init__()
        self.gate = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down(nn.functional.silu(self.gate(x)) * self.up(x))


class Layer(nn.Module):
    def __init__(self, c: LmConfig):
        super().__init__()
        self.norm1 = RmsNorm(c.hidden_size, c.rms_eps)
        self.attn = Attention(c)
        self.norm2 = RmsNorm(c.hidden_size, c.rms_eps)
        self.mlp = Mlp(c)

    def forward(self, x, mask, position_ids, past_key, past_value):
        h, probs, key, value = self.attn(self.norm1(x), mask, position_ids, past_key, past_value)
        x = x + h
        return x + self.mlp(self.norm2(x)), probs, key, value


class TinyLm(nn.Module):
    def __init__(self, c: LmConfig):
        super().__init__()
        self.config = c
        self.embed = nn.Embedding(c.vocab_size, c.hidden_size)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c.layers)])
        self.norm = RmsNorm(c.hidden_size, c.rms_eps)

    def empty_cache(self, batch):
        c = self.config
        return [torch.zeros(batch, c.kv_heads, 0, c.head_dim) for _ in range(2 * c.layers)]

    def decode(self, inputs_embeds, attention_mask, position_ids, past):
        """The decoder over new embeddings given the past keys and values ->
        logits [batch, new, V], presents (key, value per layer), attentions (per layer)."""
        tokens = inputs_embeds.shape[1]
        mask = decoder_mask(attention_mask, past[0].shape[2], tokens)
        x = inputs_embeds
        presents, attentions = [], []
        for i, layer in enumerate(self.layers):
            x, probs, key, value = layer(x, mask, position_ids, past[2 * i], past[2 * i + 1])
            presents += [key, value]
            attentions.append(probs)
        logits = nn.functional.linear(self.norm(x), self.embed.weight)
        return logits, presents, attentions

    def forward(self, input_ids, attention_mask):
        """Teacher-forced logits of right-padded ids [batch, T] (positions 0 … T - 1)."""
        positions = torch.arange(input_ids.shape[1])[None, :].expand(input_ids.shape[0], -1)
        return self.decode(self.embed(input_ids), attention_mask, positions, self.empty_cache(input_ids.shape[0]))[0]
