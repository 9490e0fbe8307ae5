"""The tiny SigLIP's training: the pairwise sigmoid loss on shapes-clip's data, the captions
re-tokenized into SigLIP's pieces and always fed at full length, as transformers.js feeds them."""
import torch
from torch import nn

from forge.data import to_pixel_values
from forge.families.siglip import tokenizer as tok
from forge.families.siglip.model import TinySiglip, TinySiglipConfig, sigmoid_loss
from forge.loop import Training, parameter_count


class SiglipTraining(Training):
    # 128 rather than shapes-clip's 256: twice the steps in the same time, which the sigmoid loss
    # (pairs are independent, no batch-wide softmax) turned into better held-out accuracy.
    defaults = {"minutes": 17, "batch": 128, "lr": 2e-3, "warmup": 300, "log_every": 200}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--patch", type=int, default=4)
        parser.add_argument("--width", type=int, default=64)
        parser.add_argument("--vision-layers", type=int, default=3)

    def __init__(self, data, args):
        super().__init__(data, args)
        self.tokens = tok.clip_to_siglip(data.tokens, data.meta["vocabulary"], data.meta["maxTextTokens"])
        self.vocab_pieces = tok.pieces(data.meta["vocabulary"])
        # The tokenizer's piece scores: the pieces' log frequencies in the training captions.
        self.scores = tok.piece_scores(self.tokens[:data.train_n], len(self.vocab_pieces))

    def build(self):
        a, meta = self.args, self.data.meta
        return TinySiglip(TinySiglipConfig(vocab_size=len(self.vocab_pieces), image_size=meta["imageSize"],
                                           max_text_tokens=meta["maxTextTokens"], patch_size=a.patch, vision_width=a.width,
                                           text_width=a.width, vision_layers=a.vision_layers))

    def loss(self, model, idx, generator):
        # Caption j is a positive of image i whenever it is true of scene i, as for shapes-clip.
        positives = self.data.truth[idx][:, self.data.meaning[idx]]
        image_embeds = nn.functional.normalize(model.vision(to_pixel_values(self.data.images[idx]))[0], dim=-1)
        # Always all max_tokens positions: the model is fed exactly as transformers.js will feed it.
        text_embeds = nn.functional.normalize(model.text(self.tokens[idx])[0], dim=-1)
        return sigmoid_loss(model.logits(text_embeds, image_embeds), positives), {}

    def after_step(self, model):
        """The sigmoid loss's temperature and bias are left free."""

    @torch.no_grad()
    def validate(self, model):
        """The learned temperature t and bias b; image->text top-1 over every full one-shape caption
        (on held-out one-shape images) and over the short captions "a {colour} {shape}", plus the
        mean sigmoid probability the model gives the true full caption and the best false one."""
        model.eval()
        data = self.data
        images, truth = data.images[data.train_n:], data.truth[data.train_n:]
        full, short = data.meanings("full"), data.meanings("colour-shape")
        one_shape = truth[:, full].sum(dim=1) == 1
        image = nn.functional.normalize(model.vision(to_pixel_values(images[one_shape]))[0], dim=-1)
        result = {}
        for name, candidates in (("full", full), ("short", short)):
            ids = tok.encode([data.meta["meanings"][i]["text"] for i in candidates], self.vocab_pieces, model.config.max_text_tokens)
            text = nn.functional.normalize(model.text(ids)[0], dim=-1)
            logits = model.logits(text, image).t()  # [images, captions]
            sub = truth[one_shape][:, candidates]
            picked = logits.argmax(dim=1)
            result[name] = sub[torch.arange(len(picked)), picked].float().mean().item()
            if name == "full":
                p = torch.sigmoid(logits)
                result["p_true"] = p[sub].mean().item()
                result["p_best_false"] = p.masked_fill(sub, 0).max(dim=1).values.mean().item()
        model.train()
        return {"t": round(model.logit_scale.exp().item(), 3), "b": round(model.logit_bias.item(), 3),
                **{k: round(v, 4) for k, v in result.items()}}

    def report(self, model, run):
        return {
            "steps": run.steps, "batch": self.args.batch, "lr": self.args.lr, "seconds": round(run.seconds),
            "train_samples": self.data.train_n, "held_out_samples": self.data.held_out,
            "held_out": {k: v for k, v in run.final.items() if k not in ("t", "b")}, "parameters": parameter_count(model),
            "loss": "-(1/B) sum_i sum_j log sigmoid(z_ij (t cos_ij + b)), z_ij = +1 iff caption j is true of image i",
            "logit_scale": round(model.logit_scale.exp().item(), 4), "logit_bias": round(model.logit_bias.item(), 4),
            "history": run.history,
        }

    def extras(self):
        """Kept with the checkpoint: the export writes the tokenizer from them."""
        return {"piece_scores": self.scores}
