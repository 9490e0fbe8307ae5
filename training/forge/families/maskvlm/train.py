"""The tiny MaskVLM's training. Each step, on one batch of image-caption pairs (MaskVLM masks one
modality at a time; to halve the cost of a step, half the rows serve MIM and the other half MLM):
  MIM  the image masked, the caption whole: reconstruct the normalised pixels of the masked
       patches (mean squared error over masked patches only);
  MLM  the caption masked, the image whole (or, for a few rows, wholly masked, so that the
       model also learns what a caption says without a picture): predict the masked words;
  ITC  CLIP's contrastive loss on the unimodal embeddings of the unmasked inputs, every caption
       true of an image counting as a positive;
  ITM  matched or not, on half the rows as true pairs, a quarter with a hard negative caption
       and a quarter with a hard negative image, drawn from the ITC similarities; the label is whether the
       caption is true of the image, so an accidental match is not called a mismatch.
How the masks are drawn: masks.py.
"""
import torch
from torch import nn

from forge.contrastive import multi_positive_infonce
from forge.data import caption_batch, to_pixel_values
from forge.families.maskvlm import masks
from forge.families.maskvlm.masks import BLANK_IMAGE_SHARE, image_masks, shape_patches, word_kinds, word_masks
from forge.families.maskvlm.model import TinyMaskVlm, TinyMaskVlmConfig, patchify
from forge.loop import Training, parameter_count


def hard_negatives(similarity, positives, generator):
    """For each row, one column that is not a positive, drawn with probability softmax(similarity)."""
    weights = similarity.detach().softmax(dim=1) * (~positives) + 1e-12
    return torch.multinomial(weights, 1, generator=generator).squeeze(1)


