"""shapes-cm3's training: next-token prediction over both orders of every scene in a batch
(half the rows caption then image, half image then caption, drawn at random), every real token
after the first a target. The image codes come from shapes-vq's encoder (its checkpoint, --vq),
computed once for the whole dataset. The validation, teacher-forced on held-out scenes: the share
of captions written exactly right, and of image codes predicted right."""
import torch

from forge import checkpoint
from forge.data import to_pixel_values
from forge.families.cm3.vocabulary import Layout, sequences
from forge.families.lm.model import LmConfig, TinyLm
from forge.families.lm.train import token_loss
from forge.loop import Training, parameter_count

VALIDATION_SCENES = 200


@torch.no_grad()
def encode_all(vq, images, chunk=500):
    return torch.cat([vq.encode(to_pixel_values(images[i:i + chunk]))[0] for i in range(0, len(images), chunk)])


class Cm3Training(Training):
    defaults = {"steps": 600, "batch": 32, "lr": 3e-3, "warmup": 30, "log_every": 100}
    smoke = {"steps": 6, "log_every": 3, "batch": 8, "warmup": 2}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--vq", default=checkpoint.default_path("vq"), help="shapes-vq's checkpoint (the image tokenizer)")
        parser.add_argument("--hidden", type=int, default=96)
        parser.add_argument("--layers", type=int, default=3)
        parser.add_argument("--heads", type=int, default=4)
        parser.add_argument("--kv-heads", type=int, default=2)
        parser.add_argument("--intermediate", type=int, default=256)

    def __init__(self, data, args):
        super().__init__(data, args)
        _, vq, _ = checkpoint.load(args.vq, "vq")
        self.codes = encode_all(vq, data.images)
        c = vq.config
        self.layout = Layout(words=len(data.meta["vocabulary"]), codes=c.codebook_size, cells=c.grid * c.grid)
        self.held_out = torch.arange(data.train_n, len(data.images))[:VALIDATION_SCENES]

    def build(self):
        a, layout = self.args, self.layout
        length = self.data.meta["maxTextTokens"] + layout.cells + 2
        return TinyLm(LmConfig(vocab_size=layout.size, hidden_size=a.hidden, layers=a.layers, heads=a.heads, kv_heads=a.kv_heads,
                               intermediate_size=a.intermediate, max_positions=length, pad_id=0, bos_id=2, eos_id=3))

    def batch(self, idx, caption_first):
        return sequences(self.layout, self.data.tokens[idx], self.codes[idx], caption_first)

    def loss(self, model, idx, generator):
        caption_first = torch.rand(len(idx), generator=generator) < 0.5
        ids, mask = self.batch(idx, caption_first)
        return token_loss(model(ids, mask), ids, mask.bool()), {}

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
        return {"steps": run.steps, "batch": self.args.batch, "seconds": round(run.seconds), "parameters": parameter_count(model),
                "train_samples": self.data.train_n, "held_out": run.final, "history": run.history}
