"""Edit directions of the toy world, found from data.

For each attribute, render the same random scenes twice, once at each end of the
attribute's range with everything else fixed, encode both with the learned encoder, and
average the W+ differences (a paired difference of class means, the simplest
InterFaceGAN-style estimate; pairing removes the other factors, so a colour edit does not
also change the shape). Strength 1 moves half of the way between the two ends.
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import torch

from .world import random_factors, render


def _set(**values) -> Callable:
    def apply(f):
        return {**f, **{k: torch.full_like(f[k], v) for k, v in values.items()}}

    return apply


ATTRIBUTES: Dict[str, Tuple[Callable, Callable]] = {  # (low end, high end)
    "colour": (_set(obj_r=0.1, obj_g=0.2, obj_b=0.9), _set(obj_r=0.9, obj_g=0.15, obj_b=0.1)),  # blue -> red
    "lighting": (_set(light=0.7), _set(light=1.05)),
    "background": (_set(bg_r=0.2, bg_g=0.2, bg_b=0.2), _set(bg_r=0.85, bg_g=0.85, bg_b=0.85)),  # dark -> bright
    "shape": (_set(shape=0.0), _set(shape=1.0)),  # disc -> box
}


@torch.no_grad()
def find_directions(encoder, n: int = 512, seed: int = 1) -> Dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    f = random_factors(n, gen)
    out = {}
    for name, (low, high) in ATTRIBUTES.items():
        diffs = [encoder(render({k: v[i: i + 128] for k, v in high(f).items()})) -
                 encoder(render({k: v[i: i + 128] for k, v in low(f).items()})) for i in range(0, n, 128)]
        out[name] = 0.5 * torch.cat(diffs).mean(0)
    return out
