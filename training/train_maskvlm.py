"""Trains the tiny MaskVLM on the ShapesWorld data written by write-dataset.ts, then exports it
(export_maskvlm.py) with goldens.

  python3 training/train_maskvlm.py --data training/data --out static/models/shapes-maskvlm --steps 1600
  python3 training/train_maskvlm.py ... --smoke     (a few steps; checks the export path only)

Each step, on one batch of image-caption pairs (MaskVLM masks one modality at a time; to halve the
cost of a step, half the rows serve MIM and the other half MLM):
  MIM  the image masked, the caption whole: reconstruct the normalised pixels of the masked
       patches (mean squared error over masked patches only);
  MLM  the caption masked, the image whole (or, for a few rows, wholly masked, so that the
       model also learns what a caption says without a picture): predict the masked words;
  ITC  CLIP's contrastive loss on the unimodal embeddings of the unmasked inputs, every caption
       true of an image counting as a positive;
  ITM  matched or not, on half the rows as true pairs, a quarter with a hard negative caption
       and a quarter with a hard negative image, drawn from the ITC similarities; the label is whether the
       caption is true of the image, so an accidental match is not called a mismatch.

The masks are chosen so that the other modality matters: image masks hide 50-90% of the
patches at random, or every patch a shape touches, or a block, or the whole image, so the
colour of a hidden shape can only come from the caption; word masks mostly hide one colour,
shape, position or size word, which the image alone can tell.
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch
from torch import nn

from tiny_maskvlm import TinyMaskVlm, TinyMaskVlmConfig, parameter_count, patchify
from train_clip import load_dataset, multi_positive_infonce, to_pixel_values

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


def hard_negatives(similarity, positives, generator):
    """For each row, one column that is not a positive, drawn with probability softmax(similarity)."""
    weights = similarity.detach().softmax(dim=1) * (~positives) + 1e-12
    return torch.multinomial(weights, 1, generator=generator).squeeze(1)


def losses(model: TinyMaskVlm, images_u8, ids, mask, positives, kinds, generator):
    """The four losses on one batch. The first half of the rows is masked on the image side (MIM),
    the second half on the text side (MLM); ITC and ITM see every row unmasked."""
    c = model.config
    batch = ids.shape[0]
    half = batch // 2
    pixels = to_pixel_values(images_u8)
    hidden_patches, _ = image_masks(images_u8[:half], c.patch_size, generator)
    hidden_words = word_masks(ids[half:], kinds, generator) * mask[half:]

    image_embeds, image_clean = model.vision(pixels, torch.zeros(batch, c.patches))
    _, image_masked = model.vision(pixels[:half], hidden_patches)
    _, image_blank = model.vision(pixels[:1], torch.ones(1, c.patches))
    text_embeds, text_clean = model.text(ids, mask, torch.zeros_like(ids))
    _, text_masked = model.text(ids[half:], mask[half:], hidden_words)

    # MIM: masked image, whole caption.
    image_cross, _ = model.image_side(image_masked, text_clean[:half], mask[:half])
    error = ((model.mim_head(image_cross) - patchify(pixels[:half], c.patch_size)) ** 2).mean(dim=-1)
    mim = (error * hidden_patches).sum() / hidden_patches.sum()

    # MLM: masked caption, whole image (a few rows: no image at all).
    rest = batch - half
    blank = (torch.rand(rest, generator=generator) < BLANK_IMAGE_SHARE)[:, None, None]
    condition = torch.where(blank, image_blank.expand(rest, -1, -1), image_clean[half:])
    text_cross, _ = model.text_side(text_masked, condition, mask[half:])
    logits = model.mlm_head(text_cross)
    chosen = hidden_words.bool()
    targets = ids[half:][chosen]
    mlm = nn.functional.cross_entropy(logits[chosen], targets)
    mlm_accuracy = (logits[chosen].argmax(dim=-1) == targets).float().mean()

    # ITC on the unmasked unimodal embeddings.
    similarity = nn.functional.normalize(image_embeds, dim=-1) @ nn.functional.normalize(text_embeds, dim=-1).t()
    itc = multi_positive_infonce(model.logit_scale.exp() * similarity, positives)

    # ITM: half the rows as true pairs; a quarter with a hard negative caption, a quarter with a
    # hard negative image.
    negative_text = hard_negatives(similarity, positives, generator)
    negative_image = hard_negatives(similarity.t(), positives.t(), generator)
    order = torch.randperm(batch, generator=generator)
    true_rows, text_rows, image_rows = order[:half], order[half:half + half // 2], order[half + half // 2:]
    image_index = torch.cat([true_rows, text_rows, negative_image[image_rows]])
    text_index = torch.cat([true_rows, negative_text[text_rows], image_rows])
    pair_mask = mask[text_index]
    pair_image, _ = model.image_side(image_clean[image_index], text_clean[text_index], pair_mask)
    pair_text, _ = model.text_side(text_clean[text_index], image_clean[image_index], pair_mask)
    itm_logit = model.itm_logit(pair_image, pair_text)
    labels = positives[image_index, text_index].float()
    itm = nn.functional.binary_cross_entropy_with_logits(itm_logit, labels)
    itm_accuracy = ((itm_logit > 0).float() == labels).float().mean()
    parts = {"mim": mim, "mlm": mlm, "itc": itc, "itm": itm}
    return parts, {"mlm_accuracy": mlm_accuracy.item(), "itm_accuracy": itm_accuracy.item()}


@torch.no_grad()
def validate(model: TinyMaskVlm, images_u8, ids, mask, positives, kinds):
    """Held-out checks with fixed masks: MIM error on shape masks under the true caption and under
    a shuffled one; accuracy on one masked colour/shape/position word with and without the image;
    ITM accuracy on true and shuffled pairs."""
    model.eval()
    c = model.config
    generator = torch.Generator().manual_seed(0)
    batch = ids.shape[0]
    pixels = to_pixel_values(images_u8)
    shapes = shape_patches(images_u8, c.patch_size).float()
    keep = shapes.sum(dim=1) > 0
    shuffled = torch.roll(torch.arange(batch), 1)
    result = {}
    target = patchify(pixels, c.patch_size)
    for name, order in (("true", torch.arange(batch)), ("shuffled", shuffled)):
        out = model(pixels, shapes, ids[order], mask[order], torch.zeros_like(ids))
        error = ((out[0] - target) ** 2).mean(dim=-1)
        result[f"mim_shapes_{name}"] = round(((error * shapes).sum(dim=1)[keep] / shapes.sum(dim=1)[keep]).mean().item(), 4)
    weight = torch.zeros(ids.shape)
    for token, kind in kinds.items():
        if kind in ("colour", "shape", "position"):
            weight[ids == token] = 1.0
    has_word = weight.sum(dim=1) > 0
    one = torch.multinomial(weight[has_word], 1, generator=generator).squeeze(1)
    words = torch.zeros(int(has_word.sum()), ids.shape[1], dtype=torch.long)
    words[torch.arange(len(one)), one] = 1
    sub = (pixels[has_word], ids[has_word], mask[has_word])
    for name, patch_mask in (("image", torch.zeros(len(one), c.patches)), ("no_image", torch.ones(len(one), c.patches))):
        logits = model(sub[0], patch_mask, sub[1], sub[2], words)[1]
        predicted = logits[torch.arange(len(one)), one].argmax(dim=-1)
        result[f"mlm_{name}"] = round((predicted == sub[1][torch.arange(len(one)), one]).float().mean().item(), 4)
    true_p = model(pixels, torch.zeros(batch, c.patches), ids, mask, torch.zeros_like(ids))[4]
    shuffled_p = model(pixels, torch.zeros(batch, c.patches), ids[shuffled], mask[shuffled], torch.zeros_like(ids))[4]
    labels = torch.cat([positives.diagonal(), positives[torch.arange(batch), shuffled]]).float()
    result["itm_accuracy"] = round(((torch.cat([true_p, shuffled_p]) > 0.5).float() == labels).float().mean().item(), 4)
    model.train()
    return result


def batch_of(tokens, meaning, truth, idx, pad_id):
    ids = tokens[idx]
    mask = (ids != pad_id).long()
    length = int(mask.sum(dim=1).max())
    return ids[:, :length], mask[:, :length], truth[idx][:, meaning[idx]]


def train(args):
    meta, images, tokens, meaning, truth = load_dataset(args.data)
    held_out = min(4000, len(images) // 5)
    train_n = len(images) - held_out
    config = TinyMaskVlmConfig(vocab_size=len(meta["vocabulary"]), image_size=meta["imageSize"], max_text_tokens=meta["maxTextTokens"],
                               cross_layers=args.cross_layers)
    kinds = word_kinds(meta["vocabulary"], SPEC_WORDS)
    torch.manual_seed(args.seed)
    model = TinyMaskVlm(config)
    print(f"parameters: {parameter_count(model)}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    weights = {"mim": args.mim_weight, "mlm": 1.0, "itc": 1.0, "itm": 1.0}
    generator = torch.Generator().manual_seed(args.seed)
    val_idx = torch.arange(train_n, min(len(images), train_n + args.validation))
    val = (images[val_idx], *batch_of(tokens, meaning, truth, val_idx, config.pad_id))
    history = []
    warmup_steps = max(1, min(200, args.steps // 10))
    start = time.time()
    for step in range(1, args.steps + 1):
        progress = (step - 1) / args.steps
        for group in optimiser.param_groups:
            group["lr"] = args.lr * min(1.0, step / warmup_steps) * 0.5 * (1 + math.cos(math.pi * progress))
        idx = torch.randint(0, train_n, (args.batch,), generator=generator)
        ids, mask, positives = batch_of(tokens, meaning, truth, idx, config.pad_id)
        parts, accuracies = losses(model, images[idx], ids, mask, positives, kinds, generator)
        loss = sum(weights[k] * v for k, v in parts.items())
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        if step % args.log_every == 0 or step == args.steps:
            entry = {"step": step, "seconds": round(time.time() - start, 1), "loss": round(loss.item(), 4),
                     **{k: round(v.item(), 4) for k, v in parts.items()}, **{k: round(v, 4) for k, v in accuracies.items()}}
            entry["held_out"] = validate(model, *val, kinds)
            history.append(entry)
            print(json.dumps(entry), flush=True)
    seconds = time.time() - start
    print(f"trained {args.steps} steps in {seconds:.0f}s ({seconds / args.steps:.2f} s/step)", flush=True)
    return model, meta, {
        "steps": args.steps, "batch": args.batch, "threads": args.threads, "lr": args.lr, "seconds": round(seconds),
        "seconds_per_step": round(seconds / args.steps, 3), "train_samples": train_n, "held_out_samples": held_out,
        "validation_samples": len(val_idx), "parameters": parameter_count(model),
        "parameters_by_part": {name: parameter_count(part) for name, part in model.named_children()},
        "logit_scale": round(model.logit_scale.exp().item(), 4), "loss_weights": weights,
        "masking": {
            "image_masks": IMAGE_MASKS, "random_ratio": RANDOM_RATIO, "shape_extra_ratio": SHAPE_EXTRA,
            "block_side_patches": BLOCK_SIDE, "shape_saturation": SATURATION, "one_word_share": ONE_WORD_SHARE,
            "word_rate": WORD_RATE, "word_weights": WORD_WEIGHTS, "blank_image_share_mlm": BLANK_IMAGE_SHARE,
        },
        "held_out": history[-1]["held_out"] if history else {}, "history": history,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="training/data")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json")
    parser.add_argument("--out", default="static/models/shapes-maskvlm")
    parser.add_argument("--steps", type=int, default=1600)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1.5e-3)
    parser.add_argument("--mim-weight", type=float, default=4.0)
    parser.add_argument("--cross-layers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=200)
    parser.add_argument("--validation", type=int, default=256)
    parser.add_argument("--checkpoint", help="also save the trained weights here (export_maskvlm.py can re-export them)")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.smoke:
        args.steps, args.log_every, args.batch, args.validation = 12, 6, 32, 64
    model, meta, report = train(args)
    if args.checkpoint:
        torch.save({"config": model.config.as_dict(), "state": model.state_dict()}, args.checkpoint)
    if not args.no_export:
        from export_maskvlm import export_all
        export_all(model, meta, json.load(open(args.golden_inputs)), args.out, report)


if __name__ == "__main__":
    main()
