"""shapes-siglip: a tiny SigLIP (MAP-pooled ViT, bidirectional text), the sigmoid loss, the hub's SigLIP layout."""
from forge.families.siglip.model import TinySiglip as Model, TinySiglipConfig as Config  # noqa: F401
from forge.families.siglip.train import SiglipTraining as Training  # noqa: F401
from forge.families.siglip.export import SiglipExport as Export  # noqa: F401
