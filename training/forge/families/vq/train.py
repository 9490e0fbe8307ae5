"""shapes-vq's training: reconstruction (squared error in pixel-value space, weighted 1 + 4 on the
pixels of the shapes: a small shape is a few pixels of a mostly plain scene, and unweighted its
edges blur first) plus the commitment loss (β = 0.25) that keeps the encoder's features near their codes; the codebook
follows by exponential moving averages, and a code no batch has used for a while is re-seeded
from a random feature of the current batch. The validation reports the held-out reconstruction
error and how many codes the held-out scenes use."""
import torch
from torch import nn

from forge import checkpoint
from forge.data import to_pixel_values
from forge.families.vq.model import TinyVq, VqConfig, grown
from forge.loop import Training, parameter_count

COMMITMENT = 0.25
VALIDATION_SCENES = 400


def codebook_usage(codes, size):
    """Per code, how many cells of `codes` use it."""
    return torch.bincount(codes.flatten(), minlength=size)


def foreground_weights(pixels, extra):
    """[batch, 3, S, S] -> [batch, 1, S, S]: 1 on the background, 1 + extra on the shapes. A scene's
    background is most of its pixels, so its per-channel median stands for it; a pixel belongs to
    a shape when a channel is more than 0.3 (of the -1 … 1 range) from it, well above the noise."""
    background = pixels.flatten(2).median(dim=2).values[:, :, None, None]
    shape = ((pixels - background).abs().amax(dim=1, keepdim=True) > 0.3).float()
    return 1 + extra * shape


def edge_mask(pixels):
    """[batch, 3, S, S] -> [batch, 1, S, S]: 1 where a pixel differs by more than 0.3 (in some channel) from a
    horizontal or vertical neighbour, on both sides of the step: the outline that tells a square from a circle."""
    step = torch.zeros_like(pixels[:, :1])
    dx = ((pixels[:, :, :, 1:] - pixels[:, :, :, :-1]).abs().amax(dim=1, keepdim=True) > 0.3).float()
    dy = ((pixels[:, :, 1:, :] - pixels[:, :, :-1, :]).abs().amax(dim=1, keepdim=True) > 0.3).float()
    step[:, :, :, 1:] = torch.maximum(step[:, :, :, 1:], dx)
    step[:, :, :, :-1] = torch.maximum(step[:, :, :, :-1], dx)
    step[:, :, 1:, :] = torch.maximum(step[:, :, 1:, :], dy)
    step[:, :, :-1, :] = torch.maximum(step[:, :, :-1, :], dy)
    return step


