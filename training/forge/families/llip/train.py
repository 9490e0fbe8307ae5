"""The tiny Llip's training: shapes-clip's multi-positive InfoNCE, batch, schedule and batch
order, on logits from caption-conditioned image embeddings."""
import torch

from forge.contrastive import multi_positive_infonce
from forge.data import caption_batch, encode_texts, to_pixel_values
from forge.families.llip.model import TinyLlip, TinyLlipConfig
from forge.loop import Training, parameter_count


@torch.no_grad()
def logits_for(model, pixel_values, text_embeds, chunk=256):
    """Logits [images, texts], in chunks of images: the head builds one embedding per pair."""
    rows = []
    for start in range(0, len(pixel_values), chunk):
        mixture = model.vision(pixel_values[start:start + chunk])[0]
        rows.append(model.head(mixture, text_embeds)[2])
    return torch.cat(rows)


class LlipTraining(Training):
    defaults = {"steps": 1510, "batch": 256, "lr": 2e-3, "warmup": 300, "log_every": 200}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--mixture-tokens", type=int, default=8)
        parser.add_argument("--cross-heads", type=int, default=4)
        parser.add_argument("--temperature", type=float, default=1.0)

    def build(self):
        a, meta = self.args, self.data.meta
        return TinyLlip(TinyLlipConfig(vocab_size=len(meta["vocabulary"]), image_size=meta["imageSize"],
                                       max_text_tokens=meta["maxTextTokens"], mixture_tokens=a.mixture_tokens,
                                       cross_heads=a.cross_heads, cross_temperature=a.temperature))

    def loss(self, model, idx, generator):
        ids, mask, positives = caption_batch(self.data, idx, model.config.pad_id)
        logits = model(ids, to_pixel_values(self.data.images[idx]), mask)
        return multi_positive_infonce(logits, positives), {}

    @torch.no_grad()
    def validate(self, model):
        """Image->text top-1 on held-out images: every full caption and every "a {colour} {shape}"
        on one-shape images (as shapes-clip's), every relation caption on two-shape images."""
        model.eval()
        data = self.data
        images, truth = data.images[data.train_n:], data.truth[data.train_n:]
        groups = {"full": data.meanings("full"), "short": data.meanings("colour-shape"), "relation": data.meanings("relation")}
        one_shape = truth[:, groups["full"]].sum(dim=1) == 1
        two_shape = truth[:, [i for i, m in enumerate(data.meta["meanings"]) if m["id"] == "two-shapes"]].squeeze(1)
        result = {}
        for name, candidates in groups.items():
            ids, mask = encode_texts(data.meta, [data.meta["meanings"][i]["text"] for i in candidates])
            text = model.text(ids, mask)[0]
            keep = two_shape if name == "relation" else one_shape
            predicted = logits_for(model, to_pixel_values(images[keep]), text).argmax(dim=1)
            result[name] = truth[keep][:, candidates][torch.arange(len(predicted)), predicted].float().mean().item()
        model.train()
        return result

    def report(self, model, run):
        a = self.args
        return {
            "steps": a.steps, "batch": a.batch, "lr": a.lr, "warmup_steps": a.warmup, "seed": a.seed,
            "seconds": round(run.seconds), "train_samples": self.data.train_n, "held_out_samples": self.data.held_out,
            "held_out": run.final, "parameters": parameter_count(model), "parameters_cross_attention": parameter_count(model.cross),
            "logit_scale": round(model.logit_scale.exp().item(), 4), "history": run.history,
        }
