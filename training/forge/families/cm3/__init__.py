"""shapes-cm3: a CM3leon-style decoder-only transformer over one vocabulary of caption words,
shapes-vq's image codes and begin/end-of-image markers, trained on both orders (caption then
image, image then caption), so one model draws and captions. Its decoder is shapes-lm's."""
from forge.families.lm.model import LmConfig as Config, TinyLm as Model  # noqa: F401
from forge.families.cm3.train import Cm3Training as Training  # noqa: F401
from forge.families.cm3.export import Cm3Export as Export  # noqa: F401
