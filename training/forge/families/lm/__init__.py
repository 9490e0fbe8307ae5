"""shapes-lm: a tiny Llama-style decoder pretrained on ShapesWorld text only (the language backbone of shapes-smolvlm)."""
from forge.families.lm.model import TinyLm as Model, LmConfig as Config  # noqa: F401
from forge.families.lm.train import LmTraining as Training  # noqa: F401
from forge.families.lm.export import LmExport as Export  # noqa: F401
