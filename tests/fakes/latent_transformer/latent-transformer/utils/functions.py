"""Our test double of Latent Transformer's ``utils/functions.py``; no LT code. Like LT's, it needs
torchvision at import time (it builds ``img_to_tensor`` there); ``clip_img`` maps a generator batch
in [-1, 1] to a one-image list in [0, 1]."""
import torch
from torchvision import transforms, utils


def clip_img(x):
    return [((x[0].detach() + 1) / 2).clamp(0, 1).cpu()]


img_to_tensor = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5] * 3, [0.5] * 3)])
