"""Our test double of STIT's ``utils/edit_utils.py``; no STIT code.

Reproduces the names and signatures STIT's scripts and the adapter call: ``get_affine_layers``
(a list of ``(affine layer, is_conv)`` pairs, 26 for a 1024 px generator, each layer with a
``.weight`` of shape [style_dim, w_dim]), ``to_styles`` / ``w_to_styles`` (flat conv-style
direction or W+ -> one tensor per layer), ``load_stylespace_std``, and the PIL pasting helpers the
render loop uses (crop warped back onto its frame, optionally through a mask).
"""
import pickle
from typing import List

import torch
from PIL import Image

from configs import paths_config

LABEL_BAND = 16  # pixels of white space above the frame strip (where STIT writes the labels)


def add_texts_to_image_vertical(texts, pivot_images):
    """The strip with a blank band on top (the fake writes no text)."""
    canvas = Image.new('RGB', (pivot_images.width, pivot_images.height + LABEL_BAND), 'white')
    canvas.paste(pivot_images, (0, LABEL_BAND))
    return canvas


def get_affine_layers(synthesis):
    pairs = []
    for res in synthesis.block_resolutions:
        block = getattr(synthesis, f'b{res}')
        convs = [block.conv1] if res == 4 else [block.conv0, block.conv1]
        pairs += [(c.affine, True) for c in convs] + [(block.torgb.affine, False)]
    return pairs


def load_stylespace_std():
    with open(paths_config.stylespace_mean_std, 'rb') as f:
        std = pickle.load(f)[1]
    return [torch.from_numpy(a).cuda() for a in std]


def to_styles(edit: torch.Tensor, affine_layers):
    """Cut a flat direction over the conv styles into one tensor per layer (zeros for torgb layers)."""
    out, offset = [], 0
    for affine, conv in affine_layers:
        width = len(affine.weight)
        if conv:
            out.append(edit[offset:offset + width].clone())
            offset += width
        else:
            out.append(edit.new_zeros(width))
    return out


def w_to_styles(w, affine_layers):
    """W+ [B, 18, w_dim] -> the 26 style tensors [B, dim]: torgb layers reuse the next conv's row."""
    out, row = [], 0
    for affine, conv in affine_layers:
        out.append(affine(w[:, row]))
        row += int(conv)
    return out


def paste_image_mask(inverse_transform, image, dst_image, mask, radius=0, sigma=0.0):
    masked = image.convert('RGBA')  # convert copies
    masked.putalpha(mask.convert('L').resize(image.size))
    return paste_image(inverse_transform, masked, dst_image)


def paste_image(inverse_transform, img, orig_image):
    warped = img.convert('RGBA').transform(orig_image.size, Image.PERSPECTIVE, inverse_transform, Image.BILINEAR)
    result = orig_image.convert('RGBA')
    result.alpha_composite(warped)
    return result
