"""The forge's command line (training/forge.sh runs it):

  PYTHONPATH=training /usr/bin/python3 -m forge train <family> [--data DIR] [--smoke] [--steps N | --minutes M] [--checkpoint PATH]
  PYTHONPATH=training /usr/bin/python3 -m forge export <family> --out DIR [--checkpoint PATH] [--golden-inputs FILE]
  PYTHONPATH=training /usr/bin/python3 -m forge recover <family>     (recover.py: a shipped model's checkpoint from its graphs)

train saves a checkpoint (checkpoint.py: in the cache unless --checkpoint says where); export
writes a model folder from a checkpoint, with no retraining. `train <family> --help` lists the
family's own options. A smoke run (--smoke: a few steps with the family's smoke settings) checks
its losses against the pinned ones (pinned.py).
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402

from forge import checkpoint, pinned  # noqa: E402
from forge.data import load  # noqa: E402
from forge.export import export_folder  # noqa: E402
from forge.families import NAMES, family  # noqa: E402
from forge.loop import train  # noqa: E402


def train_command(name, argv):
    spec = family(name)
    parser = argparse.ArgumentParser(prog=f"forge train {name}")
    parser.add_argument("--data", default="training/data", help="a folder written by training/write-dataset.ts")
    parser.add_argument("--checkpoint", help=f"where to save the model (default {checkpoint.default_path(name)})")
    parser.add_argument("--steps", type=int, default=0, help="the step budget (0: train for --minutes)")
    parser.add_argument("--minutes", type=float, default=0)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--warmup", type=int, help="warm-up steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (OpenBLAS keeps one)")
    parser.add_argument("--smoke", action="store_true", help="a few steps, losses checked against the pinned ones")
    parser.add_argument("--pin", action="store_true", help="with --smoke: pin this run's losses instead of checking them")
    parser.add_argument("--losses", help="also write the loss of every step here (JSON)")
    parser.add_argument("--save-along", action="store_true", help="also save the checkpoint at every log entry (a long run loses nothing)")
    spec.Training.add_arguments(parser)
    parser.set_defaults(**spec.Training.defaults)
    args = parser.parse_args(argv)
    if args.smoke:
        vars(args).update(spec.Training.smoke)
    torch.set_num_threads(args.threads)
    training = spec.Training(spec.Training.load_data(args.data), args)
    path = args.checkpoint or (checkpoint.default_path(f"{name}-smoke") if args.smoke else checkpoint.default_path(name))

    def save(model, run):
        checkpoint.save(path, name, model, training.data.meta, training.report(model, run), training.extras())

    model, run = train(training, save if args.save_along else None)
    save(model, run)
    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(run.losses, f)
    if args.smoke and args.pin:
        pinned.pin(name, run.losses, spec.Training.smoke)
    elif args.smoke:
        pinned.check(name, run.losses)


def export_command(name, argv):
    spec = family(name)
    parser = argparse.ArgumentParser(prog=f"forge export {name}")
    parser.add_argument("--checkpoint", default=checkpoint.default_path(name))
    parser.add_argument("--out", required=True, help="the model folder to write (e.g. static/models/shapes-NAME)")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json", help="written by training/write-golden-inputs.ts")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    _, model, saved = checkpoint.load(args.checkpoint, name)
    export = spec.Export(model, saved["meta"], saved["report"], saved["extras"])
    export_folder(export, json.load(open(args.golden_inputs)), args.out)


def recover_command(name, argv):
    from forge.recover import recover
    parser = argparse.ArgumentParser(prog=f"forge recover {name}")
    parser.add_argument("--model", default=f"static/models/shapes-{name}", help="the shipped model folder")
    parser.add_argument("--checkpoint", default=checkpoint.default_path(name), help="where to save the recovered checkpoint")
    parser.add_argument("--golden-inputs", default="training/data/golden-inputs.json",
                        help="node_modules/.bin/tsx training/write-golden-inputs.ts FILE writes them")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    recover(name, args.model, args.checkpoint, json.load(open(args.golden_inputs)))


COMMANDS = {"train": train_command, "export": export_command, "recover": recover_command}


def main(argv):
    if len(argv) < 2 or argv[0] not in COMMANDS or argv[1] not in NAMES:
        raise SystemExit(f"usage: python3 -m forge {{{','.join(COMMANDS)}}} {{{','.join(NAMES)}}} [options]  (see forge/__main__.py)")
    COMMANDS[argv[0]](argv[1], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
