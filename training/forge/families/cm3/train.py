"""shapes-cm3's training: next-token prediction over both orders of every scene in a batch
(half the rows caption then image, half image then caption, drawn at random), every real token
after the first a target. The scenes are the dataset's one-shape scenes, and the caption a row
writes after an image is always the scene's full caption (size, colour, shape and place), so
captioning has one right answer; a caption read before an image is the full one too, except for
a quarter of the rows, which read the scene's sampled caption ("a red circle", "a shape at the
top") so that shorter captions also draw. The image codes come from shapes-vq's encoder (its
checkpoint, --vq), each scene's computed the first time a batch holds it and kept. The validation, teacher-forced on
held-out scenes: the share of captions written exactly right, and of image codes predicted right."""
from dataclasses import dataclass

import torch

from forge import checkpoint
from forge.data import ShapesWorld, load, to_pixel_values
from forge.families.cm3.vocabulary import Layout, sequences
from forge.families.lm.model import LmConfig, TinyLm
from forge.families.lm.train import token_loss
from forge.loop import Training, parameter_count

VALIDATION_SCENES = 200
SAMPLED_SHARE = 0.25  # caption-first rows that read the scene's sampled caption, not its full one


@dataclass
class OneShapeScenes(ShapesWorld):
    sampled: torch.Tensor = None  # [N, T] the caption write-dataset.ts sampled for each scene


def one_shape_scenes(data: ShapesWorld) -> OneShapeScenes:
    """The scenes of which exactly one full caption is true (one shape), in order, with that caption's
    canonical words as the tokenizer gives them ([BOS] words [EOS] [PAD]...) in `tokens`."""
    full = torch.tensor(data.meanings("full"))
    true = data.truth[:, full]
    one = true.sum(dim=1) == 1
    meaning = full[true[one].float().argmax(dim=1)]
    vocab = {w: i for i, w in enumerate(data.meta["vocabulary"])}
    texts = torch.zeros(len(data.meta["meanings"]), data.meta["maxTextTokens"], dtype=torch.long)
    for m in full.tolist():
        ids = [2] + [vocab[w] for w in data.meta["meanings"][m]["text"].split()] + [3]
        texts[m, : len(ids)] = torch.tensor(ids)
    return OneShapeScenes({**data.meta, "count": int(one.sum())}, data.images[one], texts[meaning], meaning, data.truth[one],
                          data.tokens[one])




