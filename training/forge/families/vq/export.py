"""shapes-vq as a model folder: onnx/vq_encoder.onnx (pixel_values -> codes [batch, 8, 8] int64 and
the pre-quantisation features [batch, D, 8, 8]) and onnx/vq_decoder.onnx (codes -> pixel_values,
normalised -1 … 1 like the image processor's output), CLIP's image processor, and goldens for the
golden images: their codes, features and reconstructions, and the decoder's pixels for a code grid
that is not an encoder's output (every code once, so the whole codebook is checked)."""
import torch

from forge.data import golden_images
from forge.export import Export, Graph, golden, golden_inputs, preprocessor_config
from forge.families.vq.model import Decoder, Encoder


class VqExport(Export):
    def config(self):
        c = self.model.config
        return {"model_type": "shapes_vq", "architectures": ["ShapesVq"], "image_size": c.image_size, "grid": c.grid,
                "codebook_size": c.codebook_size, "code_dim": c.code_dim,
                "shapesworld": {"spec_version": self.meta["specVersion"]}}

    def files(self):
        return {"config.json": self.config(), "preprocessor_config.json": preprocessor_config(self.model.config.image_size)}

    def graphs(self):
        c = self.model.config
        pixels = torch.zeros(2, 3, c.image_size, c.image_size)
        codes = torch.zeros(2, c.grid, c.grid, dtype=torch.long)
        return {
            "vq_encoder": Graph(Encoder(self.model), (pixels,), ["pixel_values"], ["codes", "features"],
                                {"pixel_values": {0: "batch"}, "codes": {0: "batch"}, "features": {0: "batch"}}),
            "vq_decoder": Graph(Decoder(self.model), (codes,), ["codes"], ["pixel_values"],
                                {"codes": {0: "batch"}, "pixel_values": {0: "batch"}}),
        }

    def every_code(self):
        """Two grids that hold every code (K = 128 fills two 8 × 8 grids), in order."""
        c = self.model.config
        cells = c.grid * c.grid
        batches = -(-c.codebook_size // cells)
        return (torch.arange(batches * cells) % c.codebook_size).reshape(batches, c.grid, c.grid)

    def goldens(self, inputs):
        pixel_values = golden_images(inputs)
        codes, features = self.model.encode(pixel_values)
        grid = self.every_code()
        return {
            "inputs": golden_inputs(inputs, pixel_values=pixel_values),
            "outputs": {"codes": golden(codes), "features": golden(features), "reconstruction": golden(self.model.decode(codes)),
                        "every_code": golden(grid), "every_code_pixels": golden(self.model.decode(grid))},
        }

    def summary(self, goldens):
        used = len(set(goldens["outputs"]["codes"]["data"]))
        return f"golden images use {used} distinct codes"
