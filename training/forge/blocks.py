"""The transformer pieces every family builds on: multi-head self-attention written by hand
(torch 1.13 has no fused attention; writing it out is also what lets the exported graphs return
every layer's attention probabilities as named outputs) and the pre-norm block.
"""
import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)

    def forward(self, x, mask=None):
        batch, tokens, width = x.shape
        head_dim = width // self.heads
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.heads, head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0].contiguous(), qkv[1].contiguous(), qkv[2].contiguous()
        scores = torch.matmul(q, k.transpose(-1, -2)) * (head_dim ** -0.5)
        if mask is not None:
            scores = scores + mask
        probs = scores.softmax(dim=-1)  # [batch, heads, tokens, tokens]
        out = torch.matmul(probs, v).transpose(1, 2).reshape(batch, tokens, width)
        return self.out(out), probs


class Block(nn.Module):
    def __init__(self, width, heads, mlp_ratio):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, width * mlp_ratio), nn.GELU(), nn.Linear(width * mlp_ratio, width))

    def forward(self, x, mask=None):
        h, probs = self.attn(self.ln1(x), mask)
        x = x + h
        x = x + self.mlp(self.ln2(x))
        return x, probs
