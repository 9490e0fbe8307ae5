"""One folder per model family: model.py (the model and its config), train.py (a Training: its
loss, its validation, its report), export.py (an Export: its config, graphs and goldens). Each
folder's __init__.py names the four as Model, Config, Training and Export. A new family is a new
folder and its name below."""
from importlib import import_module

NAMES = ("clip", "siglip", "llip", "coca", "maskvlm", "lm", "smolvlm", "vq", "cm3")


def family(name):
    """The family's module: .Model, .Config, .Training, .Export."""
    if name not in NAMES:
        raise SystemExit(f"unknown family {name!r}: one of {', '.join(NAMES)}")
    return import_module(f"forge.families.{name}")
