"""What the contrastive families share: the multi-positive InfoNCE they train with, and the
held-out retrieval check they validate with."""
import torch
from torch import nn

from forge.data import ShapesWorld, encode_texts, to_pixel_values


def multi_positive_infonce(logits, positives):
    """Symmetric InfoNCE where every caption true of an image is a positive for it (identical
    captions included), with the target spread evenly over the positives."""
    targets_i = positives.float() / positives.sum(dim=1, keepdim=True)
    targets_t = positives.t().float() / positives.t().sum(dim=1, keepdim=True)
    loss_i = -(targets_i * logits.log_softmax(dim=1)).sum(dim=1).mean()
    loss_t = -(targets_t * logits.t().log_softmax(dim=1)).sum(dim=1).mean()
    return (loss_i + loss_t) / 2


@torch.no_grad()
def retrieval_top1(model, data: ShapesWorld):
    """Image->text top-1 on the held-out scenes: over every full one-shape caption, and over the
    short captions "a {colour} {shape}", on one-shape images. The model has `vision(pixels)[0]`
    and `text(ids, mask)[0]` embeddings."""
    model.eval()
    images, truth = data.images[data.train_n:], data.truth[data.train_n:]
    full, short = data.meanings("full"), data.meanings("colour-shape")
    result = {}
    for name, candidates in (("full", full), ("short", short)):
        ids, mask = encode_texts(data.meta, [data.meta["meanings"][i]["text"] for i in candidates])
        text = nn.functional.normalize(model.text(ids, mask)[0], dim=-1)
        sub = truth[:, candidates]
        keep = sub.sum(dim=1) == 1 if name == "full" else truth[:, full].sum(dim=1) == 1
        image = nn.functional.normalize(model.vision(to_pixel_values(images[keep]))[0], dim=-1)
        predicted = (image @ text.t()).argmax(dim=1)
        result[name] = sub[keep][torch.arange(len(predicted)), predicted].float().mean().item()
    model.train()
    return result
