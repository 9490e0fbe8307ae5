"""A tiny MaskVLM (Kwon et al. 2023, "Masked Vision and Language Modeling for Multi-modal
Representation Learning") in plain PyTorch, at the scale of the bundled tiny CLIP.

  image encoder      ViT over 8 x 8 patches of a 32 px image, with a class token for ITC
  text encoder       bidirectional transformer over the shapes-clip word tokens, pooled at [BOS]
  cross encoders     an image one (patches attend to the text) and a text one (words attend to
                     the patches), each block: self-attention, cross-attention, MLP. As in
                     MaskVLM, each side's keys and values are the other modality's unimodal
                     features, so the two sides can run on their own.
  heads              MIM (normalised pixels of each patch), MLM (word logits), ITM (matching
                     probability), ITC (the two unimodal embeddings)

Masking happens inside the graph: a masked patch's embedding is replaced by a learned image
mask embedding, a masked word's embedding by a learned text mask embedding, so the tokenizer
needs no [MASK] token and one graph serves every masking pattern.

Attention is written by hand (torch 1.13 has no fused attention), which is what lets the
exported graph return the attention probabilities (cross and unimodal self-attention) as outputs.
"""
import math
from dataclasses import dataclass, asdict

import torch
from torch import nn

from forge.blocks import Attention, Block

NEGATIVE = -1e4


