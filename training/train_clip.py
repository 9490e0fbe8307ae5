"""Trains the tiny CLIP on ShapesWorld data written by write-dataset.ts, then exports it in the
Hugging Face hub's CLIP layout with goldens.

  python3 training/train_clip.py --data training/data --out static/models/shapes-clip --minutes 12
  python3 training/train_clip.py ... --smoke     (a few steps; checks the export path only)
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import torch
from torch import nn

from tiny_clip import TinyClip, TinyClipConfig, parameter_count
from export_clip import export_all

torch.set_num_threads(2)


def load_dataset(path):
    meta = json.load(open(os.path.join(path, "meta.json")))
    n, s, t = meta["count"], meta["imageSize"], meta["maxTextTokens"]
    images = torch.from_numpy(np.fromfile(os.path.join(path, "images.u8"), dtype=np.uint8).reshape(n, s, s, 3))
    tokens = torch.from_numpy(np.fromfile(os.path.join(path, "tokens.i32"), dtype="<i4").reshape(n, t).astype(np.int64))
    meaning = torch.from_numpy(np.fromfile(os.path.join(path, "meaning.i32"), dtype="<i4").astype(np.int64))
    truth_bytes = np.fromfile(os.path.join(path, "truth.u8"), dtype=np.uint8).reshape(n, meta["truthBytes"])
    truth = torch.from_numpy(np.unpackbits(truth_bytes, axis=1, bitorder="little")[:, : len(meta["meanings"])].astype(bool))
    return meta, images, tokens, meaning, truth


def to_pixel_values(images_u8):
    """[batch, S, S, 3] uint8 -> [batch, 3, S, S], the image processor's rescale and normalise (mean 0.5, std 0.5)."""
    return (images_u8.permute(0, 3, 1, 2).float() / 255.0 - 0.5) / 0.5


def multi_positive_infonce(logits, positives):
    """Symmetric InfoNCE where every caption true of an image is a positive for it (identical
    captions included), with the target spread evenly over the positives."""
    targets_i = positives.float() / positives.sum(dim=1, keepdim=True)
    targets_t = positives.t().float() / positives.t().sum(dim=1, keepdim=True)
    loss_i = -(targets_i * logits.log_softmax(dim=1)).sum(dim=1).mean()
    loss_t = -(targets_t * logits.t().log_softmax(dim=1)).sum(dim=1).mean()
    return (loss_i + loss_t) / 2


def encode_texts(meta, texts):
    vocab = {w: i for i, w in enumerate(meta["vocabulary"])}
    limit = meta["maxTextTokens"]
    ids = [[2] + [vocab.get(w, 1) for w in t.lower().split()] + [3] for t in texts]
    ids = [x[:limit] for x in ids]
    length = max(len(x) for x in ids)
    input_ids = torch.tensor([x + [0] * (length - len(x)) for x in ids])
    mask = torch.tensor([[1] * len(x) + [0] * (length - len(x)) for x in ids])
    return input_ids, mask


@torch.no_grad()
def validate(model, meta, images, truth):
    """Image->text top-1 over every full one-shape caption, on held-out one-shape images."""
    model.eval()
    full = [i for i, m in enumerate(meta["meanings"]) if m["template"] == "full"]
    short = [i for i, m in enumerate(meta["meanings"]) if m["template"] == "colour-shape"]
    result = {}
    for name, candidates in (("full", full), ("short", short)):
        ids, mask = encode_texts(meta, [meta["meanings"][i]["text"] for i in candidates])
        text = nn.functional.normalize(model.text(ids, mask)[0], dim=-1)
        sub = truth[:, candidates]
        keep = sub.sum(dim=1) == 1 if name == "full" else truth[:, full].sum(dim=1) == 1
        image = nn.functional.normalize(model.vision(to_pixel_values(images[keep]))[0], dim=-1)
        predicted = (image @ text.t()).argmax(dim=1)
        result[name] = sub[keep][torch.arange(len(predicted)), predicted].float().mean().item()
    model.train()
    return result


def train(args):
    meta, images, tokens, meaning, truth = load_dataset(args.data)
    held_out = min(4000, len(images) // 5)
    train_n = len(images) - held_out
    config = TinyClipConfig(vocab_size=len(meta["vocabulary"]), image_size=meta["imageSize"], max_text_tokens=meta["maxTextTokens"],
                            patch_size=args.patch, vision_width=args.width, text_width=args.width, embed_dim=args.width,
                            vision_layers=args.vision_layers)
    torch.manual_seed(args.seed)
    model = TinyClip(config)
    print(f"parameters: {parameter_count(model)}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    budget = args.minutes * 60
    start = time.time()
    step = 0
    generator = torch.Generator().manual_seed(args.seed)
    history = []
    while True:
        elapsed = time.time() - start
        if (args.steps and step >= args.steps) or (not args.steps and elapsed > budget):
            break
        progress = step / args.steps if args.steps else elapsed / budget
        warmup = min(1.0, (step + 1) / 300)
        for group in optimiser.param_groups:
            group["lr"] = args.lr * warmup * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
        idx = torch.randint(0, train_n, (args.batch,), generator=generator)
        ids = tokens[idx]
        mask = (ids != config.pad_id).long()
        length = int(mask.sum(dim=1).max())
        ids, mask = ids[:, :length], mask[:, :length]
        positives = truth[idx][:, meaning[idx]]
        image_embeds = nn.functional.normalize(model.vision(to_pixel_values(images[idx]))[0], dim=-1)
        text_embeds = nn.functional.normalize(model.text(ids, mask)[0], dim=-1)
        logits = model.logit_scale.exp() * image_embeds @ text_embeds.t()
        loss = multi_positive_infonce(logits, positives)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        step += 1
        if step % args.log_every == 0:
            scores = validate(model, meta, images[train_n:], truth[train_n:])
            history.append({"step": step, "seconds": round(time.time() - start, 1), "loss": round(loss.item(), 4), **scores})
            print(json.dumps(history[-1]), flush=True)
    seconds = time.time() - start
    scores = validate(model, meta, images[train_n:], truth[train_n:])
    print(f"trained {step} steps in {seconds:.0f}s; held-out {scores}", flush=True)
    return model, meta, {
        "steps": step, "batch": args.batch, "seconds": round(seconds), "train_samples": train_n,
        "held_out_samples": held_out, "held_out": scores, "parameters": parameter_count(model),
        "logit_scale": round(model.logit_scale.exp().item(), 4), "history": history,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="training/data")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json")
    parser.add_argument("--out", default="static/models/shapes-clip")
    parser.add_argument("--minutes", type=float, default=12)
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=200)
    parser.add_argument("--patch", type=int, default=4)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--vision-layers", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.steps, args.log_every, args.batch = 20, 10, 64
    model, meta, report = train(args)
    export_all(model, meta, json.load(open(args.golden_inputs)), args.out, report)


if __name__ == "__main__":
    main()
