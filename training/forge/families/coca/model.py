"""A tiny CoCa (Contrastive Captioner, Yu et al. 2022) in plain PyTorch, at the scale of the
bundled tiny CLIP.

- Image encoder: a ViT over 4 px patches (no class token). Its layer-normed patch tokens are
  what the text decoder cross-attends to; an attentional pooler (one learned query) turns them
  into the contrastive image embedding.
- Text decoder, split in two. Unimodal causal layers (no cross-attention) read the caption with
  a class token appended at its end; that token's output is the contrastive text embedding.
  Multimodal causal layers then cross-attend to the image tokens and predict the next token.

Because attention is causal and the class token comes last, the unimodal outputs of the caption
tokens do not depend on it: the captioning path simply leaves it out.

Attention is written by hand (torch 1.13 has no fused attention), which is also what lets the
exported graphs return the attention probabilities as named outputs.
"""
import math
from dataclasses import dataclass, asdict

import torch
from torch import nn

from forge.blocks import Attention, Block

NEGATIVE = -1e4  # added to masked attention scores; exp() of it underflows to 0 in float32


@dataclass
class TinyCocaConfig:
    image_size: int = 32
    patch_size: int = 4
    vision_width: int = 64
    vision_layers: int = 3
    vision_heads: int = 4
    vocab_size: int = 36
    max_text_tokens: int = 16
    text_width: int = 64
    text_heads: int = 4
    unimodal_layers: int = 2
    multimodal_layers: int = 2
    embed_dim: int = 64
    mlp_ratio: int = 4
    logit_scale_init: float = math.log(1 / 0.07)
    pad_id: int = 0
    bos_id: int = 2
    eos_id: int = 3

    def as_dict(self):
        return asdict(self)


class CrossAttention(nn.Module):
    """Queries from one sequence, keys and values from another (no mask: every patch is visible)."""

    def __init__(self, width, context_width, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width)
        self.kv = nn.Linear(context_width, 2 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x, context):
        """x [batch, Q, W], context [batch, K, C] -> out [batch, Q, W], probs [batch, heads, Q, K]"""
        batch, queries, width = x.shape
        keys = context.shape[1]
        head_dim = width // self.heads
        q = self.q(x).reshape(batch, queries, self.heads, head_dim).transpose(1, 2).contiguous()
        kv = self.kv(context).reshape(batch, keys, 2, self.heads, head_dim).permute(2, 0, 3, 1, 4)
        k, v = kv[0].contiguous(), kv[1].contiguous()
        probs = (torch.matmul(q, k.transpose(-1, -2)) * (head_dim ** -0.5)).softmax(dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(batch, queries, width)
        return self.out(out), probs


class MultimodalBlock(nn.Module):
    """Pre-norm: causal self-attention, cross-attention to the image tokens, MLP."""

    def __init__(self, width, context_width, heads, mlp_ratio):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.cross = CrossAttention(width, context_width, heads)
        self.ln3 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, width * mlp_ratio), nn.GELU(), nn.Linear(width * mlp_ratio, width))

    def forward(self, x, mask, context):
        h, self_probs = self.attn(self.ln1(x), mask)
        x = x + h
        h, cross_probs = self.cross(self.ln2(x), context)
        x = x + h
        x = x + self.mlp(self.ln3(x))
        return x, self_probs, cross_probs


