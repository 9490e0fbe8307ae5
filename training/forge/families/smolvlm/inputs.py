"""What Idefics3's processor does to an image and a prompt, for the forge's batches and goldens:

- frames: a 64 × 64 image rescaled and normalised ((x / 255 − 0.5) / 0.5), cut into 2 × 2
  tiles of 32 (row-major) and followed by the whole image shrunk to 32 (bilinear at exactly
  half size: the mean of each 2 × 2 block), 5 frames;
- the prompt: its one <image> token expanded to, per tile, <fake_token_around_image>
  <row_r_col_c> and image_seq_len <image> tokens, then <fake_token_around_image> <global-img>,
  image_seq_len <image> tokens and <fake_token_around_image> (the processor's newlines are
  whitespace, which the tokenizer drops).
"""
import torch


def frames_from_images(images_u8, tile):
    """[batch, S, S, 3] uint8 -> [batch · (tiles + 1), 3, tile, tile]: each image's tiles, then its global view."""
    x = (images_u8.permute(0, 3, 1, 2).float() / 255.0 - 0.5) / 0.5
    batch, _, size, _ = x.shape
    side = size // tile
    tiles = x.reshape(batch, 3, side, tile, side, tile).permute(0, 2, 4, 1, 3, 5).reshape(batch, side * side, 3, tile, tile)
    factor = size // tile
    global_view = x.reshape(batch, 3, tile, factor, tile, factor).mean(dim=(3, 5))
    return torch.cat([tiles, global_view[:, None]], dim=1).reshape(-1, 3, tile, tile)


def image_token_sequence(meta, tiles_per_side, image_seq_len):
    """The ids one <image> placeholder stands for in the processor's expanded prompt."""
    vocab = {w: i for i, w in enumerate(meta["vocabulary"])}
    image, fake, glob = vocab["<image>"], vocab["<fake_token_around_image>"], vocab["<global-img>"]
    ids = []
    for r in range(tiles_per_side):
        for c in range(tiles_per_side):
            ids += [fake, vocab[f"<row_{r + 1}_col_{c + 1}>"]] + [image] * image_seq_len
    return ids + [fake, glob] + [image] * image_seq_len + [fake]


def expand_images(ids, lengths, answers, image_id, sequence):
    """Right-padded ids [batch, T] with one <image> placeholder each -> expanded ids, attention
    mask and answer mask (answer start and length moved along)."""
    rows, starts, ends = [], [], []
    for row, length, answer in zip(ids.tolist(), lengths.tolist(), answers.tolist()):
        at = row.index(image_id)
        expanded = row[:at] + sequence + row[at + 1:length]
        rows.append(expanded)
        starts.append(answer + len(sequence) - 1)
        ends.append(len(expanded))
    width = max(ends)
    out = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, :len(r)] = torch.tensor(r)
    positions = torch.arange(width)[None, :]
    mask = (positions < torch.tensor(ends)[:, None]).long()
    answer = (positions >= torch.tensor(starts)[:, None]) & mask.bool()
    return out, mask, answer
