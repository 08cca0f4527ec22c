"""Our test double of STIT's ``editings/styleclip_global_utils.py`` (no CLIP, no STIT code):
``get_direction`` returns a seeded sparse direction in the flattened conv style space (STIT's fs3
has one row per conv style channel), on the GPU as STIT's (``.cuda()``)."""
import zlib

import torch

CONV_STYLE_CHANNELS = 17 * 8  # 17 conv layers x 8 channels in the fake generator


def get_direction(neutral_class, target_class, beta, model=None, di=None):
    g = torch.Generator().manual_seed(zlib.crc32(f'{neutral_class}->{target_class}'.encode()))
    d = torch.randn(CONV_STYLE_CHANNELS, generator=g)
    d[d.abs() < beta] = 0  # beta: disentanglement threshold
    return (d / d.norm()).cuda()
