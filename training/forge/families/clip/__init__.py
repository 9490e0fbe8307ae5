"""shapes-clip: a tiny CLIP (ViT + causal text transformer), multi-positive InfoNCE, the hub's CLIP layout with q8 towers."""
from forge.families.clip.model import TinyClip as Model, TinyClipConfig as Config  # noqa: F401
from forge.families.clip.train import ClipTraining as Training  # noqa: F401
from forge.families.clip.export import ClipExport as Export  # noqa: F401
