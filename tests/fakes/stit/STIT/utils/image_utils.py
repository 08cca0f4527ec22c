"""Our test double of STIT's ``utils/image_utils.py``; no STIT code: the two helpers the edit
scripts use, ``concat_images_horizontally`` and ``tensor2pil`` ([1, C, H, W] in [-1, 1] -> PIL)."""
import numpy as np
import torch
from PIL import Image


def concat_images_horizontally(*images: Image.Image):
    out = Image.new(images[0].mode, (sum(im.width for im in images), images[0].height))
    left = 0
    for im in images:
        out.paste(im, (left, 0))
        left += im.width
    return out


def tensor2pil(tensor: torch.Tensor) -> Image.Image:
    pixels = ((tensor[0].detach().float().cpu() + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)
    array = pixels.permute(1, 2, 0).numpy()
    return Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else np.ascontiguousarray(array))