class VqTraining(Training):
    defaults = {"steps": 500, "batch": 64, "lr": 3e-3, "warmup": 20, "log_every": 100}
    smoke = {"steps": 8, "log_every": 4, "batch": 16, "warmup": 2}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--codes", type=int, default=128, help="codebook size K")
        parser.add_argument("--code-dim", type=int, default=32)
        parser.add_argument("--width", type=int, default=64)
        parser.add_argument("--foreground", type=float, default=4.0,
                            help="extra weight of the reconstruction error on pixels away from the background colour")
        parser.add_argument("--edges", type=float, default=0.0,
                            help="extra weight of the reconstruction error on the pixels at a shape's edge (a change of over 0.3 to a neighbour)")
        parser.add_argument("--init", help="go on training from this shapes-vq checkpoint (its size, not --codes …)")
        parser.add_argument("--grow-decoder", type=int, nargs=2, metavar=("GRID_BLOCKS", "UPPER_BLOCKS"),
                            help="with --init: first give the decoder this many pointwise residual blocks at the grid and at half size "
                                 "(new blocks start as the identity, so training starts from the same reconstructions)")
        parser.add_argument("--decoder-only", action="store_true",
                            help="with --init: train the decoder alone; the encoder and codebook stay as they are, so every "
                                 "scene keeps its codes (shapes-cm3, trained on them, stays valid)")

    def build(self):
        a = self.args
        self.features = None
        if a.init:
            model = checkpoint.load(a.init, "vq")[1]
            if a.grow_decoder:
                model = grown(model, *a.grow_decoder)
            model.train()
            if a.decoder_only:
                for p in model.encoder.parameters():
                    p.requires_grad_(False)
                model.encoder.eval()
            return model
        if a.decoder_only:
            raise SystemExit("--decoder-only needs --init (the shapes-vq whose decoder goes on training)")
        return TinyVq(VqConfig(image_size=self.data.meta["imageSize"], codebook_size=a.codes, code_dim=a.code_dim, width=a.width))

    def loss(self, model, idx, generator):
        pixels = to_pixel_values(self.data.images[idx])
        if self.args.decoder_only:
            with torch.no_grad():
                codes, _ = model.encode(pixels)
            reconstruction = model.decode(codes)
        else:
            reconstruction, features, quantised, codes = model(pixels)
        recon = nn.functional.mse_loss(reconstruction, pixels)
        if self.args.foreground or self.args.edges:
            weights = foreground_weights(pixels, self.args.foreground)
            if self.args.edges:
                weights = weights + self.args.edges * edge_mask(pixels)
            recon = (weights * (reconstruction - pixels) ** 2).mean()
        if self.args.decoder_only:
            return recon, {"reconstruction": recon.item()}
        commit = nn.functional.mse_loss(features, quantised)
        self.update_codebook(model, features.detach(), codes, generator)
        return recon + COMMITMENT * commit, {"reconstruction": recon.item(), "commitment": commit.item()}

    @torch.no_grad()
    def update_codebook(self, model, features, codes, generator):
        """EMA of each code's count and feature sum, then re-seeding of codes whose average count fell below 1e-2 cells a batch."""
        c = model.config
        flat = features.permute(0, 2, 3, 1).reshape(-1, c.code_dim)
        onehot = nn.functional.one_hot(codes.flatten(), c.codebook_size).float()
        model.ema_count.mul_(c.decay).add_(onehot.sum(0), alpha=1 - c.decay)
        model.ema_sum.mul_(c.decay).add_(onehot.t() @ flat, alpha=1 - c.decay)
        model.codebook.copy_(model.ema_sum / model.ema_count.clamp(min=1e-5)[:, None])
        dead = (model.ema_count < 1e-2).nonzero().flatten()
        if len(dead):
            picks = torch.randint(0, len(flat), (len(dead),), generator=generator)
            model.codebook[dead] = flat[picks]
            model.ema_sum[dead] = flat[picks]
            model.ema_count[dead] = 1.0

    def after_step(self, model):
        pass

    @torch.no_grad()
    def validate(self, model):
        model.eval()
        images = self.data.images[self.data.train_n:][:VALIDATION_SCENES]
        pixels = to_pixel_values(images)
        codes, _ = model.encode(pixels)
        reconstruction = model.decode(codes)
        usage = codebook_usage(codes, model.config.codebook_size)
        model.train()
        # The error in 8-bit pixel levels too: pixel values span 2 for 255 levels.
        mae = (reconstruction.clamp(-1, 1) - pixels).abs().mean().item() * 127.5
        return {"mse": nn.functional.mse_loss(reconstruction, pixels).item(), "mae_levels": mae,
                "codes_used": int((usage > 0).sum()), "scenes": len(images)}

    def report(self, model, run):
        a = self.args
        report = {"steps": run.steps, "batch": a.batch, "seconds": round(run.seconds), "parameters": parameter_count(model),
                  "foreground": a.foreground, "train_samples": self.data.train_n, "held_out": run.final, "history": run.history}
        if a.init:  # the run it went on from, whose steps and minutes come first
            before = checkpoint.load(a.init, "vq")[2]["report"]
            earlier = before.get("runs") or [{k: before[k] for k in ("steps", "seconds", "batch", "foreground") if k in before}]
            report.update(steps=before["steps"] + run.steps, seconds=before["seconds"] + round(run.seconds), foreground=before.get("foreground"),
                          runs=earlier + [{"steps": run.steps, "seconds": round(run.seconds), "batch": a.batch, "lr": a.lr,
                                           "foreground": a.foreground, "edges": a.edges, "decoder_only": a.decoder_only,
                                           **({"grow_decoder": a.grow_decoder} if a.grow_decoder else {})}])
        return report
