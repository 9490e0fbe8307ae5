"""shapes-maskvlm: a tiny MaskVLM (MIM, MLM, ITC, ITM), one graph with its masks as inputs."""
from forge.families.maskvlm.model import TinyMaskVlm as Model, TinyMaskVlmConfig as Config  # noqa: F401
from forge.families.maskvlm.train import MaskVlmTraining as Training  # noqa: F401
from forge.families.maskvlm.export import MaskVlmExport as Export  # noqa: F401