class Cm3Training(Training):
    load_data = staticmethod(lambda path: one_shape_scenes(load(path)))
    defaults = {"steps": 600, "batch": 32, "lr": 3e-3, "warmup": 30, "log_every": 100}
    smoke = {"steps": 6, "log_every": 3, "batch": 8, "warmup": 2}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--vq", default=checkpoint.default_path("vq"), help="shapes-vq's checkpoint (the image tokenizer)")
        parser.add_argument("--hidden", type=int, default=128)
        parser.add_argument("--layers", type=int, default=4)
        parser.add_argument("--heads", type=int, default=4)
        parser.add_argument("--kv-heads", type=int, default=2)
        parser.add_argument("--intermediate", type=int, default=384)
        parser.add_argument("--init", help="go on training from this shapes-cm3 checkpoint (its size, not --hidden …)")
        parser.add_argument("--caption-weight", type=float, default=1.0,
                            help="the weight of a caption's tokens written after an image, in the loss's mean over tokens (1: every token alike)")

    def __init__(self, data, args):
        super().__init__(data, args)
        _, self.vq, saved = checkpoint.load(args.vq, "vq")
        # The tokenizer's run that last changed its codes (its first, or a later one that trained the
        # encoder too, not the decoder alone): a run that goes on from another names it when it is not the first.
        runs = saved["report"].get("runs") or []
        self.vq_run = [i + 1 for i, r in enumerate(runs) if i == 0 or not r.get("decoder_only")][-1] if runs else 1
        c = self.vq.config
        self.codes = torch.full((len(data.images), c.grid, c.grid), -1, dtype=torch.long)  # -1: not encoded yet
        self.layout = Layout(words=len(data.meta["vocabulary"]), codes=c.codebook_size, cells=c.grid * c.grid)
        self.held_out = torch.arange(data.train_n, len(data.images))[:VALIDATION_SCENES]

    def build(self):
        a, layout = self.args, self.layout
        if a.init:
            model = checkpoint.load(a.init, "cm3")[1]
            model.train()
            return model
        length = self.data.meta["maxTextTokens"] + layout.cells + 2
        return TinyLm(LmConfig(vocab_size=layout.size, hidden_size=a.hidden, layers=a.layers, heads=a.heads, kv_heads=a.kv_heads,
                               intermediate_size=a.intermediate, max_positions=length, pad_id=0, bos_id=2, eos_id=3))

    @torch.no_grad()
    def codes_of(self, idx):
        """shapes-vq's codes of scenes idx, encoding those no batch has held before."""
        missing = idx[self.codes[idx, 0, 0] < 0].unique()
        if len(missing):
            self.codes[missing] = self.vq.encode(to_pixel_values(self.data.images[missing]))[0]
        return self.codes[idx]

    def batch(self, idx, caption_first, sampled=None):
        captions = self.data.tokens[idx]
        if sampled is not None:
            captions = torch.where(sampled[:, None], self.data.sampled[idx], captions)
        return sequences(self.layout, captions, self.codes_of(idx), caption_first)

    def loss(self, model, idx, generator):
        caption_first = torch.rand(len(idx), generator=generator) < 0.5
        sampled = caption_first & (torch.rand(len(idx), generator=generator) < SAMPLED_SHARE)
        ids, mask = self.batch(idx, caption_first, sampled)
        weights = mask.bool()
        if self.args.caption_weight != 1:  # the words of image-first rows (markers and codes below them: ids < <image>)
            captioned = (~caption_first)[:, None] & (ids < self.layout.begin_image) & weights
            weights = mask.float() + (self.args.caption_weight - 1) * captioned.float()
        return token_loss(model(ids, mask), ids, weights), {}

    def after_step(self, model):
        pass

    @torch.no_grad()
    def validate(self, model):
        model.eval()
        idx, n = self.held_out, len(self.held_out)
        out = {}
        for name, first in (("draw", True), ("caption", False)):
            ids, mask = self.batch(idx, torch.full((n,), first))
            right = model(ids, mask)[:, :-1].argmax(-1) == ids[:, 1:]
            targets = ids[:, 1:]
            if first:  # the codes after <image>
                codes = (targets >= self.layout.first_code)
                out["code_accuracy"] = (right & codes).sum().item() / codes.sum().item()
            else:  # every word after [BOS], [EOS] included
                words = (targets < self.layout.begin_image) & (targets != 0) & (targets != 2) & mask[:, 1:].bool()
                out["caption_exact"] = ((right | ~words).all(dim=1)).float().mean().item()
        model.train()
        return out

    def extras(self):
        return {"layout": self.layout.as_dict(), "vq": self.args.vq}

    def report(self, model, run):
        report = {"steps": run.steps, "batch": self.args.batch, "seconds": round(run.seconds), "parameters": parameter_count(model),
                  "train_samples": self.data.train_n, "held_out": run.final, "history": run.history}
        if self.args.init:  # the run it went on from, whose steps and minutes come first
            before = checkpoint.load(self.args.init, "cm3")[2]["report"]
            this = {"steps": run.steps, "seconds": round(run.seconds), "lr": self.args.lr, "seed": self.args.seed}
            if self.args.caption_weight != 1:
                this["caption_weight"] = self.args.caption_weight
            if self.args.threads != 1:
                this["threads"] = self.args.threads
            if self.vq_run > 1:
                this["vq_run"] = self.vq_run
            report.update(steps=before["steps"] + run.steps, seconds=before["seconds"] + round(run.seconds),
                          runs=before.get("runs", [{k: before[k] for k in ("steps", "seconds", "batch")}]) + [this])
        return report
