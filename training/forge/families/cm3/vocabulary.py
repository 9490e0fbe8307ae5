"""shapes-cm3's one vocabulary: the ShapesWorld words first (ids as the caption tokenizer gives
them: [PAD] 0, [UNK] 1, [BOS] 2, [EOS] 3, words), then the markers <image> and </image>, then
shapes-vq's K codes. Sequences:

  caption -> image:  [BOS] words [EOS] <image> c1 … c64 </image>
  image -> caption:  <image> c1 … c64 </image> [BOS] words [EOS]
"""
from dataclasses import asdict, dataclass

import torch


@dataclass
class Layout:
    words: int  # ShapesWorld vocabulary size
    codes: int  # shapes-vq's K
    cells: int  # codes per image (grid × grid)

    @property
    def begin_image(self):
        return self.words

    @property
    def end_image(self):
        return self.words + 1

    @property
    def first_code(self):
        return self.words + 2

    @property
    def size(self):
        return self.words + 2 + self.codes

    def as_dict(self):
        return {**asdict(self), "begin_image": self.begin_image, "end_image": self.end_image, "first_code": self.first_code, "size": self.size}

    def image(self, codes):
        """Code grids [batch, g, g] -> <image> tokens </image> [batch, cells + 2]."""
        batch = codes.shape[0]
        ids = codes.reshape(batch, -1) + self.first_code
        return torch.cat([torch.full((batch, 1), self.begin_image), ids, torch.full((batch, 1), self.end_image)], dim=1)


def sequences(layout: Layout, captions, codes, caption_first):
    """Right-padded rows of both orders: captions [batch, T] ([BOS] … [EOS] [PAD]…), codes
    [batch, g, g] -> ids, attention_mask [batch, T + cells + 2]. Pads stay at the end of each row."""
    image = layout.image(codes)
    rows = []
    for caption, picture, first in zip(captions, image, caption_first):
        words = caption[caption != 0]
        row = torch.cat([words, picture]) if first else torch.cat([picture, words])
        rows.append(row)
    width = max(len(r) for r in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return ids, mask
