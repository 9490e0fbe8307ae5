"""A tiny SigLIP in plain PyTorch, shaped like Hugging Face's SiglipModel so that its export
loads in transformers.js exactly as a hub SigLIP does:

- vision: a ViT over patches with NO class token (post-layer-norm), pooled by a multi-head
  attention pooling ("MAP") head: one learned probe query attends over the patch tokens, then
  layer norm + MLP with a residual (HF's SiglipMultiheadAttentionPoolingHead);
- text: a BIDIRECTIONAL transformer over all positions (pads included, as SigLIP is always fed
  `padding: 'max_length'` and has no attention mask), pooled at the LAST position
  (HF: `pooled_output = last_hidden_state[:, -1, :]`), then a linear head;
- a learned temperature t (stored as log t) and bias b for the sigmoid loss.

Transformer blocks and hand-written attention are those of forge/blocks.py (pre-norm, GELU,
returning attention probabilities so the exported graphs can output them).
"""
import math
from dataclasses import dataclass, asdict

import torch
from torch import nn

from forge.blocks import Block


@dataclass
class TinySiglipConfig:
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
    mlp_ratio: int = 4
    # Patch position embeddings start as a 2D sine-cosine grid of this amplitude (then learned).
    # With the usual tiny random init (std 0.02) the pooled image embedding carries almost no
    # position at init, and under the sigmoid loss the model never left that state (left/right
    # captions stayed at chance for 2000+ steps); a strong, smooth position code lets it.
    vision_pos_amplitude: float = 2.0
    logit_scale_init: float = math.log(10.0)  # the paper's t' (t = exp t' = 10)
    logit_bias_init: float = -10.0  # the paper's b: starts every pair as "false"
    pad_id: int = 1  # SigLIP pads with its EOS "</s>"
    eos_id: int = 1
    unk_id: int = 2

    def as_dict(self):
        return asdict(self)


def sincos_2d(side, width, temperature=10000.0):
    """[side * side, width]: sin and cos of the column, then of the row, at width / 4 frequencies each (MAE's grid)."""
    row, column = torch.meshgrid(torch.arange(side, dtype=torch.float32), torch.arange(side, dtype=torch.float32), indexing="ij")
    omega = 1.0 / temperature ** (torch.arange(width // 4) / (width // 4))
    column, row = column.flatten()[:, None] * omega, row.flatten()[:, None] * omega
    return torch.cat([column.sin(), column.cos(), row.sin(), row.cos()], dim=1)


class PoolingHead(nn.Module):
    """A learned probe attends over the tokens (multi-head), then x + MLP(LN(x)). Returns the
    pooled vector [batch, W] and the probe's attention probabilities [batch, heads, 1, tokens]."""

    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.heads = heads
        self.probe = nn.Parameter(torch.randn(1, 1, width) * 0.02)
        self.q = nn.Linear(width, width)
        self.kv = nn.Linear(width, 2 * width)
        self.out = nn.Linear(width, width)
        self.ln = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, width * mlp_ratio), nn.GELU(), nn.Linear(width * mlp_ratio, width))

    def forward(self, x):
        batch, tokens, width = x.shape
        head_dim = width // self.heads
        q = self.q(self.probe).reshape(1, 1, self.heads, head_dim).transpose(1, 2).expand(batch, -1, -1, -1).contiguous()
        kv = self.kv(x).reshape(batch, tokens, 2, self.heads, head_dim).permute(2, 0, 3, 1, 4)
        k, v = kv[0].contiguous(), kv[1].contiguous()
        probs = (torch.matmul(q, k.transpose(-1, -2)) * (head_dim ** -0.5)).softmax(dim=-1)  # [batch, heads, 1, tokens]
        pooled = self.out(torch.matmul(probs, v).transpose(1, 2).reshape(batch, 1, width))
        pooled = pooled + self.mlp(self.ln(pooled))
        return pooled[:, 0], probs