def losses(model: TinyMaskVlm, images_u8, ids, mask, positives, kinds, generator):
    """The four losses on one batch. The first half of the rows is masked on the image side (MIM),
    the second half on the text side (MLM); ITC and ITM see every row unmasked."""
    c = model.config
    batch = ids.shape[0]
    half = batch // 2
    pixels = to_pixel_values(images_u8)
    hidden_patches, _ = image_masks(images_u8[:half], c.patch_size, generator)
    hidden_words = word_masks(ids[half:], kinds, generator) * mask[half:]

    image_embeds, image_clean = model.vision(pixels, torch.zeros(batch, c.patches))
    _, image_masked = model.vision(pixels[:half], hidden_patches)
    _, image_blank = model.vision(pixels[:1], torch.ones(1, c.patches))
    text_embeds, text_clean = model.text(ids, mask, torch.zeros_like(ids))
    _, text_masked = model.text(ids[half:], mask[half:], hidden_words)

    # MIM: masked image, whole caption.
    image_cross, _ = model.image_side(image_masked, text_clean[:half], mask[:half])
    error = ((model.mim_head(image_cross) - patchify(pixels[:half], c.patch_size)) ** 2).mean(dim=-1)
    mim = (error * hidden_patches).sum() / hidden_patches.sum()

    # MLM: masked caption, whole image (a few rows: no image at all).
    rest = batch - half
    blank = (torch.rand(rest, generator=generator) < BLANK_IMAGE_SHARE)[:, None, None]
    condition = torch.where(blank, image_blank.expand(rest, -1, -1), image_clean[half:])
    text_cross, _ = model.text_side(text_masked, condition, mask[half:])
    logits = model.mlm_head(text_cross)
    chosen = hidden_words.bool()
    targets = ids[half:][chosen]
    mlm = nn.functional.cross_entropy(logits[chosen], targets)
    mlm_accuracy = (logits[chosen].argmax(dim=-1) == targets).float().mean()

    # ITC on the unmasked unimodal embeddings.
    similarity = nn.functional.normalize(image_embeds, dim=-1) @ nn.functional.normalize(text_embeds, dim=-1).t()
    itc = multi_positive_infonce(model.logit_scale.exp() * similarity, positives)

    # ITM: half the rows as true pairs; a quarter with a hard negative caption, a quarter with a
    # hard negative image.
    negative_text = hard_negatives(similarity, positives, generator)
    negative_image = hard_negatives(similarity.t(), positives.t(), generator)
    order = torch.randperm(batch, generator=generator)
    true_rows, text_rows, image_rows = order[:half], order[half:half + half // 2], order[half + half // 2:]
    image_index = torch.cat([true_rows, text_rows, negative_image[image_rows]])
    text_index = torch.cat([true_rows, negative_text[text_rows], image_rows])
    pair_mask = mask[text_index]
    pair_image, _ = model.image_side(image_clean[image_index], text_clean[text_index], pair_mask)
    pair_text, _ = model.text_side(text_clean[text_index], image_clean[image_index], pair_mask)
    itm_logit = model.itm_logit(pair_image, pair_text)
    labels = positives[image_index, text_index].float()
    itm = nn.functional.binary_cross_entropy_with_logits(itm_logit, labels)
    itm_accuracy = ((itm_logit > 0).float() == labels).float().mean()
    parts = {"mim": mim, "mlm": mlm, "itc": itc, "itm": itm}
    return parts, {"mlm_accuracy": mlm_accuracy.item(), "itm_accuracy": itm_accuracy.item()}


@torch.no_grad()
def validate(model: TinyMaskVlm, images_u8, ids, mask, positives, kinds):
    """Held-out checks with fixed masks: MIM error on shape masks under the true caption and under
    a shuffled one; accuracy on one masked colour/shape/position word with and without the image;
    ITM accuracy on true and shuffled pairs."""
    model.eval()
    c = model.config
    generator = torch.Generator().manual_seed(0)
    batch = ids.shape[0]
    pixels = to_pixel_values(images_u8)
    shapes = shape_patches(images_u8, c.patch_size).float()
    keep = shapes.sum(dim=1) > 0
    shuffled = torch.roll(torch.arange(batch), 1)
    result = {}
    target = patchify(pixels, c.patch_size)
    for name, order in (("true", torch.arange(batch)), ("shuffled", shuffled)):
        out = model(pixels, shapes, ids[order], mask[order], torch.zeros_like(ids))
        error = ((out[0] - target) ** 2).mean(dim=-1)
        result[f"mim_shapes_{name}"] = round(((error * shapes).sum(dim=1)[keep] / shapes.sum(dim=1)[keep]).mean().item(), 4)
    weight = torch.zeros(ids.shape)
    for token, kind in kinds.items():
        if kind in ("colour", "shape", "position"):
            weight[ids == token] = 1.0
    has_word = weight.sum(dim=1) > 0
    one = torch.multinomial(weight[has_word], 1, generator=generator).squeeze(1)
    words = torch.zeros(int(has_word.sum()), ids.shape[1], dtype=torch.long)
    words[torch.arange(len(one)), one] = 1
    sub = (pixels[has_word], ids[has_word], mask[has_word])
    for name, patch_mask in (("image", torch.zeros(len(one), c.patches)), ("no_image", torch.ones(len(one), c.patches))):
        logits = model(sub[0], patch_mask, sub[1], sub[2], words)[1]
        predicted = logits[torch.arange(len(one)), one].argmax(dim=-1)
        result[f"mlm_{name}"] = round((predicted == sub[1][torch.arange(len(one)), one]).float().mean().item(), 4)
    true_p = model(pixels, torch.zeros(batch, c.patches), ids, mask, torch.zeros_like(ids))[4]
    shuffled_p = model(pixels, torch.zeros(batch, c.patches), ids[shuffled], mask[shuffled], torch.zeros_like(ids))[4]
    labels = torch.cat([positives.diagonal(), positives[torch.arange(batch), shuffled]]).float()
    result["itm_accuracy"] = round(((torch.cat([true_p, shuffled_p]) > 0.5).float() == labels).float().mean().item(), 4)
    model.train()
    return result


class MaskVlmTraining(Training):
    defaults = {"steps": 1600, "batch": 128, "lr": 1.5e-3, "log_every": 200}
    smoke = {"steps": 12, "log_every": 6, "batch": 32, "validation": 64}

    @staticmethod
    def add_arguments(parser):
        parser.add_argument("--mim-weight", type=float, default=4.0)
        parser.add_argument("--cross-layers", type=int, default=2)
        parser.add_argument("--validation", type=int, default=256, help="held-out scenes the validation reads")

    def __init__(self, data, args):
        super().__init__(data, args)
        self.kinds = word_kinds(data.meta["vocabulary"], masks.SPEC_WORDS)
        self.weights = {"mim": args.mim_weight, "mlm": 1.0, "itc": 1.0, "itm": 1.0}
        self.val_idx = torch.arange(data.train_n, min(len(data.images), data.train_n + args.validation))
        self.val = (data.images[self.val_idx], *caption_batch(data, self.val_idx))

    def build(self):
        meta = self.data.meta
        return TinyMaskVlm(TinyMaskVlmConfig(vocab_size=len(meta["vocabulary"]), image_size=meta["imageSize"],
                                             max_text_tokens=meta["maxTextTokens"], cross_layers=self.args.cross_layers))

    def warmup_steps(self):
        """A tenth of the run, at most 200 steps."""
        return self.args.warmup or max(1, min(200, self.args.steps // 10))

    def loss(self, model, idx, generator):
        ids, mask, positives = caption_batch(self.data, idx, model.config.pad_id)
        parts, accuracies = losses(model, self.data.images[idx], ids, mask, positives, self.kinds, generator)
        loss = sum(self.weights[k] * v for k, v in parts.items())
        return loss, {**parts, **accuracies}

    def validate(self, model):
        return {"held_out": validate(model, *self.val, self.kinds)}

    def report(self, model, run):
        a, data = self.args, self.data
        return {
            "steps": a.steps, "batch": a.batch, "threads": a.threads, "lr": a.lr, "seconds": round(run.seconds),
            "seconds_per_step": round(run.seconds / a.steps, 3), "train_samples": data.train_n, "held_out_samples": data.held_out,
            "validation_samples": len(self.val_idx), "parameters": parameter_count(model),
            "parameters_by_part": {name: parameter_count(part) for name, part in model.named_children()},
            "logit_scale": round(model.logit_scale.exp().item(), 4), "loss_weights": self.weights,
            "masking": {
                "image_masks": masks.IMAGE_MASKS, "random_ratio": masks.RANDOM_RATIO, "shape_extra_ratio": masks.SHAPE_EXTRA,
                "block_side_patches": masks.BLOCK_SIDE, "shape_saturation": masks.SATURATION, "one_word_share": masks.ONE_WORD_SHARE,
                "word_rate": masks.WORD_RATE, "word_weights": masks.WORD_WEIGHTS, "blank_image_share_mlm": masks.BLANK_IMAGE_SHARE,
            },
            "held_out": run.final["held_out"], "history": run.history,
        }
