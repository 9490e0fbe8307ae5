"""The VQ autoencoder: a strided convolutional encoder (32 × 32 pixels -> an 8 × 8 grid of
features), the nearest of K codebook vectors per cell, and a mirrored decoder (codes -> pixels).

The codebook is a buffer, not a parameter: it follows the encoder's features by exponential
moving averages (VQ-VAE-2's update), which keeps codes alive far better than a gradient-trained
codebook on this small a dataset; codes that still go unused are re-seeded from live features
(train.py). Gradients reach the encoder through the straight-through estimator.
"""
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass
class VqConfig:
    image_size: int = 32
    grid: int = 8
    codebook_size: int = 128
    code_dim: int = 32
    width: int = 64
    decay: float = 0.95  # EMA decay of the codebook statistics
    decoder_blocks: int = 1  # 3 × 3 residual blocks of the decoder at the grid (8 × 8)
    # Pointwise (1 × 1) residual blocks of the decoder after those, at the grid and at half the image size
    # (16 × 16, where a corner takes shape): more depth that reaches no farther, so a code still changes
    # the image only within three cells of its own.
    pointwise_blocks: int = 0
    upper_blocks: int = 0

    def as_dict(self):
        return asdict(self)


class Residual(nn.Module):
    def __init__(self, width, kernel=3):
        super().__init__()
        self.body = nn.Sequential(nn.ReLU(), nn.Conv2d(width, width, kernel, padding=kernel // 2), nn.ReLU(), nn.Conv2d(width, width, 1))

    def forward(self, x):
        return x + self.body(x)


class TinyVq(nn.Module):
    def __init__(self, c: VqConfig):
        super().__init__()
        self.config = c
        w = c.width
        # Two stride-2 convolutions: 32 -> 16 -> 8 (the grid).
        self.encoder = nn.Sequential(
            nn.Conv2d(3, w, 4, stride=2, padding=1), nn.ReLU(), nn.Conv2d(w, w, 4, stride=2, padding=1),
            Residual(w), nn.ReLU(), nn.Conv2d(w, c.code_dim, 1))
        self.decoder = nn.Sequential(
            nn.Conv2d(c.code_dim, w, 3, padding=1), *[Residual(w) for _ in range(c.decoder_blocks)],
            *[Residual(w, 1) for _ in range(c.pointwise_blocks)], nn.ReLU(),
            nn.ConvTranspose2d(w, w, 4, stride=2, padding=1), *[Residual(w, 1) for _ in range(c.upper_blocks)], nn.ReLU(),
            nn.ConvTranspose2d(w, 3, 4, stride=2, padding=1))
        self.register_buffer("codebook", torch.randn(c.codebook_size, c.code_dim) * 0.1)
        self.register_buffer("ema_count", torch.ones(c.codebook_size))
        self.register_buffer("ema_sum", self.codebook.clone())

    # The buffers the graphs hold (forge recover reads them back from the ONNX files).
    graph_buffers = ("codebook",)

    @torch.no_grad()
    def rebuild_buffers(self):
        """After forge recover has read the codebook back: moving averages that give that codebook (a use of 1 each)."""
        self.ema_count.fill_(1.0)
        self.ema_sum.copy_(self.codebook)

    def features(self, pixel_values):
        """[batch, 3, S, S] -> pre-quantisation features [batch, code_dim, grid, grid]."""
        return self.encoder(pixel_values)

    def nearest(self, features):
        """[batch, D, g, g] -> code indices [batch, g, g]: the codebook vector at the least squared distance."""
        flat = features.permute(0, 2, 3, 1)  # [batch, g, g, D]
        distances = (flat * flat).sum(-1, keepdim=True) - 2 * flat @ self.codebook.t() + (self.codebook * self.codebook).sum(-1)
        return distances.argmin(dim=-1)

    def lookup(self, codes):
        """Code indices [batch, g, g] -> their codebook vectors [batch, D, g, g]."""
        return nn.functional.embedding(codes, self.codebook).permute(0, 3, 1, 2)

    def encode(self, pixel_values):
        """pixels -> (codes [batch, g, g] int64, features [batch, D, g, g])."""
        features = self.features(pixel_values)
        return self.nearest(features), features

    def decode(self, codes):
        """codes [batch, g, g] -> pixel_values [batch, 3, S, S] (normalised as the image processor does: -1 … 1)."""
        return self.decoder(self.lookup(codes))

    def forward(self, pixel_values):
        """Training forward: (reconstruction, features, quantised features, codes); the decoder reads
        the quantised features with the straight-through estimator (their gradient goes to the encoder)."""
        features = self.features(pixel_values)
        codes = self.nearest(features.detach())
        quantised = self.lookup(codes)
        passed = features + (quantised - features).detach()
        return self.decoder(passed), features, quantised, codes


@torch.no_grad()
def grown(model, pointwise_blocks, upper_blocks):
    """A copy of `model` whose decoder has more pointwise residual blocks (at the grid and at half size),
    computing the same function: the encoder, codebook and the decoder's layers are copied, and each new
    block's last convolution starts at zero, so the block passes its input through until training changes it."""
    old = model.config
    if pointwise_blocks < old.pointwise_blocks or upper_blocks < old.upper_blocks:
        raise SystemExit("a decoder only grows")
    bigger = TinyVq(VqConfig(**{**old.as_dict(), "pointwise_blocks": pointwise_blocks, "upper_blocks": upper_blocks}))
    bigger.encoder.load_state_dict(model.encoder.state_dict())
    for name in ("codebook", "ema_count", "ema_sum"):
        getattr(bigger, name).copy_(getattr(model, name))

    def layers(m, c):
        """The decoder's modules by role: the input convolution, 3 × 3 blocks, pointwise blocks at the grid,
        upsampling, pointwise blocks at half size, output."""
        d = list(m.decoder)
        at_grid = 1 + c.decoder_blocks + c.pointwise_blocks
        return d[0], d[1:1 + c.decoder_blocks], d[1 + c.decoder_blocks:at_grid], d[at_grid + 1], d[at_grid + 2:at_grid + 2 + c.upper_blocks], d[-1]

    a, b = layers(model, old), layers(bigger, bigger.config)
    for i in (0, 3, 5):
        b[i].load_state_dict(a[i].state_dict())
    for kept, new in ((a[1], b[1]), (a[2], b[2]), (a[4], b[4])):
        for i, block in enumerate(new):
            if i < len(kept):
                block.load_state_dict(kept[i].state_dict())
            else:
                block.body[3].weight.zero_()
                block.body[3].bias.zero_()
    return bigger


class Encoder(nn.Module):
    """The vq_encoder graph: pixel_values -> codes, features."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.encode(pixel_values)


class Decoder(nn.Module):
    """The vq_decoder graph: codes -> pixel_values."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, codes):
        return self.model.decode(codes)
