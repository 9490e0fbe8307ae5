"""shapes-coca: a tiny CoCa captioner (contrastive + captioning), three graphs and greedy captions."""
from forge.families.coca.model import TinyCoca as Model, TinyCocaConfig as Config  # noqa: F401
from forge.families.coca.train import CocaTraining as Training  # noqa: F401
from forge.families.coca.export import CocaExport as Export  # noqa: F401
