"""How MaskVLM's training hides parts of its inputs. The masks are chosen so that the other
modality matters: image masks hide 50-90% of the patches at random, or every patch a shape
touches, or a block, or the whole image, so the colour of a hidden shape can only come from the
caption; word masks mostly hide one colour, shape, position or size word, which the image alone
can tell.
"""
import torch
from torch import nn

# Image mask kinds and how often each is drawn.
IMAGE_MASKS = {"random": 0.35, "shapes": 0.40, "block": 0.15, "whole": 0.10}
RANDOM_RATIO = (0.5, 0.9)
SHAPE_EXTRA = (0.0, 0.3)  # extra random patches hidden on top of the shapes' patches
BLOCK_SIDE = (3, 6)  # patches
# A pixel is part of a shape when its channels spread more than this (backgrounds are near-grey;
# every palette colour spreads by 126 or more).
SATURATION = 90
# Word masks: one content word (weighted by kind), or each word with a random rate.
ONE_WORD_SHARE = 0.65
WORD_RATE = (0.15, 0.5)
WORD_WEIGHTS = {"colour": 2.0, "shape": 2.0, "position": 3.0, "size": 1.0}
BLANK_IMAGE_SHARE = 0.1  # MLM rows whose image is wholly masked


def word_kinds(vocabulary, spec_words):
    """Token id -> kind (colour, shape, position, size), from the words ShapesWorld uses."""
    kinds = {}
    for kind, words in spec_words.items():
        for w in words:
            if w in vocabulary:
                kinds[vocabulary.index(w)] = kind
    return kinds


SPEC_WORDS = {
    "colour": ["red", "green", "blue", "yellow"],
    "shape": ["circle", "square", "triangle", "circles", "squares", "triangles"],
    "position": ["top", "bottom", "left", "right", "centre", "above", "below"],
    "size": ["small", "little", "large", "big"],
}


def shape_patches(images_u8, patch_size):
    """[batch, S, S, 3] uint8 -> [batch, P] bool: patches holding any strongly coloured pixel."""
    x = images_u8.to(torch.int16)
    spread = (x.max(dim=-1).values - x.min(dim=-1).values) > SATURATION  # [batch, S, S]
    pooled = nn.functional.max_pool2d(spread[:, None].float(), patch_size)
    return pooled.flatten(1) > 0


def image_masks(images_u8, patch_size, generator):
    """[batch, P] float masks (1 = hidden) and the kind drawn for each row."""
    batch, size = images_u8.shape[0], images_u8.shape[1]
    grid = size // patch_size
    patches = grid * grid
    kinds = list(IMAGE_MASKS)
    kind = torch.multinomial(torch.tensor(list(IMAGE_MASKS.values())), batch, replacement=True, generator=generator)
    noise = torch.rand(batch, patches, generator=generator)
    ratio = torch.empty(batch).uniform_(*RANDOM_RATIO, generator=generator)
    random_mask = noise < ratio[:, None]
    extra = torch.empty(batch).uniform_(*SHAPE_EXTRA, generator=generator)
    shapes = shape_patches(images_u8, patch_size)
    shapes_mask = shapes | (torch.rand(batch, patches, generator=generator) < extra[:, None])
    shapes_mask = torch.where(shapes.any(dim=1, keepdim=True), shapes_mask, random_mask)
    height = torch.randint(BLOCK_SIDE[0], BLOCK_SIDE[1] + 1, (batch,), generator=generator)
    width = torch.randint(BLOCK_SIDE[0], BLOCK_SIDE[1] + 1, (batch,), generator=generator)
    top = (torch.rand(batch, generator=generator) * (grid - height + 1)).long()
    left = (torch.rand(batch, generator=generator) * (grid - width + 1)).long()
    rows = torch.arange(grid)[None, :, None]
    cols = torch.arange(grid)[None, None, :]
    block_mask = ((rows >= top[:, None, None]) & (rows < (top + height)[:, None, None])
                  & (cols >= left[:, None, None]) & (cols < (left + width)[:, None, None])).flatten(1)
    whole = torch.ones(batch, patches, dtype=torch.bool)
    options = torch.stack([random_mask, shapes_mask, block_mask, whole], dim=1)  # in IMAGE_MASKS order
    assert kinds == ["random", "shapes", "block", "whole"]
    return options[torch.arange(batch), kind].float(), kind


def word_masks(input_ids, kinds, generator):
    """[batch, L] long masks (1 = hidden): one content word, or words at a random rate; never
    special tokens, always at least one word."""
    batch, length = input_ids.shape
    words = input_ids >= 4
    weight = torch.zeros(batch, length)
    for token, kind in kinds.items():
        weight[input_ids == token] = WORD_WEIGHTS[kind]
    weight = torch.where(weight.sum(dim=1, keepdim=True) > 0, weight, words.float())
    one = torch.multinomial(weight, 1, generator=generator).squeeze(1)
    one_mask = torch.zeros(batch, length, dtype=torch.bool)
    one_mask[torch.arange(batch), one] = True
    rate = torch.empty(batch).uniform_(*WORD_RATE, generator=generator)
    rate_mask = (torch.rand(batch, length, generator=generator) < rate[:, None]) & words
    rate_mask = torch.where(rate_mask.any(dim=1, keepdim=True), rate_mask, one_mask)
    use_one = torch.rand(batch, generator=generator) < ONE_WORD_SHARE
    return torch.where(use_one[:, None], one_mask, rate_mask).long()
