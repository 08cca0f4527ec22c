"""Edit directions of the toy world, found from data (InterFaceGAN-style).

Render scenes with known factor values, encode them to W+, and fit a ridge regression
from the flattened W+ code to each attribute; the regression normal is the edit direction,
scaled so that strength 1 moves the attribute by one standard deviation of its spread.
"""
from __future__ import annotations

from typing import Dict

import torch

from .world import random_factors, render

ATTRIBUTES = {
    "colour": lambda f: f["obj_r"] - 0.5 * (f["obj_g"] + f["obj_b"]),  # towards red
    "lighting": lambda f: f["light"],
    "background": lambda f: (f["bg_r"] + f["bg_g"] + f["bg_b"]) / 3,
    "shape": lambda f: f["shape"],  # towards a box
}


@torch.no_grad()
def find_directions(encoder, n: int = 2048, seed: int = 1, ridge: float = 1.0) -> Dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    f = random_factors(n, gen)
    w = torch.cat([encoder(render({k: v[i: i + 256] for k, v in f.items()})) for i in range(0, n, 256)])
    shape = w.shape[1:]
    x = w.reshape(n, -1).double()
    x = x - x.mean(0)
    gram = x.T @ x + ridge * torch.eye(x.shape[1], dtype=torch.float64)
    out = {}
    for name, attr in ATTRIBUTES.items():
        y = attr(f).double()
        y = y - y.mean()
        beta = torch.linalg.solve(gram, x.T @ y)
        # moving w by d changes the predicted attribute by beta . d; one std per unit strength
        d = beta * y.std() / (beta @ beta)
        out[name] = d.float().reshape(shape)
    return out