class VisionEncoder(nn.Module):
    def __init__(self, c: TinyCocaConfig):
        super().__init__()
        self.patch = nn.Conv2d(3, c.vision_width, kernel_size=c.patch_size, stride=c.patch_size)
        patches = (c.image_size // c.patch_size) ** 2
        self.pos = nn.Parameter(torch.randn(patches, c.vision_width) * 0.02)
        self.ln_pre = nn.LayerNorm(c.vision_width)
        self.blocks = nn.ModuleList([Block(c.vision_width, c.vision_heads, c.mlp_ratio) for _ in range(c.vision_layers)])
        self.ln_post = nn.LayerNorm(c.vision_width)
        # Attentional pooler: one learned query reads the image tokens for the contrastive embedding.
        self.pool_query = nn.Parameter(torch.randn(1, c.vision_width) * 0.02)
        self.pool = CrossAttention(c.vision_width, c.vision_width, c.vision_heads)
        self.ln_pool = nn.LayerNorm(c.vision_width)
        self.proj = nn.Linear(c.vision_width, c.embed_dim, bias=False)

    def forward(self, pixel_values):
        """pixel_values [batch, 3, S, S] -> image_embeds [batch, E], image_tokens [batch, P, W],
        attentions [batch, layers, heads, P, P]"""
        x = self.patch(pixel_values).flatten(2).transpose(1, 2) + self.pos
        x = self.ln_pre(x)
        attentions = []
        for block in self.blocks:
            x, probs = block(x)
            attentions.append(probs)
        tokens = self.ln_post(x)
        pooled, _ = self.pool(self.pool_query.expand(tokens.shape[0], 1, -1), tokens)
        embeds = self.proj(self.ln_pool(pooled[:, 0]))
        return embeds, tokens, torch.stack(attentions, dim=1)


def decoder_mask(attention_mask, extra_keys=0):
    """Additive mask [batch, 1, T, T]: causal, and padded keys hidden from every query.

    Captions are right-padded, so a real token never sees a pad anyway; the padding term is
    what keeps pads out of the class token's view (and out of pads' own rows, which nobody reads).
    `extra_keys` tokens appended after the caption (the class token) are never padding.
    """
    tokens = attention_mask.shape[1] + extra_keys
    causal = torch.full((tokens, tokens), NEGATIVE).triu(1)
    keys = attention_mask
    if extra_keys:
        keys = torch.cat([attention_mask, torch.ones_like(attention_mask[:, :extra_keys])], dim=1)
    padding = (1 - keys[:, None, None, :].float()) * NEGATIVE
    return causal + padding


class TextDecoder(nn.Module):
    def __init__(self, c: TinyCocaConfig):
        super().__init__()
        self.config = c
        self.token = nn.Embedding(c.vocab_size, c.text_width)
        self.pos = nn.Parameter(torch.randn(c.max_text_tokens, c.text_width) * 0.01)
        # The class token has no position: it sits after the last (padded) position and reads the
        # real tokens by content, so its output does not depend on how much padding there is.
        self.cls = nn.Parameter(torch.randn(c.text_width) * 0.02)
        self.unimodal = nn.ModuleList([Block(c.text_width, c.text_heads, c.mlp_ratio) for _ in range(c.unimodal_layers)])
        self.ln_cls = nn.LayerNorm(c.text_width)
        self.proj = nn.Linear(c.text_width, c.embed_dim, bias=False)
        self.multimodal = nn.ModuleList([
            MultimodalBlock(c.text_width, c.vision_width, c.text_heads, c.mlp_ratio) for _ in range(c.multimodal_layers)
        ])
        self.ln_final = nn.LayerNorm(c.text_width)
        self.lm_head = nn.Linear(c.text_width, c.vocab_size)

    def embed(self, input_ids):
        return self.token(input_ids) + self.pos[: input_ids.shape[1]]

    def contrastive(self, input_ids, attention_mask):
        """input_ids, attention_mask [batch, L] -> text_embeds [batch, E], attentions [batch, unimodal, heads, L+1, L+1]"""
        x = self.embed(input_ids)
        x = torch.cat([x, self.cls.expand(x.shape[0], 1, -1)], dim=1)
        # The class token is the last row: its causal row covers all L real-or-pad keys, and the
        # padding term hides the pads.
        mask = decoder_mask(attention_mask, extra_keys=1)
        attentions = []
        for block in self.unimodal:
            x, probs = block(x, mask)
            attentions.append(probs)
        embeds = self.proj(self.ln_cls(x[:, -1]))
        return embeds, torch.stack(attentions, dim=1)

    def forward(self, input_ids, attention_mask, image_tokens):
        """Teacher-forced next-token logits.

        input_ids, attention_mask [batch, L] (starting with BOS), image_tokens [batch, P, W] ->
        logits [batch, L, V], cross_attentions [batch, multimodal, heads, L, P],
        self_attentions [batch, unimodal + multimodal, heads, L, L]
        """
        x = self.embed(input_ids)
        mask = decoder_mask(attention_mask)
        self_attentions, cross_attentions = [], []
        for block in self.unimodal:
            x, probs = block(x, mask)
            self_attentions.append(probs)
        for block in self.multimodal:
            x, self_probs, cross_probs = block(x, mask, image_tokens)
            self_attentions.append(self_probs)
            cross_attentions.append(cross_probs)
        logits = self.lm_head(self.ln_final(x))
        return logits, torch.stack(cross_attentions, dim=1), torch.stack(self_attentions, dim=1)


class TextTower(nn.Module):
    """The contrastive text encoder alone, with the signature forge.contrastive.retrieval_top1 expects."""

    def __init__(self, decoder: TextDecoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, input_ids, attention_mask):
        embeds, attentions = self.decoder.contrastive(input_ids, attention_mask)
        return embeds, attentions


class TinyCoca(nn.Module):
    def __init__(self, c: TinyCocaConfig):
        super().__init__()
        self.config = c
        self.vision = VisionEncoder(c)
        self.decoder = TextDecoder(c)
        self.logit_scale = nn.Parameter(torch.tensor(c.logit_scale_init))
        # Not registered as a child (that would list the decoder's parameters twice).
        object.__setattr__(self, "text", TextTower(self.decoder))

    @torch.no_grad()
    def generate(self, image_tokens, max_length=None):
        """Greedy captions: start from [BOS], append the arg-max token, stop at [EOS] or when the
        sequence holds max_length tokens (BOS and EOS included). Returns one id list per image."""
        c = self.config
        max_length = max_length or c.max_text_tokens
        batch = image_tokens.shape[0]
        ids = torch.full((batch, 1), c.bos_id, dtype=torch.long)
        done = torch.zeros(batch, dtype=torch.bool)
        while ids.shape[1] < max_length and not bool(done.all()):
            logits = self.decoder(ids, torch.ones_like(ids), image_tokens)[0]
            next_ids = logits[:, -1].argmax(dim=-1)
            next_ids = torch.where(done, torch.full_like(next_ids, c.pad_id), next_ids)
            ids = torch.cat([ids, next_ids[:, None]], dim=1)
            done = done | (next_ids == c.eos_id)
        out = []
        for row in ids.tolist():
            end = row.index(c.eos_id) + 1 if c.eos_id in row else len(row)
            out.append(row[:end])
        return out
