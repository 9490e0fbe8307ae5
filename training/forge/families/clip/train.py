"""The tiny CLIP's training: multi-positive InfoNCE on (image, its caption) batches with a learned
logit scale, for a time budget (the full forge trains 18 minutes)."""
from torch import nn

from forge.contrastive import multi_positive_infonce, retrieval_top1
from forge.data import caption_batch, to_pixel_values
from forge.families.clip.model import TinyClip, TinyClipConfig
from forge.loop import Training, parameter_count


class ClipTraining(Training):
    defaults = {"minutes": 12, "batch": 256, "lr": 2e-3, "warmup": 300, "log_every": 200}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--patch", type=int, default=4)
        parser.add_argument("--width", type=int, default=64)
        parser.add_argument("--vision-layers", type=int, default=3)

    def build(self):
        a, meta = self.args, self.data.meta
        return TinyClip(TinyClipConfig(vocab_size=len(meta["vocabulary"]), image_size=meta["imageSize"],
                                       max_text_tokens=meta["maxTextTokens"], patch_size=a.patch, vision_width=a.width,
                                       text_width=a.width, embed_dim=a.width, vision_layers=a.vision_layers))

    def loss(self, model, idx, generator):
        ids, mask, positives = caption_batch(self.data, idx, model.config.pad_id)
        image_embeds = nn.functional.normalize(model.vision(to_pixel_values(self.data.images[idx]))[0], dim=-1)
        text_embeds = nn.functional.normalize(model.text(ids, mask)[0], dim=-1)
        logits = model.logit_scale.exp() * image_embeds @ text_embeds.t()
        return multi_positive_infonce(logits, positives), {}

    def validate(self, model):
        return retrieval_top1(model, self.data)

    def report(self, model, run):
        return {
            "steps": run.steps, "batch": self.args.batch, "seconds": round(run.seconds), "train_samples": self.data.train_n,
            "held_out_samples": self.data.held_out, "held_out": run.final, "parameters": parameter_count(model),
            "logit_scale": round(model.logit_scale.exp().item(), 4), "history": run.history,
        }
