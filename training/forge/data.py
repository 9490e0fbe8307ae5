"""ShapesWorld as the forge reads it: the arrays training/write-dataset.ts writes, the held-out
split every family uses, and the image and caption tensors the models take.

  data = load("training/data")     # images [N, S, S, 3] uint8, tokens [N, T], meaning [N], truth [N, meanings]
"""
import json
import os
from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class ShapesWorld:
    meta: dict
    images: torch.Tensor  # [N, S, S, 3] uint8
    tokens: torch.Tensor  # [N, T] int64: [BOS] words [EOS] [PAD]...
    meaning: torch.Tensor  # [N] int64: the meaning each scene's caption was drawn from
    truth: torch.Tensor  # [N, meanings] bool: every meaning true of each scene

    @property
    def held_out(self):
        """The last scenes, never trained on: a fifth of the data, at most 4000."""
        return min(4000, len(self.images) // 5)

    @property
    def train_n(self):
        return len(self.images) - self.held_out

    def meanings(self, template):
        """Indices of the meanings written with one caption template ("full", "colour-shape", ...)."""
        return [i for i, m in enumerate(self.meta["meanings"]) if m["template"] == template]


def load(path) -> ShapesWorld:
    meta = json.load(open(os.path.join(path, "meta.json")))
    n, s, t = meta["count"], meta["imageSize"], meta["maxTextTokens"]
    images = torch.from_numpy(np.fromfile(os.path.join(path, "images.u8"), dtype=np.uint8).reshape(n, s, s, 3))
    tokens = torch.from_numpy(np.fromfile(os.path.join(path, "tokens.i32"), dtype="<i4").reshape(n, t).astype(np.int64))
    meaning = torch.from_numpy(np.fromfile(os.path.join(path, "meaning.i32"), dtype="<i4").astype(np.int64))
    truth_bytes = np.fromfile(os.path.join(path, "truth.u8"), dtype=np.uint8).reshape(n, meta["truthBytes"])
    truth = torch.from_numpy(np.unpackbits(truth_bytes, axis=1, bitorder="little")[:, : len(meta["meanings"])].astype(bool))
    return ShapesWorld(meta, images, tokens, meaning, truth)


def to_pixel_values(images_u8):
    """[batch, S, S, 3] uint8 -> [batch, 3, S, S], the image processor's rescale and normalise (mean 0.5, std 0.5)."""
    return (images_u8.permute(0, 3, 1, 2).float() / 255.0 - 0.5) / 0.5


def caption_batch(data: ShapesWorld, idx, pad_id=0):
    """The captions of scenes idx, cut to the longest: input_ids, attention_mask [batch, L], and
    positives [batch, batch] (caption j is true of scene i; identical captions included)."""
    ids = data.tokens[idx]
    mask = (ids != pad_id).long()
    length = int(mask.sum(dim=1).max())
    return ids[:, :length], mask[:, :length], data.truth[idx][:, data.meaning[idx]]


def encode_texts(meta, texts):
    """Word-level ids as the exported tokenizer gives them: [BOS] words [EOS], right-padded."""
    vocab = {w: i for i, w in enumerate(meta["vocabulary"])}
    limit = meta["maxTextTokens"]
    ids = [[2] + [vocab.get(w, 1) for w in t.lower().split()] + [3] for t in texts]
    ids = [x[:limit] for x in ids]
    length = max(len(x) for x in ids)
    input_ids = torch.tensor([x + [0] * (length - len(x)) for x in ids])
    mask = torch.tensor([[1] * len(x) + [0] * (length - len(x)) for x in ids])
    return input_ids, mask


def golden_images(inputs):
    """The golden inputs' images (write-golden-inputs.ts) as pixel_values [images, 3, S, S]."""
    size = inputs["imageSize"]
    images = torch.tensor([img["pixels"] for img in inputs["images"]], dtype=torch.float32).reshape(-1, size, size, 3)
    return (images.permute(0, 3, 1, 2) / 255.0 - 0.5) / 0.5


def golden_captions(inputs, pad_id=0):
    """The golden inputs' captions as tokenized: input_ids, attention_mask [captions, longest]."""
    lengths = [len(c["ids"]) for c in inputs["captions"]]
    width = max(lengths)
    input_ids = torch.tensor([c["ids"] + [pad_id] * (width - len(c["ids"])) for c in inputs["captions"]])
    attention_mask = (torch.arange(width)[None, :] < torch.tensor(lengths)[:, None]).long()
    return input_ids, attention_mask
