import numpy as np
import torch
from PIL import Image


def concat_images_horizontally(*images: Image.Image):
    out = Image.new(images[0].mode, (sum(im.width for im in images), images[0].height))
    x = 0
    for im in images:
        out.paste(im, (x, 0))
        x += im.width
    return out


def tensor2pil(tensor: torch.Tensor) -> Image.Image:
    x = tensor.squeeze(0).permute(1, 2, 0).add(1).mul(255).div(2).squeeze()
    return Image.fromarray(np.rint(x.detach().cpu().float().numpy()).clip(0, 255).astype(np.uint8))