@dataclass
class TinyMaskVlmConfig:
    image_size: int = 32
    patch_size: int = 4
    vision_width: int = 64
    vision_layers: int = 3
    vision_heads: int = 4
    vocab_size: int = 36
    max_text_tokens: int = 16
    text_width: int = 64
    text_layers: int = 2
    text_heads: int = 4
    cross_layers: int = 2
    cross_heads: int = 4
    embed_dim: int = 64
    mlp_ratio: int = 4
    logit_scale_init: float = math.log(1 / 0.07)
    pad_id: int = 0
    bos_id: int = 2
    eos_id: int = 3

    @property
    def patches(self):
        return (self.image_size // self.patch_size) ** 2

    @property
    def patch_values(self):
        return self.patch_size * self.patch_size * 3

    def as_dict(self):
        return asdict(self)


def key_padding(attention_mask):
    """attention_mask [batch, L] (1 = real token) -> additive mask [batch, 1, 1, L]."""
    return (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * NEGATIVE


def patchify(pixel_values, patch_size):
    """[batch, 3, S, S] -> [batch, (S/p)^2, p*p*3]: patches row-major, and inside a patch
    (row, column, RGB), channel last. The MIM targets and `reconstructed_patches` use this order."""
    batch, channels, size, _ = pixel_values.shape
    grid = size // patch_size
    x = pixel_values.reshape(batch, channels, grid, patch_size, grid, patch_size)
    return x.permute(0, 2, 4, 3, 5, 1).reshape(batch, grid * grid, patch_size * patch_size * channels)


def sincos_2d(grid, width):
    """[grid * grid, width] fixed position embeddings: sines and cosines of the row in the first
    half of the channels, of the column in the second, at geometric frequencies (MAE's recipe),
    halved so that they do not drown the patch embeddings. With learned positions alone (started
    small, as in CLIP) the patch features kept too little of where they are for a word such as
    "left" to be read from them."""
    quarter = width // 4
    frequencies = 1.0 / (100.0 ** (torch.arange(quarter, dtype=torch.float32) / quarter))
    rows, cols = torch.meshgrid(torch.arange(grid, dtype=torch.float32), torch.arange(grid, dtype=torch.float32), indexing="ij")
    parts = []
    for axis in (rows.flatten(), cols.flatten()):
        angles = axis[:, None] * frequencies[None, :]
        parts += [angles.sin(), angles.cos()]
    return 0.5 * torch.cat(parts, dim=1)


class CrossAttention(nn.Module):
    """Queries from x, keys and values from another modality; returns the probabilities too."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(width, width)
        self.kv = nn.Linear(width, 2 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x, context, mask=None):
        batch, queries, width = x.shape
        keys = context.shape[1]
        head_dim = width // self.heads
        q = self.q(x).reshape(batch, queries, self.heads, head_dim).transpose(1, 2).contiguous()
        kv = self.kv(context).reshape(batch, keys, 2, self.heads, head_dim).permute(2, 0, 3, 1, 4)
        k, v = kv[0].contiguous(), kv[1].contiguous()
        scores = torch.matmul(q, k.transpose(-1, -2)) * (head_dim ** -0.5)
        if mask is not None:
            scores = scores + mask
        probs = scores.softmax(dim=-1)  # [batch, heads, queries, keys]
        out = torch.matmul(probs, v).transpose(1, 2).reshape(batch, queries, width)
        return self.out(out), probs


class CrossBlock(nn.Module):
    """Pre-norm: self-attention, cross-attention to the other modality, MLP."""

    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.ln_self = nn.LayerNorm(width)
        self.self_attn = Attention(width, heads)
        self.ln_cross = nn.LayerNorm(width)
        self.ln_context = nn.LayerNorm(width)
        self.cross_attn = CrossAttention(width, heads)
        self.ln_mlp = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, width * mlp_ratio), nn.GELU(), nn.Linear(width * mlp_ratio, width))

    def forward(self, x, context, self_mask=None, context_mask=None):
        h, _ = self.self_attn(self.ln_self(x), self_mask)
        x = x + h
        h, probs = self.cross_attn(self.ln_cross(x), self.ln_context(context), context_mask)
        x = x + h
        x = x + self.mlp(self.ln_mlp(x))
        return x, probs


class CrossEncoder(nn.Module):
    def __init__(self, width, heads, layers, mlp_ratio):
        super().__init__()
        self.blocks = nn.ModuleList([CrossBlock(width, heads, mlp_ratio) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)

    def forward(self, x, context, self_mask=None, context_mask=None):
        """x [batch, Q, W], context [batch, K, W] -> features [batch, Q, W], attentions [batch, layers, heads, Q, K]"""
        attentions = []
        for block in self.blocks:
            x, probs = block(x, context, self_mask, context_mask)
            attentions.append(probs)
        return self.ln_final(x), torch.stack(attentions, dim=1)


class MaskedVisionEncoder(nn.Module):
    def __init__(self, c: TinyMaskVlmConfig):
        super().__init__()
        self.patch = nn.Conv2d(3, c.vision_width, kernel_size=c.patch_size, stride=c.patch_size)
        self.mask_embedding = nn.Parameter(torch.randn(c.vision_width) * 0.02)
        self.cls = nn.Parameter(torch.randn(c.vision_width) * 0.02)
        self.pos = nn.Parameter(torch.randn(c.patches + 1, c.vision_width) * 0.02)
        # Fixed positions under the learned ones; the text side's keys and values get them too.
        self.register_buffer("patch_positions", sincos_2d(c.image_size // c.patch_size, c.vision_width), persistent=False)
        self.ln_pre = nn.LayerNorm(c.vision_width)
        self.blocks = nn.ModuleList([Block(c.vision_width, c.vision_heads, c.mlp_ratio) for _ in range(c.vision_layers)])
        self.ln_post = nn.LayerNorm(c.vision_width)
        self.proj = nn.Linear(c.vision_width, c.embed_dim, bias=False)

    def forward(self, pixel_values, patch_mask, return_attentions=False):
        """pixel_values [batch, 3, S, S], patch_mask [batch, P] (1 = masked)
        -> embeds [batch, E] (class token, for ITC), patch features [batch, P, W]
        (and, if asked, self-attentions [batch, layers, heads, 1+P, 1+P], class token first)"""
        x = self.patch(pixel_values).flatten(2).transpose(1, 2)
        m = patch_mask.to(torch.float32).unsqueeze(-1)
        x = x * (1 - m) + self.mask_embedding * m
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x + self.patch_positions], dim=1) + self.pos
        x = self.ln_pre(x)
        attentions = []
        for block in self.blocks:
            x, probs = block(x)
            attentions.append(probs)
        x = self.ln_post(x)
        if return_attentions:
            return self.proj(x[:, 0]), x[:, 1:], torch.stack(attentions, dim=1)
        return self.proj(x[:, 0]), x[:, 1:]


class MaskedTextEncoder(nn.Module):
    def __init__(self, c: TinyMaskVlmConfig):
        super().__init__()
        self.token = nn.Embedding(c.vocab_size, c.text_width)
        self.mask_embedding = nn.Parameter(torch.randn(c.text_width) * 0.02)
        self.pos = nn.Parameter(torch.randn(c.max_text_tokens, c.text_width) * 0.01)
        self.blocks = nn.ModuleList([Block(c.text_width, c.text_heads, c.mlp_ratio) for _ in range(c.text_layers)])
        self.ln_final = nn.LayerNorm(c.text_width)
        self.proj = nn.Linear(c.text_width, c.embed_dim, bias=False)

    def forward(self, input_ids, attention_mask, token_mask, return_attentions=False):
        """input_ids, attention_mask, token_mask [batch, L] -> embeds [batch, E] ([BOS], for ITC),
        features [batch, L, W] (and, if asked, self-attentions [batch, layers, heads, L, L]).
        Bidirectional: every word sees the whole caption, padding excluded."""
        tokens = input_ids.shape[1]
        m = token_mask.to(torch.float32).unsqueeze(-1)
        x = self.token(input_ids) * (1 - m) + self.mask_embedding * m + self.pos[:tokens]
        padding = key_padding(attention_mask)
        attentions = []
        for block in self.blocks:
            x, probs = block(x, padding)
            attentions.append(probs)
        x = self.ln_final(x)
        if return_attentions:
            return self.proj(x[:, 0]), x, torch.stack(attentions, dim=1)
        return self.proj(x[:, 0]), x


def head(width, out):
    return nn.Sequential(nn.Linear(width, width), nn.GELU(), nn.LayerNorm(width), nn.Linear(width, out))


class TinyMaskVlm(nn.Module):
    def __init__(self, c: TinyMaskVlmConfig):
        super().__init__()
        assert c.vision_width == c.text_width, "the cross encoders attend across modalities of one width"
        self.config = c
        self.vision = MaskedVisionEncoder(c)
        self.text = MaskedTextEncoder(c)
        self.image_cross = CrossEncoder(c.vision_width, c.cross_heads, c.cross_layers, c.mlp_ratio)
        self.text_cross = CrossEncoder(c.text_width, c.cross_heads, c.cross_layers, c.mlp_ratio)
        self.mim_head = head(c.vision_width, c.patch_values)
        self.mlm_head = head(c.text_width, c.vocab_size)
        self.itm_head = nn.Sequential(nn.Linear(c.vision_width + c.text_width, c.vision_width), nn.GELU(), nn.Linear(c.vision_width, 1))
        self.logit_scale = nn.Parameter(torch.tensor(c.logit_scale_init))

    def image_side(self, image_features, text_features, attention_mask):
        """Patches attend to the words -> features [batch, P, W], attentions [batch, layers, heads, P, L]."""
        return self.image_cross(image_features, text_features, None, key_padding(attention_mask))

    def text_side(self, text_features, image_features, attention_mask):
        """Words attend to the patches (their fixed positions added, so a word can read where a shape
        is) -> features [batch, L, W], attentions [batch, layers, heads, L, P]."""
        return self.text_cross(text_features, image_features + self.vision.patch_positions, key_padding(attention_mask), None)

    def itm_logit(self, image_cross, text_cross):
        """Mean over the patches, [BOS] of the words -> one logit per pair [batch]."""
        pooled = torch.cat([image_cross.mean(dim=1), text_cross[:, 0]], dim=-1)
        return self.itm_head(pooled).squeeze(-1)

    def forward(self, pixel_values, patch_mask, input_ids, attention_mask, token_mask):
        """The exported graph: image b paired with caption b, each masked as asked.

        -> reconstructed_patches [B, P, p*p*3], word_logits [B, L, V],
           image_to_text_attentions [B, layers, heads, P, L], text_to_image_attentions [B, layers, heads, L, P],
           itm_probability [B], image_embeds [B, E], text_embeds [B, E],
           vision_attentions [B, vision layers, heads, 1+P, 1+P] (the ViT blocks, class token first),
           text_attentions [B, text layers, heads, L, L] (the text encoder's blocks)
        The two unimodal self-attentions come last, so the first seven outputs keep their indices.
        """
        image_embeds, image_features, vision_attentions = self.vision(pixel_values, patch_mask, return_attentions=True)
        text_embeds, text_features, text_attentions = self.text(input_ids, attention_mask, token_mask, return_attentions=True)
        image_cross, image_to_text = self.image_side(image_features, text_features, attention_mask)
        text_cross, text_to_image = self.text_side(text_features, image_features, attention_mask)
        reconstructed = self.mim_head(image_cross)
        word_logits = self.mlm_head(text_cross)
        itm_probability = torch.sigmoid(self.itm_logit(image_cross, text_cross))
        return (reconstructed, word_logits, image_to_text, text_to_image, itm_probability, image_embeds, text_embeds,
                vision_attentions, text_attentions)
