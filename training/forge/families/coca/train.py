"""The tiny CoCa's training. Loss, as in CoCa: caption_weight × captioning + contrastive_weight ×
contrastive (2 and 1).
- Contrastive: shapes-clip's multi-positive InfoNCE on each scene's sampled caption (full or
  partial, "a red circle", "something blue", relations), learned logit scale.
- Captioning: next-token cross-entropy with teacher forcing on the FULL caption of each
  one-shape scene ("a small red circle at the top left"). The dataset stores one sampled caption
  per scene, so the target is read from the truth bits: the one true meaning whose template is
  "full". Two-shape scenes (the "two-shapes" meaning is true) have no single full caption (which
  shape comes first, and which of up to four true relations, is arbitrary), so they are left out
  of the captioning loss and only feed the contrastive one.
"""
import torch
from torch import nn

from forge.contrastive import multi_positive_infonce, retrieval_top1
from forge.data import caption_batch, encode_texts, to_pixel_values
from forge.families.coca.model import TinyCoca, TinyCocaConfig
from forge.loop import Training, parameter_count


def full_caption_targets(data):
    """Per scene, the index into the full captions of its own, or -1 for two-shape scenes; and the
    full captions' token ids [216, longest] (BOS … EOS, padded)."""
    meta, truth = data.meta, data.truth
    full = data.meanings("full")
    two_shapes = [m["template"] for m in meta["meanings"]].index("two-shapes")
    ids, _ = encode_texts(meta, [meta["meanings"][i]["text"] for i in full])
    target = truth[:, full].float().argmax(dim=1)
    one_shape = ~truth[:, two_shapes] & (truth[:, full].sum(dim=1) == 1)
    length = int((ids != 0).sum(dim=1).max())
    return torch.where(one_shape, target, torch.full_like(target, -1)), ids[:, :length]


def captioning_loss(model, caption_ids, image_tokens):
    """Teacher forcing: position t reads tokens ≤ t and predicts token t + 1; pads are ignored."""
    inputs, targets = caption_ids[:, :-1], caption_ids[:, 1:]
    mask = (inputs != model.config.pad_id).long()
    logits = model.decoder(inputs, mask, image_tokens)[0]
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=model.config.pad_id)


class CocaTraining(Training):
    defaults = {"steps": 2200, "batch": 192, "lr": 2e-3, "warmup": 150, "log_every": 200}
    smoke = {"steps": 20, "log_every": 10, "batch": 64, "warmup": 10}
    log_validation_time = True

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--caption-weight", type=float, default=2.0)
        parser.add_argument("--contrastive-weight", type=float, default=1.0)
        parser.add_argument("--patch", type=int, default=4)
        parser.add_argument("--width", type=int, default=64)
        parser.add_argument("--vision-layers", type=int, default=3)
        parser.add_argument("--unimodal-layers", type=int, default=2)
        parser.add_argument("--multimodal-layers", type=int, default=2)

    def __init__(self, data, args):
        super().__init__(data, args)
        self.targets, self.full_ids = full_caption_targets(data)

    def build(self):
        a, vocabulary = self.args, self.data.meta["vocabulary"]
        return TinyCoca(TinyCocaConfig(
            vocab_size=len(vocabulary), image_size=self.data.meta["imageSize"], max_text_tokens=self.data.meta["maxTextTokens"],
            patch_size=a.patch, vision_width=a.width, text_width=a.width, embed_dim=a.width,
            vision_layers=a.vision_layers, unimodal_layers=a.unimodal_layers, multimodal_layers=a.multimodal_layers,
            pad_id=vocabulary.index("[PAD]"), bos_id=vocabulary.index("[BOS]"), eos_id=vocabulary.index("[EOS]"),
        ))

    def loss(self, model, idx, generator):
        ids, mask, positives = caption_batch(self.data, idx, model.config.pad_id)
        image_embeds, image_tokens, _ = model.vision(to_pixel_values(self.data.images[idx]))
        text_embeds = model.text(ids, mask)[0]
        image_embeds = nn.functional.normalize(image_embeds, dim=-1)
        text_embeds = nn.functional.normalize(text_embeds, dim=-1)
        logits = model.logit_scale.exp() * image_embeds @ text_embeds.t()
        contrastive = multi_positive_infonce(logits, positives)
        captioned = (self.targets[idx] >= 0).nonzero().flatten()
        if len(captioned) > 0:
            captioning = captioning_loss(model, self.full_ids[self.targets[idx][captioned]], image_tokens[captioned])
        else:  # a batch of two-shape scenes only: nothing to caption
            captioning = torch.zeros(())
        loss = self.args.contrastive_weight * contrastive + self.args.caption_weight * captioning
        return loss, {"contrastive": contrastive, "captioning": captioning}

    def validate(self, model):
        return {**retrieval_top1(model, self.data), "caption_exact": self.caption_exact(model)}

    @torch.no_grad()
    def caption_exact(self, model, limit=500):
        """Share of held-out one-shape images whose greedy caption is exactly their full caption."""
        model.eval()
        targets = self.targets[self.data.train_n:]
        keep = (targets >= 0).nonzero().flatten()[:limit]
        tokens = model.vision(to_pixel_values(self.data.images[self.data.train_n:][keep]))[1]
        generated = model.generate(tokens)
        truth = [[t for t in self.full_ids[k].tolist() if t != model.config.pad_id] for k in targets[keep].tolist()]
        model.train()
        return sum(g == t for g, t in zip(generated, truth)) / max(1, len(truth))

    def report(self, model, run):
        a, data = self.args, self.data
        validation_seconds = sum(h["seconds_with_validation"] - h["seconds"] for h in run.history)
        return {
            "steps": run.steps, "batch": a.batch, "lr": a.lr, "warmup": a.warmup,
            "caption_weight": a.caption_weight, "contrastive_weight": a.contrastive_weight,
            "seconds": round(run.seconds), "seconds_per_step": round((run.seconds - validation_seconds) / max(1, run.steps), 3),
            "train_samples": data.train_n, "held_out_samples": data.held_out,
            "caption_samples": int((self.targets[:data.train_n] >= 0).sum()),
            "caption_targets": "the full caption of each one-shape scene (from the truth bits); two-shape scenes are not captioned",
            "held_out": {k: run.final[k] for k in ("full", "short", "caption_exact")},
            "parameters": parameter_count(model),
            "parameters_by_part": {
                "vision": parameter_count(model.vision),
                "unimodal": sum(parameter_count(b) for b in model.decoder.unimodal),
                "multimodal": sum(parameter_count(b) for b in model.decoder.multimodal),
            },
            "logit_scale": round(model.logit_scale.exp().item(), 4), "history": run.history,
        }
