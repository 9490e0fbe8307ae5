"""shapes-smolvlm's training, in the two stages of the family (both shipped):

  stage 1 (alignment)   only the connector learns, both backbones frozen, on captioning: the
                        image with "Describe the image." and its description as the answer
  stage 2 (instructions) the connector and the language model learn (the vision tower stays
                        frozen) on questions of every kind about the image

The backbones come from checkpoints: shapes-clip's (`forge recover clip` rebuilds it from the
shipped graphs) and shapes-lm's (`forge train lm`); stage 2 starts from stage 1's checkpoint.
The loss is next-token cross-entropy on the answer's tokens only: by default the mean over every
answer token of the batch, so a 20-token description weighs as much as seven one-word answers;
`--weighting answer` averages each conversation's answer tokens first, so every answer counts
alike, and `--kind-weights position=2,...` scales the answers of some question kinds. The
validation reports, on held-out images, the share of answers right by teacher forcing (every
answer token the argmax).

The vision tower is frozen in both stages, so its output for every image (pixel-shuffled, the
connector's input) is computed once when the model is built and read by the batches: the same
numbers as running the tower on each batch, a fraction of the time.
"""
import os

import torch

from forge import checkpoint
from forge.families.clip.model import TinyClipConfig
from forge.families.lm.data import ANSWER, IMAGE, KIND, LENGTH, Pool, load_instructions
from forge.families.lm.model import LmConfig
from forge.families.lm.train import teacher_forced_exact, token_loss
from forge.families.smolvlm.inputs import expand_images, frames_from_images, image_token_sequence
from forge.families.smolvlm.model import SmolVlm, SmolVlmConfig
from forge.loop import Training, parameter_count

STAGE_KINDS = {1: ["describe"], 2: None}
HELD_OUT = 1024


def answer_weights(answer, kind, weighting, kind_weights):
    """The loss weight of every position of a batch [batch, T]: the answer mask (token mean), or
    each conversation's answer tokens sharing one unit (answer mean), times its kind's weight."""
    weights = answer.float()
    if weighting == "answer":
        weights = weights / weights[:, 1:].sum(dim=1, keepdim=True).clamp(min=1)
    return weights * kind_weights[kind][:, None]


def parse_kind_weights(text, kinds):
    """"position=2,exists=1.5" -> a weight per kind (1 for those not named)."""
    weights = torch.ones(len(kinds))
    for part in filter(None, (text or "").split(",")):
        name, value = part.split("=")
        if name not in kinds:
            raise SystemExit(f"--kind-weights: no question kind {name!r} (kinds: {', '.join(kinds)})")
        weights[kinds.index(name)] = float(value)
    return weights


def batch(model, data, rows, sequence, shuffled):
    """Expanded ids, attention mask, answer mask and the frozen tower's shuffled features
    [images · frames, 16, 4 · W] of conversation rows (shuffled: every image's, precomputed)."""
    info = data.rows[rows]
    width = int(info[:, LENGTH].max())
    ids, mask, answer = expand_images(data.tokens[rows, :width], info[:, LENGTH], info[:, ANSWER], model.config.image_token_id, sequence)
    return ids, mask, answer, shuffled[info[:, IMAGE]].flatten(0, 1)


@torch.no_grad()
def tower_outputs(model, images, chunk=200):
    """The frozen vision tower's pixel-shuffled output for every image -> [images, frames, 16, 4 · W]."""
    model.vision.eval()
    out = []
    for start in range(0, len(images), chunk):
        frames = frames_from_images(images[start:start + chunk], model.config.tile_size)
        shuffled = model.shuffled_features(frames)[0]
        out.append(shuffled.reshape(-1, model.config.tiles_per_side ** 2 + 1, *shuffled.shape[1:]))
    return torch.cat(out)


