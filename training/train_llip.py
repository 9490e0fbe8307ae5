"""Trains the tiny Llip on the ShapesWorld data the bundled CLIP was trained on, with the same
multi-positive InfoNCE, batch, schedule and batch order, then exports it (export_llip.py).

  python3 training/train_llip.py --data training/data --out static/models/shapes-llip --steps 1510
  python3 training/train_llip.py ... --smoke     (a few steps; checks the export path only)
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch
from torch import nn

from tiny_llip import TinyLlip, TinyLlipConfig, parameter_count
from train_clip import encode_texts, load_dataset, multi_positive_infonce, to_pixel_values
from export_llip import export_all

torch.set_num_threads(2)


@torch.no_grad()
def logits_for(model, pixel_values, text_embeds, chunk=256):
    """Logits [images, texts], in chunks of images: the head builds one embedding per pair."""
    rows = []
    for start in range(0, len(pixel_values), chunk):
        mixture = model.vision(pixel_values[start:start + chunk])[0]
        rows.append(model.head(mixture, text_embeds)[2])
    return torch.cat(rows)


@torch.no_grad()
def validate(model, meta, images, truth):
    """Image->text top-1 on held-out images: every full caption and every "a {colour} {shape}"
    on one-shape images (as train_clip.validate), every relation caption on two-shape images."""
    model.eval()
    templates = [m["template"] for m in meta["meanings"]]
    groups = {name: [i for i, t in enumerate(templates) if t == template]
              for name, template in (("full", "full"), ("short", "colour-shape"), ("relation", "relation"))}
    one_shape = truth[:, groups["full"]].sum(dim=1) == 1
    two_shape = truth[:, [i for i, m in enumerate(meta["meanings"]) if m["id"] == "two-shapes"]].squeeze(1)
    result = {}
    for name, candidates in groups.items():
        ids, mask = encode_texts(meta, [meta["meanings"][i]["text"] for i in candidates])
        text = model.text(ids, mask)[0]
        keep = two_shape if name == "relation" else one_shape
        predicted = logits_for(model, to_pixel_values(images[keep]), text).argmax(dim=1)
        result[name] = truth[keep][:, candidates][torch.arange(len(predicted)), predicted].float().mean().item()
    model.train()
    return result


def train(args):
    meta, images, tokens, meaning, truth = load_dataset(args.data)
    held_out = min(4000, len(images) // 5)
    train_n = len(images) - held_out
    config = TinyLlipConfig(vocab_size=len(meta["vocabulary"]), image_size=meta["imageSize"], max_text_tokens=meta["maxTextTokens"],
                            mixture_tokens=args.mixture_tokens, cross_heads=args.cross_heads, cross_temperature=args.temperature)
    torch.manual_seed(args.seed)
    model = TinyLlip(config)
    print(f"parameters: {parameter_count(model)}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    # The same stream of batch indices as train_clip.py with the same seed and batch.
    generator = torch.Generator().manual_seed(args.seed)
    history = []
    start = time.time()
    for step in range(1, args.steps + 1):
        progress = (step - 1) / args.steps
        warmup = min(1.0, step / args.warmup)
        for group in optimiser.param_groups:
            group["lr"] = args.lr * warmup * 0.5 * (1 + math.cos(math.pi * progress))
        idx = torch.randint(0, train_n, (args.batch,), generator=generator)
        ids = tokens[idx]
        mask = (ids != config.pad_id).long()
        length = int(mask.sum(dim=1).max())
        ids, mask = ids[:, :length], mask[:, :length]
        positives = truth[idx][:, meaning[idx]]
        logits = model(ids, to_pixel_values(images[idx]), mask)
        loss = multi_positive_infonce(logits, positives)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        if step % args.log_every == 0 or step == args.steps:
            train_seconds = time.time() - start
            scores = validate(model, meta, images[train_n:], truth[train_n:])
            history.append({"step": step, "seconds": round(train_seconds, 1), "loss": round(loss.item(), 4), **scores})
            print(json.dumps(history[-1]), flush=True)
    seconds = time.time() - start
    scores = history[-1] if history else validate(model, meta, images[train_n:], truth[train_n:])
    scores = {k: scores[k] for k in ("full", "short", "relation")}
    print(f"trained {args.steps} steps in {seconds:.0f}s ({seconds / args.steps:.2f} s/step, validation included); held-out {scores}", flush=True)
    return model, meta, {
        "steps": args.steps, "batch": args.batch, "lr": args.lr, "warmup_steps": args.warmup, "seed": args.seed,
        "seconds": round(seconds), "train_samples": train_n, "held_out_samples": held_out, "held_out": scores,
        "parameters": parameter_count(model), "parameters_cross_attention": parameter_count(model.cross),
        "logit_scale": round(model.logit_scale.exp().item(), 4), "history": history,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="training/data")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json")
    parser.add_argument("--out", default="static/models/shapes-llip")
    parser.add_argument("--steps", type=int, default=1510)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=200)
    parser.add_argument("--mixture-tokens", type=int, default=8)
    parser.add_argument("--cross-heads", type=int, default=4)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--save", help="also save the trained weights and report here (export_llip.py --weights re-exports them)")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.steps, args.log_every, args.batch = 20, 10, 64
    model, meta, report = train(args)
    if args.save:
        torch.save({"config": model.config.as_dict(), "state": model.state_dict(), "report": report}, args.save)
    export_all(model, meta, json.load(open(args.golden_inputs)), args.out, report)


if __name__ == "__main__":
    main()
