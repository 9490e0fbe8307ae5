"""shapes-vq: a small VQ autoencoder that turns a 32 × 32 ShapesWorld scene into an 8 × 8 grid of
codes from a learned codebook, and codes back into pixels (the image tokenizer of shapes-cm3)."""
from forge.families.vq.model import TinyVq as Model, VqConfig as Config  # noqa: F401
from forge.families.vq.train import VqTraining as Training  # noqa: F401
from forge.families.vq.export import VqExport as Export  # noqa: F401
