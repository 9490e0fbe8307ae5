"""shapes-smolvlm: a VLM built from two pretrained backbones, the SmolVLM/Idefics3 way.

- Vision: shapes-clip's vision tower (patch 4 on 32 × 32 tiles: an 8 × 8 grid of 64-wide
  features), frozen; its last hidden state through its final LayerNorm, class token dropped.
- Connector: pixel shuffle (space-to-depth, factor 2: each 2 × 2 block of neighbouring patch
  features becomes one 256-wide token, so a tile is 16 tokens) and one linear projection into
  the language model's embedding space, as Idefics3's connector; with position_embedding, a
  learned vector per token of the frame's 4 × 4 grid is added (inside the vision encoder graph).
- Language: shapes-lm (families/lm), whose token embeddings the image features replace at the
  <image> positions of the prompt.

An image of 64 × 64 is cut, as Idefics3's processor cuts it, into 2 × 2 tiles of 32 plus the
whole image shrunk to 32 (the global view): 5 frames, 80 visual tokens.
"""
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from forge.families.clip.model import TinyClipConfig, VisionEncoder
from forge.families.lm.model import LmConfig, TinyLm


@dataclass
class SmolVlmConfig:
    vision: dict = field(default_factory=lambda: asdict(TinyClipConfig()))
    lm: dict = field(default_factory=lambda: asdict(LmConfig()))
    scale_factor: int = 2
    image_token_id: int = 4
    image_size: int = 64  # the processor's size.longest_edge: split into tiles of vision.image_size
    stage: int = 2
    # A learned vector per visual token of a frame (its place in the frame's 4 × 4 grid, the same for
    # every tile and the global view), added to the projection: each token states where it lies.
    position_embedding: bool = False

    @property
    def tile_size(self):
        return self.vision["image_size"]

    @property
    def grid(self):
        """Patches per side of one tile."""
        return self.vision["image_size"] // self.vision["patch_size"]

    @property
    def image_seq_len(self):
        return (self.grid // self.scale_factor) ** 2

    @property
    def tiles_per_side(self):
        return self.image_size // self.tile_size

    def as_dict(self):
        return asdict(self)


def pixel_shuffle(x, grid, factor):
    """[frames, grid², W] -> [frames, (grid / factor)², W · factor²]: token (r, c) of the smaller
    grid (row-major) holds patches (factor·r + i, factor·c + j), i and j row-major, side by side."""
    frames, _, width = x.shape
    side = grid // factor
    x = x.reshape(frames, side, factor, side, factor, width).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(frames, side * side, factor * factor * width)


class SmolVlm(nn.Module):
    # Weights of a backbone no path of the model reads, so in no graph: shapes-clip's projection into its
    # joint embedding space (the VLM takes the tower's hidden states). Frozen, so still the backbone's.
    unused_weights = {"vision.proj.weight": "vision"}

    def __init__(self, c: SmolVlmConfig):
        super().__init__()
        self.config = c
        self.vision = VisionEncoder(TinyClipConfig(**c.vision))
        self.lm = TinyLm(LmConfig(**c.lm))
        self.connector = nn.Linear(c.vision["vision_width"] * c.scale_factor ** 2, c.lm["hidden_size"], bias=False)
        if c.position_embedding:
            self.connector_position = nn.Parameter(torch.zeros(c.image_seq_len, c.lm["hidden_size"]))

    def project(self, shuffled):
        """The connector: shuffled features [F, 16, 4 · W] -> visual tokens [F, 16, hidden]."""
        tokens = self.connector(shuffled)
        return tokens + self.connector_position if self.config.position_embedding else tokens

    def vision_features(self, frames):
        """frames [F, 3, 32, 32] -> patch features [F, 64, W] and the tower's attentions [F, layers, heads, 65, 65]."""
        _, hidden, attentions = self.vision(frames)
        return self.vision.ln_post(hidden)[:, 1:], attentions

    def shuffled_features(self, frames):
        """frames [F, 3, 32, 32] -> the connector's input [F, 16, 4 · W] (the frozen tower's part), attentions."""
        features, attentions = self.vision_features(frames)
        return pixel_shuffle(features, self.config.grid, self.config.scale_factor), attentions

    def image_features(self, frames):
        """frames [F, 3, 32, 32] -> visual tokens in the LM's space [F, 16, hidden], attentions."""
        shuffled, attentions = self.shuffled_features(frames)
        return self.project(shuffled), attentions

    def embed(self, input_ids, image_features):
        """Token embeddings with the image features written over the <image> positions, in order."""
        embeds = self.lm.embed(input_ids)
        if image_features is None:
            return embeds
        where = (input_ids == self.config.image_token_id)[..., None]
        return embeds.masked_scatter(where, image_features.reshape(-1, embeds.shape[-1]).to(embeds.dtype))

    def forward(self, input_ids, attention_mask, frames=None, shuffled=None):
        """Teacher-forced logits [batch, T, V] of right-padded prompts whose <image> tokens are
        expanded (the processor's count), with their frames (5 per image, in prompt order), or
        with the frozen tower's output for them already computed (shuffled_features)."""
        if shuffled is None and frames is not None:
            shuffled = self.shuffled_features(frames)[0]
        features = None if shuffled is None else self.project(shuffled)
        embeds = self.embed(input_ids, features)
        positions = torch.arange(input_ids.shape[1])[None, :].expand(input_ids.shape[0], -1)
        return self.lm.decode(embeds, attention_mask, positions, self.lm.empty_cache(input_ids.shape[0]))[0]
