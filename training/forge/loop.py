"""The one training loop of the forge. A family says what is its own (a subclass of Training:
its model, its loss on a batch, its held-out checks, its report); the loop does the rest, the
same way for every family:

- seeded: torch.manual_seed(seed) before the model is built, and one generator, seeded alike,
  for the batch indices (and whatever else a family's loss draws, e.g. masks);
- AdamW with weight decay on matrices only, linear warm-up then cosine decay to zero over the
  step budget (or the time budget when no step count is given), gradients clipped to norm 1;
- the loss of every step kept (the pinned smoke losses compare them), a log entry with the
  family's validation every log_every steps and at the last step.
"""
import json
import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from forge.data import ShapesWorld, load


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


class Training:
    """A family's training. Subclasses set `defaults` (steps or minutes, batch, lr, warmup,
    log_every), `smoke` (what --smoke overrides) and implement build, loss and validate."""

    defaults: dict = {}
    smoke = {"steps": 20, "log_every": 10, "batch": 64}
    # Log entries also say how long the run had taken once the validation was done.
    log_validation_time = False

    def __init__(self, data: ShapesWorld, args):
        self.data, self.args = data, args

    @staticmethod
    def load_data(path):
        """The data the family trains on, from --data: ShapesWorld's arrays unless the family reads
        another dataset. Whatever it returns, the loop needs `train_n` (indices are drawn below it)."""
        return load(path)

    @staticmethod
    def add_arguments(parser):
        """The family's own command-line options."""

    def build(self) -> nn.Module:
        raise NotImplementedError

    def loss(self, model, idx, generator):
        """The loss on the training scenes idx -> (scalar loss, {name: value} to log)."""
        raise NotImplementedError

    def validate(self, model) -> dict:
        """Held-out checks, logged with every log entry; the last one is the run's result."""
        return {}

    def after_step(self, model):
        """CLIP's bound on the learned temperature: a logit scale of at most 100."""
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))

    def warmup_steps(self):
        return self.args.warmup

    def extras(self) -> dict:
        """What the export needs beyond the weights and the vocabulary (kept in the checkpoint)."""
        return {}

    def report(self, model, run) -> dict:
        """What training.json says about the run, beside the model's config."""
        return {"steps": run.steps, "batch": self.args.batch, "seconds": round(run.seconds), "history": run.history}


@dataclass
class Run:
    steps: int = 0
    seconds: float = 0.0
    history: list = field(default_factory=list)
    final: dict = field(default_factory=dict)  # the last validation
    losses: list = field(default_factory=list)  # the loss of every step, full precision


def learning_rate(base, step, warmup, progress):
    """Linear warm-up over `warmup` steps, then cosine decay to 0 as progress goes from 0 to 1."""
    return base * min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def train(training: Training, on_log=None):
    """Trains training.build()'s model on training.data -> (model, Run). on_log(model, run), when
    given, is called after each log entry (run.steps and run.seconds say how far it has come): a
    long run keeps a checkpoint along the way."""
    args, data = training.args, training.data
    torch.manual_seed(args.seed)
    model = training.build()
    print(f"parameters: {parameter_count(model)}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed)
    warmup = training.warmup_steps()
    budget = args.minutes * 60
    run = Run()
    start = time.time()
    step = 0
    while True:
        elapsed = time.time() - start
        if (args.steps and step >= args.steps) or (not args.steps and elapsed > budget):
            break
        progress = step / args.steps if args.steps else elapsed / budget
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(args.lr, step, warmup, progress)
        idx = torch.randint(0, data.train_n, (args.batch,), generator=generator)
        loss, parts = training.loss(model, idx, generator)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        training.after_step(model)
        step += 1
        run.losses.append(loss.item())
        if step % args.log_every == 0 or step == args.steps:
            entry = {"step": step, "seconds": round(time.time() - start, 1), "loss": round(run.losses[-1], 4),
                     **{k: round(float(v), 4) for k, v in parts.items()}}
            run.final = training.validate(model)
            entry.update(run.final)
            if training.log_validation_time:
                entry["seconds_with_validation"] = round(time.time() - start, 1)
            run.history.append(entry)
            print(json.dumps(entry), flush=True)
            if on_log:
                run.steps, run.seconds = step, time.time() - start
                on_log(model, run)
    run.steps, run.seconds = step, time.time() - start
    if not run.history or run.history[-1]["step"] != step:
        run.final = training.validate(model)
    print(f"trained {step} steps in {run.seconds:.0f}s; held-out {json.dumps(run.final)}", flush=True)
    return model, run
