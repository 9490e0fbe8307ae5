"""Trains the tiny CoCa on the ShapesWorld data the bundled CLIP was trained on, then exports it
(export_coca.py).

  python3 training/train_coca.py --data training/data --out static/models/shapes-coca --steps 2200
  python3 training/train_coca.py ... --smoke     (a few steps; checks the export path only)

Loss, as in CoCa: caption_weight × captioning + contrastive_weight × contrastive (2 and 1).
- Contrastive: the multi-positive InfoNCE of train_clip.py on each scene's sampled caption
  (full or partial, "a red circle", "something blue", relations), learned logit scale.
- Captioning: next-token cross-entropy with teacher forcing on the FULL caption of each
  one-shape scene ("a small red circle at the top left"). The dataset stores one sampled caption
  per scene, so the target is read from the truth bits: the one true meaning whose template is
  "full". Two-shape scenes (the "two-shapes" meaning is true) have no single full caption (which
  shape comes first, and which of up to four true relations, is arbitrary), so they are left out
  of the captioning loss and only feed the contrastive one.
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch
from torch import nn

from tiny_coca import TinyCoca, TinyCocaConfig, parameter_count
from train_clip import encode_texts, load_dataset, multi_positive_infonce, to_pixel_values, validate as validate_retrieval
from export_coca import export_all

torch.set_num_threads(2)


def full_caption_targets(meta, truth):
    """Per scene, the index into `full` of its full caption, or -1 for two-shape scenes; and the
    full captions' token ids [216, max tokens] (BOS … EOS, padded)."""
    templates = [m["template"] for m in meta["meanings"]]
    full = [i for i, t in enumerate(templates) if t == "full"]
    two_shapes = templates.index("two-shapes")
    ids, _ = encode_texts(meta, [meta["meanings"][i]["text"] for i in full])
    target = truth[:, full].float().argmax(dim=1)
    one_shape = ~truth[:, two_shapes] & (truth[:, full].sum(dim=1) == 1)
    return torch.where(one_shape, target, torch.full_like(target, -1)), ids, full


def captioning_loss(model, caption_ids, image_tokens):
    """Teacher forcing: position t reads tokens ≤ t and predicts token t + 1; pads are ignored."""
    inputs, targets = caption_ids[:, :-1], caption_ids[:, 1:]
    mask = (inputs != model.config.pad_id).long()
    logits = model.decoder(inputs, mask, image_tokens)[0]
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=model.config.pad_id)


@torch.no_grad()
def validate_captions(model, meta, images, targets, full_ids, limit=500):
    """Share of held-out one-shape images whose greedy caption is exactly their full caption."""
    model.eval()
    keep = (targets >= 0).nonzero().flatten()[:limit]
    tokens = model.vision(to_pixel_values(images[keep]))[1]
    generated = model.generate(tokens)
    truth = [[t for t in full_ids[k].tolist() if t != model.config.pad_id] for k in targets[keep].tolist()]
    model.train()
    return sum(g == t for g, t in zip(generated, truth)) / max(1, len(truth))


