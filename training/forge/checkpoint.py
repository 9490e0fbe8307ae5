"""The PyTorch checkpoint of every model the forge trains, so an export (or a new head on a
trained model) needs no retraining. Checkpoints live outside git, in $FORGE_CACHE or else
training/checkpoints/, one per model: shapes-<family>.pt.

A checkpoint holds the family's name, the model's config and weights, the training report, the
dataset facts the export writes (vocabulary, spec version) and the family's extras.
"""
import os

import torch

from forge.families import family as family_module

CACHE = os.environ.get("FORGE_CACHE") or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "checkpoints")


def default_path(family):
    return os.path.join(CACHE, f"shapes-{family}.pt")


def save(path, family, model, meta, report, extras=None):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save({
        "family": family, "config": model.config.as_dict(), "state": model.state_dict(), "report": report,
        "meta": {"vocabulary": meta["vocabulary"], "specVersion": meta["specVersion"]}, "extras": extras or {},
    }, path)
    print(f"checkpoint: {path}", flush=True)


def load(path, family=None):
    """-> (family name, model in eval mode, saved dict)."""
    saved = torch.load(path)
    if family and saved["family"] != family:
        raise SystemExit(f"{path} holds a {saved['family']} model, not {family}")
    spec = family_module(saved["family"])
    model = spec.Model(spec.Config(**saved["config"]))
    model.load_state_dict(saved["state"])
    model.eval()
    return saved["family"], model, saved
