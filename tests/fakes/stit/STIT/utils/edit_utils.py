"""Fake of STIT's utils/edit_utils.py (same names and signatures)."""
import pickle
from typing import List

import torch
from PIL import Image

from configs import paths_config


def add_texts_to_image_vertical(texts, pivot_images):
    out = Image.new('RGB', (pivot_images.width, pivot_images.height + 16), (255, 255, 255))
    out.paste(pivot_images, (0, 16))
    return out


def get_affine_layers(synthesis):
    blocks = [getattr(synthesis, f'b{res}') for res in synthesis.block_resolutions]
    affine_layers = []
    for block in blocks:
        if hasattr(block, 'conv0'):
            affine_layers.append((block.conv0.affine, True))
        affine_layers.append((block.conv1.affine, True))
        affine_layers.append((block.torgb.affine, False))
    return affine_layers


def load_stylespace_std():
    with open(paths_config.stylespace_mean_std, 'rb') as f:
        _, s_std = pickle.load(f)
    return [torch.from_numpy(s).cuda() for s in s_std]


def to_styles(edit: torch.Tensor, affine_layers):
    idx, styles = 0, []
    for layer, is_conv in affine_layers:
        layer_dim = layer.weight.shape[0]
        if is_conv:
            styles.append(edit[idx:idx + layer_dim].clone())
            idx += layer_dim
        else:
            styles.append(torch.zeros(layer_dim, device=edit.device, dtype=edit.dtype))
    return styles


def w_to_styles(w, affine_layers):
    w_idx, styles = 0, []
    for affine, is_conv in affine_layers:
        styles.append(affine(w[:, w_idx]))
        if is_conv:
            w_idx += 1
    return styles


def paste_image_mask(inverse_transform, image, dst_image, mask, radius=0, sigma=0.0):
    image_masked = image.copy().convert('RGBA')
    image_masked.putalpha(mask.convert('L').resize(image.size))
    return paste_image(inverse_transform, image_masked, dst_image)


def paste_image(inverse_transform, img, orig_image):
    pasted = orig_image.copy().convert('RGBA')
    projected = img.convert('RGBA').transform(orig_image.size, Image.PERSPECTIVE, inverse_transform, Image.BILINEAR)
    pasted.paste(projected, (0, 0), mask=projected)
    return pasted
