"""shapes-lm's pretraining: next-token prediction on ShapesWorld text with no image, every token of
the conversation (prompt and answer), from two sources of write-instructions.ts: questions about
a scene described in words ("text") and questions alone ("prior"). The validation reports the
held-out share of answers the model gets exactly right by greedy decoding, per source."""
import torch
from torch import nn

from forge.families.lm.data import Pool, batch_tokens, load_instructions
from forge.families.lm.model import LmConfig, TinyLm
from forge.loop import Training, parameter_count

HELD_OUT = 400


def token_loss(logits, ids, weights):
    """Cross-entropy of position t's logits against token t + 1, where weights[:, t + 1] is set."""
    targets = ids[:, 1:]
    chosen = weights[:, 1:].reshape(-1)
    loss = nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="none")
    return (loss * chosen).sum() / chosen.sum().clamp(min=1)


def teacher_forced_exact(logits, ids, answer):
    """Per conversation: every answer token is the argmax of the position before (greedy decoding's
    answer, without running it step by step)."""
    right = (logits[:, :-1].argmax(-1) == ids[:, 1:]) | ~answer[:, 1:]
    return right.all(dim=1)


class LmTraining(Training):
    defaults = {"steps": 800, "batch": 32, "lr": 3e-3, "warmup": 50, "log_every": 100}
    smoke = {"steps": 12, "log_every": 6, "batch": 16, "warmup": 4}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--hidden", type=int, default=96)
        parser.add_argument("--layers", type=int, default=3)
        parser.add_argument("--heads", type=int, default=4)
        parser.add_argument("--kv-heads", type=int, default=2)
        parser.add_argument("--intermediate", type=int, default=256)

    load_data = staticmethod(load_instructions)

    def __init__(self, instructions, args):
        # The last 400 conversations of each source are held out.
        rows = {s: instructions.select([s]) for s in ("text", "prior")}
        super().__init__(Pool(instructions, torch.cat([r[:-HELD_OUT] for r in rows.values()])), args)
        self.instructions = instructions
        self.held_out = {s: r[-HELD_OUT:] for s, r in rows.items()}

    def build(self):
        a, meta = self.args, self.instructions.meta
        ids = meta["ids"]
        return TinyLm(LmConfig(vocab_size=len(meta["vocabulary"]), hidden_size=a.hidden, layers=a.layers, heads=a.heads,
                               kv_heads=a.kv_heads, intermediate_size=a.intermediate, pad_id=ids["pad"], bos_id=ids["start"], eos_id=ids["end"]))

    def loss(self, model, idx, generator):
        ids, mask, _ = batch_tokens(self.instructions, self.data.rows[idx])
        return token_loss(model(ids, mask), ids, mask.bool()), {}

    def after_step(self, model):
        pass

    @torch.no_grad()
    def validate(self, model):
        model.eval()
        out = {}
        for source, rows in self.held_out.items():
            ids, mask, answer = batch_tokens(self.instructions, rows)
            out[source] = teacher_forced_exact(model(ids, mask), ids, answer).float().mean().item()
        model.train()
        return out

    def report(self, model, run):
        return {"steps": run.steps, "batch": self.args.batch, "seconds": round(run.seconds), "parameters": parameter_count(model),
                "conversations": self.data.train_n, "held_out": run.final, "history": run.history}
