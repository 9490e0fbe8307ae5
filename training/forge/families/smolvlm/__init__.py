"""shapes-smolvlm: shapes-clip's vision tower and shapes-lm joined by a pixel-shuffle connector, trained in two stages, in SmolVLM's hub layout."""
from forge.families.smolvlm.model import SmolVlm as Model, SmolVlmConfig as Config  # noqa: F401
from forge.families.smolvlm.train import SmolVlmTraining as Training  # noqa: F401
from forge.families.smolvlm.export import SmolVlmExport as Export  # noqa: F401
