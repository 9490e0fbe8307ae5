"""A tiny CLIP in plain PyTorch: a ViT image encoder, a causal text transformer, linear
projections into one embedding space and a learned logit scale.

Attention is written by hand (forge/blocks.py), so the exported graphs return every layer's
attention probabilities as named outputs.
"""
import math
from dataclasses import dataclass, asdict

import torch
from torch import nn

from forge.blocks import Block


@dataclass
class TinyClipConfig:
    image_size: int = 32
    patch_size: int = 4
    vision_width: int = 64
    vision_layers: int = 3
    vision_heads: int = 4
    vocab_size: int = 40
    max_text_tokens: int = 16
    text_width: int = 64
    text_layers: int = 2
    text_heads: int = 4
    embed_dim: int = 64
    mlp_ratio: int = 4
    logit_scale_init: float = math.log(1 / 0.07)
    pad_id: int = 0
    bos_id: int = 2
    eos_id: int = 3

    def as_dict(self):
        return asdict(self)


class VisionEncoder(nn.Module):
    def __init__(self, c: TinyClipConfig):
        super().__init__()
        self.patch = nn.Conv2d(3, c.vision_width, kernel_size=c.patch_size, stride=c.patch_size)
        patches = (c.image_size // c.patch_size) ** 2
        self.cls = nn.Parameter(torch.randn(c.vision_width) * 0.02)
        self.pos = nn.Parameter(torch.randn(patches + 1, c.vision_width) * 0.02)
        self.ln_pre = nn.LayerNorm(c.vision_width)
        self.blocks = nn.ModuleList([Block(c.vision_width, c.vision_heads, c.mlp_ratio) for _ in range(c.vision_layers)])
        self.ln_post = nn.LayerNorm(c.vision_width)
        self.proj = nn.Linear(c.vision_width, c.embed_dim, bias=False)

    def forward(self, pixel_values):
        """pixel_values [batch, 3, S, S] -> embeds [batch, E], hidden [batch, 1+P, W], attentions [batch, layers, heads, 1+P, 1+P]"""
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], dim=1) + self.pos
        x = self.ln_pre(x)
        attentions = []
        for block in self.blocks:
            x, probs = block(x)
            attentions.append(probs)
        embeds = self.proj(self.ln_post(x[:, 0]))
        return embeds, x, torch.stack(attentions, dim=1)


class TextEncoder(nn.Module):
    def __init__(self, c: TinyClipConfig):
        super().__init__()
        self.token = nn.Embedding(c.vocab_size, c.text_width)
        self.pos = nn.Parameter(torch.randn(c.max_text_tokens, c.text_width) * 0.01)
        self.blocks = nn.ModuleList([Block(c.text_width, c.text_heads, c.mlp_ratio) for _ in range(c.text_layers)])
        self.ln_final = nn.LayerNorm(c.text_width)
        self.proj = nn.Linear(c.text_width, c.embed_dim, bias=False)

    def forward(self, input_ids, attention_mask):
        """input_ids, attention_mask [batch, T] -> embeds [batch, E], hidden [batch, T, W], attentions [batch, layers, heads, T, T]

        Causal attention, pooled at the last real token (the EOS unless truncation cut it).
        """
        tokens = input_ids.shape[1]
        x = self.token(input_ids) + self.pos[:tokens]
        causal = torch.full((tokens, tokens), -1e4).triu(1)
        attentions = []
        for block in self.blocks:
            x, probs = block(x, causal)
            attentions.append(probs)
        x = self.ln_final(x)
        last = attention_mask.sum(dim=1) - 1
        pooled = x[torch.arange(x.shape[0]), last]
        return self.proj(pooled), x, torch.stack(attentions, dim=1)


class TinyClip(nn.Module):
    def __init__(self, c: TinyClipConfig):
        super().__init__()
        self.config = c
        self.vision = VisionEncoder(c)
        self.text = TextEncoder(c)
        self.logit_scale = nn.Parameter(torch.tensor(c.logit_scale_init))

    def forward(self, input_ids, pixel_values, attention_mask):
        """The hub's CLIPModel outputs: logits [images, texts], [texts, images] and unit-norm embeddings."""
        image_embeds = nn.functional.normalize(self.vision(pixel_values)[0], dim=-1)
        text_embeds = nn.functional.normalize(self.text(input_ids, attention_mask)[0], dim=-1)
        logits_per_image = self.logit_scale.exp() * image_embeds @ text_embeds.t()
        return logits_per_image, logits_per_image.t(), text_embeds, image_embeds
