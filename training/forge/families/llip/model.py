"""A tiny Llip (Lavoie et al. 2024, "Modeling Caption Diversity in Contrastive Vision-Language
Pretraining") in plain PyTorch, at the scale of the tiny CLIP (families/clip/model.py).

The ViT starts from K learnable mixture tokens instead of CLIP's single class token; after the
blocks each mixture token is layer-normed and projected into the shared embedding space. A
cross-attention head then mixes them per caption: the caption's text embedding is the query,
the K mixture tokens are the keys and values, so an image has one embedding per caption (its
"contextual" embedding), and the logit of (image i, caption j) is the scaled cosine of the
embedding of image i given caption j with the embedding of caption j.
"""
import math
from dataclasses import dataclass

import torch
from torch import nn

from forge.blocks import Block
from forge.families.clip.model import TextEncoder, TinyClipConfig


@dataclass
class TinyLlipConfig(TinyClipConfig):
    mixture_tokens: int = 8
    cross_heads: int = 4
    # Divides the cross-attention scores after the usual 1/sqrt(head_dim): above 1 the mixing
    # weights start softer, so every mixture token gets gradient early in training.
    cross_temperature: float = 1.0


class MixtureVisionEncoder(nn.Module):
    def __init__(self, c: TinyLlipConfig):
        super().__init__()
        self.patch = nn.Conv2d(3, c.vision_width, kernel_size=c.patch_size, stride=c.patch_size)
        patches = (c.image_size // c.patch_size) ** 2
        self.mixture = nn.Parameter(torch.randn(c.mixture_tokens, c.vision_width) * 0.02)
        # Positions for the patches only: the mixture tokens are learned and already distinct.
        self.pos = nn.Parameter(torch.randn(patches, c.vision_width) * 0.02)
        self.ln_pre = nn.LayerNorm(c.vision_width)
        self.blocks = nn.ModuleList([Block(c.vision_width, c.vision_heads, c.mlp_ratio) for _ in range(c.vision_layers)])
        self.ln_post = nn.LayerNorm(c.vision_width)
        self.proj = nn.Linear(c.vision_width, c.embed_dim, bias=False)
        self.mixture_tokens = c.mixture_tokens

    def forward(self, pixel_values):
        """pixel_values [batch, 3, S, S] -> mixture tokens [batch, K, D] (projected, not normalised),
        hidden [batch, K+P, W], attentions [batch, layers, heads, K+P, K+P] (mixture tokens first)."""
        x = self.patch(pixel_values).flatten(2).transpose(1, 2) + self.pos
        x = torch.cat([self.mixture.expand(x.shape[0], -1, -1), x], dim=1)
        x = self.ln_pre(x)
        attentions = []
        for block in self.blocks:
            x, probs = block(x)
            attentions.append(probs)
        mixture = self.proj(self.ln_post(x[:, : self.mixture_tokens]))
        return mixture, x, torch.stack(attentions, dim=1)


class MixtureCrossAttention(nn.Module):
    """Caption-conditioned mixing of the K mixture tokens, one softmax over K per head."""

    def __init__(self, dim, heads, temperature):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        # A Python number, so the exported graph holds it as a constant.
        self.score_scale = 1.0 / (math.sqrt(self.head_dim) * temperature)
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, mixture, text_embeds):
        """mixture [B, K, D], text_embeds [T, D] -> weights [B, T, H, K], image embeds [B, T, D].

        Every image is mixed for every caption: row b, column t is image b as caption t sees it.
        """
        batch, tokens, dim = mixture.shape
        heads, head_dim = self.heads, self.head_dim
        q = self.q(text_embeds).reshape(-1, heads, head_dim).permute(1, 2, 0).contiguous()  # [H, d, T]
        k = self.k(mixture).reshape(batch, tokens, heads, head_dim).transpose(1, 2).contiguous()  # [B, H, K, d]
        v = self.v(mixture).reshape(batch, tokens, heads, head_dim).transpose(1, 2).contiguous()  # [B, H, K, d]
        scores = torch.matmul(k, q) * self.score_scale  # [B, H, K, T]
        weights = scores.permute(0, 3, 1, 2).softmax(dim=-1)  # [B, T, H, K]
        mixed = torch.matmul(weights.transpose(1, 2), v)  # [B, H, T, d]
        mixed = mixed.transpose(1, 2).reshape(batch, -1, dim)  # [B, T, D], heads concatenated
        return weights, self.out(mixed)


class TinyLlip(nn.Module):
    def __init__(self, c: TinyLlipConfig):
        super().__init__()
        self.config = c
        self.vision = MixtureVisionEncoder(c)
        self.text = TextEncoder(c)
        self.cross = MixtureCrossAttention(c.embed_dim, c.cross_heads, c.cross_temperature)
        self.logit_scale = nn.Parameter(torch.tensor(c.logit_scale_init))

    def head(self, mixture, text_embeds):
        """mixture [B, K, D], text_embeds [T, D] -> weights [B, T, H, K], image embeds [B, T, D]
        (contextual, not normalised), logits [B, T] = scale · cos(image b given caption t, caption t)."""
        weights, image_embeds = self.cross(mixture, text_embeds)
        similarity = (nn.functional.normalize(image_embeds, dim=-1) * nn.functional.normalize(text_embeds, dim=-1)).sum(dim=-1)
        return weights, image_embeds, self.logit_scale.exp() * similarity

    def forward(self, input_ids, pixel_values, attention_mask):
        """Logits [images, texts]."""
        mixture = self.vision(pixel_values)[0]
        text_embeds = self.text(input_ids, attention_mask)[0]
        return self.head(mixture, text_embeds)[2]