class VisionEncoder(nn.Module):
    def __init__(self, c: TinySiglipConfig):
        super().__init__()
        self.patch = nn.Conv2d(3, c.vision_width, kernel_size=c.patch_size, stride=c.patch_size)
        patches = (c.image_size // c.patch_size) ** 2
        self.pos = nn.Parameter(sincos_2d(c.image_size // c.patch_size, c.vision_width) * c.vision_pos_amplitude)
        self.blocks = nn.ModuleList([Block(c.vision_width, c.vision_heads, c.mlp_ratio) for _ in range(c.vision_layers)])
        self.ln_post = nn.LayerNorm(c.vision_width)
        self.head = PoolingHead(c.vision_width, c.vision_heads, c.mlp_ratio)

    def forward(self, pixel_values):
        """pixel_values [batch, 3, S, S] -> pooled [batch, W], hidden [batch, P, W],
        attentions [batch, layers, heads, P, P], pooling attentions [batch, heads, 1, P]"""
        x = self.patch(pixel_values).flatten(2).transpose(1, 2) + self.pos
        attentions = []
        for block in self.blocks:
            x, probs = block(x)
            attentions.append(probs)
        x = self.ln_post(x)
        pooled, pooling = self.head(x)
        return pooled, x, torch.stack(attentions, dim=1), pooling


class TextEncoder(nn.Module):
    def __init__(self, c: TinySiglipConfig):
        super().__init__()
        self.token = nn.Embedding(c.vocab_size, c.text_width)
        self.pos = nn.Parameter(torch.randn(c.max_text_tokens, c.text_width) * 0.01)
        self.blocks = nn.ModuleList([Block(c.text_width, c.text_heads, c.mlp_ratio) for _ in range(c.text_layers)])
        self.ln_final = nn.LayerNorm(c.text_width)
        self.head = nn.Linear(c.text_width, c.text_width)

    def forward(self, input_ids):
        """input_ids [batch, T] (padded to max length) -> pooled [batch, W], hidden [batch, T, W],
        attentions [batch, layers, heads, T, T]. No mask: every position sees every other."""
        x = self.token(input_ids) + self.pos[: input_ids.shape[1]]
        attentions = []
        for block in self.blocks:
            x, probs = block(x)
            attentions.append(probs)
        x = self.ln_final(x)
        return self.head(x[:, -1]), x, torch.stack(attentions, dim=1)


class TinySiglip(nn.Module):
    def __init__(self, c: TinySiglipConfig):
        super().__init__()
        self.config = c
        self.vision = VisionEncoder(c)
        self.text = TextEncoder(c)
        self.logit_scale = nn.Parameter(torch.tensor(c.logit_scale_init))
        self.logit_bias = nn.Parameter(torch.tensor(c.logit_bias_init))

    def logits(self, text_embeds, image_embeds):
        """[texts, images] = cos * exp(logit_scale) + logit_bias, on unit-norm embeddings."""
        return text_embeds @ image_embeds.t() * self.logit_scale.exp() + self.logit_bias

    def forward(self, input_ids, pixel_values):
        """The hub's SiglipModel outputs: logits_per_image [images, texts], logits_per_text [texts, images],
        unit-norm text_embeds and image_embeds."""
        image_embeds = nn.functional.normalize(self.vision(pixel_values)[0], dim=-1)
        text_embeds = nn.functional.normalize(self.text(input_ids)[0], dim=-1)
        logits_per_text = self.logits(text_embeds, image_embeds)
        return logits_per_text.t(), logits_per_text, text_embeds, image_embeds


def sigmoid_loss(logits_per_text, positives):
    """The SigLIP loss over every (image i, caption j) pair: z_ij = +1 when caption j is true of
    image i, else -1; loss = -(1/|B|) sum_i sum_j log sigmoid(z_ij * logit_ij) (the paper's form:
    summed over captions, averaged over images). positives: [images, texts] bool."""
    labels = positives.float() * 2 - 1
    return -nn.functional.logsigmoid(labels * logits_per_text.t()).sum() / positives.shape[0]