def train(args):
    meta, images, tokens, meaning, truth = load_dataset(args.data)
    held_out = min(4000, len(images) // 5)
    train_n = len(images) - held_out
    targets, full_ids, _ = full_caption_targets(meta, truth)
    length = int((full_ids != 0).sum(dim=1).max())
    full_ids = full_ids[:, :length]
    vocabulary = meta["vocabulary"]
    config = TinyCocaConfig(
        vocab_size=len(vocabulary), image_size=meta["imageSize"], max_text_tokens=meta["maxTextTokens"],
        patch_size=args.patch, vision_width=args.width, text_width=args.width, embed_dim=args.width,
        vision_layers=args.vision_layers, unimodal_layers=args.unimodal_layers, multimodal_layers=args.multimodal_layers,
        pad_id=vocabulary.index("[PAD]"), bos_id=vocabulary.index("[BOS]"), eos_id=vocabulary.index("[EOS]"),
    )
    torch.manual_seed(args.seed)
    model = TinyCoca(config)
    print(f"parameters: {parameter_count(model)}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    start = time.time()
    generator = torch.Generator().manual_seed(args.seed)
    history = []
    step = 0
    while step < args.steps:
        warmup = min(1.0, (step + 1) / args.warmup)
        for group in optimiser.param_groups:
            group["lr"] = args.lr * warmup * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        idx = torch.randint(0, train_n, (args.batch,), generator=generator)
        ids = tokens[idx]
        mask = (ids != config.pad_id).long()
        width = int(mask.sum(dim=1).max())
        ids, mask = ids[:, :width], mask[:, :width]
        positives = truth[idx][:, meaning[idx]]
        image_embeds, image_tokens, _ = model.vision(to_pixel_values(images[idx]))
        text_embeds = model.text(ids, mask)[0]
        image_embeds = nn.functional.normalize(image_embeds, dim=-1)
        text_embeds = nn.functional.normalize(text_embeds, dim=-1)
        logits = model.logit_scale.exp() * image_embeds @ text_embeds.t()
        contrastive = multi_positive_infonce(logits, positives)
        captioned = (targets[idx] >= 0).nonzero().flatten()
        if len(captioned) > 0:
            captioning = captioning_loss(model, full_ids[targets[idx][captioned]], image_tokens[captioned])
        else:  # a batch of two-shape scenes only: nothing to caption
            captioning = torch.zeros(())
        loss = args.contrastive_weight * contrastive + args.caption_weight * captioning
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        step += 1
        if step % args.log_every == 0 or step == args.steps:
            entry = {"step": step, "seconds": round(time.time() - start, 1), "loss": round(loss.item(), 4),
                     "contrastive": round(contrastive.item(), 4), "captioning": round(captioning.item(), 4)}
            entry.update(validate_retrieval(model, meta, images[train_n:], truth[train_n:]))
            entry["caption_exact"] = validate_captions(model, meta, images[train_n:], targets[train_n:], full_ids)
            entry["seconds_with_validation"] = round(time.time() - start, 1)
            history.append(entry)
            print(json.dumps(entry), flush=True)
    seconds = time.time() - start
    final = history[-1]
    validation_seconds = sum(h["seconds_with_validation"] - h["seconds"] for h in history)
    print(f"trained {step} steps in {seconds:.0f}s; held-out {json.dumps(final)}", flush=True)
    return model, meta, {
        "steps": step, "batch": args.batch, "lr": args.lr, "warmup": args.warmup,
        "caption_weight": args.caption_weight, "contrastive_weight": args.contrastive_weight,
        "seconds": round(seconds), "seconds_per_step": round((seconds - validation_seconds) / max(1, step), 3),
        "train_samples": train_n, "held_out_samples": held_out,
        "caption_samples": int((targets[:train_n] >= 0).sum()),
        "caption_targets": "the full caption of each one-shape scene (from the truth bits); two-shape scenes are not captioned",
        "held_out": {k: final[k] for k in ("full", "short", "caption_exact")},
        "parameters": parameter_count(model),
        "parameters_by_part": {
            "vision": parameter_count(model.vision),
            "unimodal": sum(parameter_count(b) for b in model.decoder.unimodal),
            "multimodal": sum(parameter_count(b) for b in model.decoder.multimodal),
        },
        "logit_scale": round(model.logit_scale.exp().item(), 4), "history": history,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="training/data")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json")
    parser.add_argument("--out", default="static/models/shapes-coca")
    parser.add_argument("--steps", type=int, default=2200)
    parser.add_argument("--batch", type=int, default=192)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--warmup", type=int, default=150)
    parser.add_argument("--caption-weight", type=float, default=2.0)
    parser.add_argument("--contrastive-weight", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=200)
    parser.add_argument("--patch", type=int, default=4)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--vision-layers", type=int, default=3)
    parser.add_argument("--unimodal-layers", type=int, default=2)
    parser.add_argument("--multimodal-layers", type=int, default=2)
    parser.add_argument("--save", default="", help="also save the weights here (re-export with export_coca.py --weights)")
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.steps, args.log_every, args.batch, args.warmup = 20, 10, 64, 10
    model, meta, report = train(args)
    if args.save:
        torch.save({"config": model.config.as_dict(), "state": model.state_dict(), "report": report}, args.save)
    if not args.no_export:
        export_all(model, meta, json.load(open(args.golden_inputs)), args.out, report)


if __name__ == "__main__":
    main()
