"""The instruction data of shapes-lm and shapes-smolvlm as the forge reads it (written by
training/write-instructions.ts):

  data = load_instructions("training/data-instruct")
  data.images [images, 64, 64, 3] uint8; data.tokens [conversations, width]; data.rows [conversations, 5]

and the views each training draws its batches from: a pool of conversation rows (by source and
kind, from the training images or the held-out ones) with the loop's `train_n` and `meta`.
"""
import json
import os
from dataclasses import dataclass

import numpy as np
import torch

IMAGE, SOURCE, KIND, ANSWER, LENGTH = range(5)


@dataclass
class Instructions:
    meta: dict
    images: torch.Tensor  # [images, S, S, 3] uint8
    tokens: torch.Tensor  # [conversations, width] int64, [PAD]-padded
    rows: torch.Tensor  # [conversations, 5]: image (-1 none), source, kind, answer start, length

    @property
    def held_out_images(self):
        """The last images (and their conversations) are never trained on: a tenth, at most 1000."""
        return min(1000, self.meta["images"] // 10)

    def select(self, sources, kinds=None, held_out=False):
        """Row indices of conversations from these sources (and kinds); image conversations of the
        training images, or of the held-out ones."""
        r = self.rows
        keep = torch.zeros(len(r), dtype=torch.bool)
        for s in sources:
            keep |= r[:, SOURCE] == self.meta["sources"].index(s)
        if kinds is not None:
            keep &= torch.isin(r[:, KIND], torch.tensor([self.meta["kinds"].index(k) for k in kinds]))
        first_held_out = self.meta["images"] - self.held_out_images
        has_image = r[:, IMAGE] >= 0
        keep &= ~has_image | ((r[:, IMAGE] >= first_held_out) == held_out)
        return torch.nonzero(keep).squeeze(1)


class Pool:
    """The conversations one training draws from: the loop samples indices below train_n."""

    def __init__(self, data: Instructions, rows):
        self.data, self.rows = data, rows
        self.meta = {**data.meta, "vocabulary": data.meta["vocabulary"], "specVersion": data.meta["specVersion"]}

    @property
    def train_n(self):
        return len(self.rows)


def load_instructions(path) -> Instructions:
    meta = json.load(open(os.path.join(path, "meta.json")))
    n, s, m, w = meta["images"], meta["imageSize"], meta["conversations"], meta["width"]
    images = torch.from_numpy(np.fromfile(os.path.join(path, "images.u8"), dtype=np.uint8).reshape(n, s, s, 3))
    tokens = torch.from_numpy(np.fromfile(os.path.join(path, "tokens.i32"), dtype="<i4").reshape(m, w).astype(np.int64))
    rows = torch.from_numpy(np.fromfile(os.path.join(path, "conversations.i32"), dtype="<i4").reshape(m, 5).astype(np.int64))
    return Instructions(meta, images, tokens, rows)


def batch_tokens(data: Instructions, rows):
    """ids [batch, longest], attention mask, and the loss mask of the answer tokens (targets at
    positions answer start … length - 1, predicted from the position before)."""
    info = data.rows[rows]
    length = int(info[:, LENGTH].max())
    ids = data.tokens[rows, :length]
    positions = torch.arange(length)[None, :]
    mask = (positions < info[:, LENGTH:LENGTH + 1]).long()
    answer = (positions >= info[:, ANSWER:ANSWER + 1]) & mask.bool()
    return ids, mask, answer
