"""shapes-llip: a tiny Llip (K mixture tokens mixed per caption by a cross-attention head), three graphs."""
from forge.families.llip.model import TinyLlip as Model, TinyLlipConfig as Config  # noqa: F401
from forge.families.llip.train import LlipTraining as Training  # noqa: F401
from forge.families.llip.export import LlipExport as Export  # noqa: F401