class ImagePacker:
    """Every conversation about an image in one pass over the image (--pack): the prompt's part
    before the question (<|im_start|> User: and the expanded image) is the same for every
    question about an image, so the decoder runs it once per image, and each conversation's
    question and answer continue from its keys and values, as the key/value cache does when
    generating. The same logits as running each conversation whole (causal attention: the
    prefix never sees what follows it), for about half the tokens per answer."""

    def __init__(self, instructions, pool_rows):
        self.data = instructions
        images = instructions.rows[pool_rows, IMAGE]
        order = torch.argsort(images, stable=True)
        self.rows = pool_rows[order]
        first = torch.full((len(instructions.images),), -1, dtype=torch.long)
        count = torch.zeros(len(instructions.images), dtype=torch.long)
        kept, counts = torch.unique_consecutive(images[order], return_counts=True)
        first[kept] = torch.cumsum(counts, 0) - counts
        count[kept] = counts
        self.first, self.count = first, count
        tokens = instructions.tokens[pool_rows[0]]
        self.at = int((tokens == instructions.meta["ids"]["image"]).nonzero()[0])

    def rows_of(self, images):
        """Every pool conversation about these images -> rows, and each row's index into images."""
        rows = [self.rows[self.first[i]:self.first[i] + self.count[i]] for i in images.tolist()]
        owner = torch.cat([torch.full((len(r),), k, dtype=torch.long) for k, r in enumerate(rows)])
        return torch.cat(rows), owner

    def logits(self, model, images, rows, owner, sequence, shuffled):
        """Teacher-forced logits [rows, S, V] of each conversation's part after the image, its ids and answer mask."""
        data, at = self.data, self.at
        prefix = torch.tensor(data.tokens[rows[0], :at].tolist() + sequence)[None, :].expand(len(images), -1)
        width = prefix.shape[1]
        features = model.project(shuffled[images].flatten(0, 1))
        positions = torch.arange(width)[None, :].expand(len(images), -1)
        _, presents, _ = model.lm.decode(model.embed(prefix, features), torch.ones(len(images), width, dtype=torch.long), positions,
                                         model.lm.empty_cache(len(images)))
        past = [p[owner] for p in presents]
        info = data.rows[rows]
        lengths = info[:, LENGTH] - at - 1
        span = int(lengths.max())
        ids = data.tokens[rows, at + 1:at + 1 + span]
        place = torch.arange(span)[None, :]
        mask = place < lengths[:, None]
        answer = (place >= (info[:, ANSWER] - at - 1)[:, None]) & mask
        attention = torch.cat([torch.ones(len(rows), width, dtype=torch.long), mask.long()], dim=1)
        logits = model.lm.decode(model.lm.embed(ids), attention, width + place.expand(len(rows), -1), past)[0]
        return logits, ids, answer


def earlier_runs(path):
    """The stage-2 runs a continuing run stands on, oldest first, read from the checkpoints of its
    --init chain (each found beside the one that names it): what each started from, how long it
    ran, on how many conversations, with which loss weighting."""
    runs = []
    while path and os.path.exists(path):
        report = torch.load(path)["report"]
        if report.get("stage") != 2:
            break
        runs.insert(0, {"checkpoint": os.path.basename(path), "init": report.get("init"), "steps": report["steps"], "batch": report["batch"],
                        "seconds": report["seconds"], "conversations": report["conversations"], "lr": report.get("lr"),
                        "weighting": report.get("weighting", "token"), "kind_weights": report.get("kind_weights"),
                        "pack": report.get("pack", False)})
        path = os.path.join(os.path.dirname(path), report["init"]) if report.get("init") else None
        if path and not os.path.exists(path):
            # A checkpoint rebuilt from a shipped folder (forge recover) names the runs before it itself.
            runs = list(report.get("earlier") or []) + runs
    return runs


class SmolVlmTraining(Training):
    defaults = {"steps": 600, "batch": 32, "lr": 2e-3, "warmup": 50, "log_every": 100}
    smoke = {"steps": 6, "log_every": 3, "batch": 8, "warmup": 2}
    load_data = staticmethod(load_instructions)

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--stage", type=int, default=2, choices=(1, 2))
        parser.add_argument("--vision", default=checkpoint.default_path("clip"), help="shapes-clip's checkpoint (forge recover clip)")
        parser.add_argument("--lm", default=checkpoint.default_path("lm"), help="shapes-lm's checkpoint (forge train lm)")
        parser.add_argument("--init", default=checkpoint.default_path("smolvlm-stage1"), help="stage 2 starts from this stage-1 checkpoint")
        parser.add_argument("--weighting", default="token", choices=("token", "answer"),
                            help="the loss: the mean over the batch's answer tokens, or over its answers (each answer's tokens averaged first)")
        parser.add_argument("--pack", action="store_true",
                            help="each drawn conversation brings every question about its image, the image's part of the prompt run once (ImagePacker)")
        parser.add_argument("--kind-weights", default="", help="loss weights of question kinds, e.g. position=2,exists=2 (others 1)")
        parser.add_argument("--position-embedding", action="store_true",
                            help="the connector adds a learned vector per visual token place of a frame (zeros when stage 2 adds it to an init without)")

    def __init__(self, instructions, args):
        kinds = STAGE_KINDS[args.stage]
        super().__init__(Pool(instructions, instructions.select(["image"], kinds)), args)
        self.instructions = instructions
        self.held_out = instructions.select(["image"], kinds, held_out=True)[:HELD_OUT]
        self.kind_weights = parse_kind_weights(args.kind_weights, instructions.meta["kinds"])
        self.packer = ImagePacker(instructions, self.data.rows) if args.pack else None

    def build(self):
        a = self.args
        if a.stage == 2:
            model = checkpoint.load(a.init, "smolvlm")[1]
            model.config.stage = 2
            if a.position_embedding and not model.config.position_embedding:
                # Added to a model trained without: zeros, so the run starts from the same function.
                model.config.position_embedding = True
                model.connector_position = torch.nn.Parameter(torch.zeros(model.config.image_seq_len, model.config.lm["hidden_size"]))
        else:
            vision = torch.load(a.vision)
            lm = torch.load(a.lm)
            if vision["family"] != "clip" or lm["family"] != "lm":
                raise SystemExit("--vision must be a clip checkpoint and --lm an lm checkpoint")
            ids = self.instructions.meta["ids"]
            model = SmolVlm(SmolVlmConfig(vision=TinyClipConfig(**vision["config"]).as_dict(), lm=LmConfig(**lm["config"]).as_dict(),
                                          image_token_id=ids["image"], image_size=self.instructions.meta["imageSize"], stage=1,
                                          position_embedding=a.position_embedding))
            model.vision.load_state_dict({k[len("vision."):]: v for k, v in vision["state"].items() if k.startswith("vision.")})
            model.lm.load_state_dict(lm["state"])
        # A stage-2 run may continue an earlier one: the report names every run before it.
        self.earlier = earlier_runs(a.init) if a.stage == 2 else []
        model.vision.requires_grad_(False)
        model.lm.requires_grad_(a.stage == 2)
        self.sequence = image_token_sequence(self.instructions.meta, model.config.tiles_per_side, model.config.image_seq_len)
        self.shuffled = tower_outputs(model, self.instructions.images)
        return model

    def loss(self, model, idx, generator):
        rows = self.data.rows[idx]
        if self.packer:
            images = torch.unique(self.instructions.rows[rows, IMAGE])
            rows, owner = self.packer.rows_of(images)
            logits, ids, answer = self.packer.logits(model, images, rows, owner, self.sequence, self.shuffled)
            weights = answer_weights(answer, self.instructions.rows[rows, KIND], self.args.weighting, self.kind_weights)
            return token_loss(logits, ids, weights), {}
        ids, mask, answer, shuffled = batch(model, self.instructions, rows, self.sequence, self.shuffled)
        weights = answer_weights(answer, self.instructions.rows[rows, KIND], self.args.weighting, self.kind_weights)
        return token_loss(model(ids, mask, shuffled=shuffled), ids, weights), {}

    def after_step(self, model):
        pass

    @torch.no_grad()
    def validate(self, model):
        model.eval()
        kinds = self.instructions.meta["kinds"]
        right, kind = [], []
        for start in range(0, len(self.held_out), 64):
            rows = self.held_out[start:start + 64]
            ids, mask, answer, shuffled = batch(model, self.instructions, rows, self.sequence, self.shuffled)
            right.append(teacher_forced_exact(model(ids, mask, shuffled=shuffled), ids, answer))
            kind.append(self.instructions.rows[rows, KIND])
        model.train()
        right, kind = torch.cat(right).float(), torch.cat(kind)
        out = {"all": right.mean().item()}
        for k, name in enumerate(kinds):
            if (kind == k).any():
                out[name] = right[kind == k].mean().item()
        return out

    def extras(self):
        meta = self.instructions.meta
        return {"special_tokens": meta["specialTokens"], "chat_template": meta["chatTemplate"]}

    def report(self, model, run):
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        return {"stage": self.args.stage, "steps": run.steps, "batch": self.args.batch, "seconds": round(run.seconds),
                "parameters": parameter_count(model), "trained_parameters": trainable, "conversations": self.data.train_n,
                "lr": self.args.lr, "weighting": self.args.weighting, "pack": self.args.pack, "kind_weights": self.args.kind_weights or None,
                "held_out": run.final, "history": run.history,
                "backbones": {"vision": os.path.basename(self.args.vision), "lm": os.path.basename(self.args.lm)},
                # Stage 2 starts from a stage-1 checkpoint, or continues an earlier stage-2 run.
                "init": os.path.basename(self.args.init) if self.args.stage == 2 else None, "earlier": self.earlier}
