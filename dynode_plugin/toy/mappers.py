"""Non-linear latent mappers of the toy world: ``w + alpha * M(w)``, one small MLP per attribute.

The edits real hosts apply per frame are networks, not vector additions (StyleCLIP's mapper in
TCSVE, Latent Transformer's transformer): each frame's code goes through the network, so the
edit costs a call per frame and reacts to each frame's own inversion jitter. These mappers
play that part in the toy world, beside the linear directions (``toy/directions.py``).

Training, from the world's factors (the way StyleCLIP / Latent Transformer mappers are trained
from a classifier): random scenes are rendered three times, as drawn and at both ends of the
attribute (``directions.ATTRIBUTES``), and encoded; the mapper learns, from the as-drawn code,
half of *that scene's* difference between the two ends. Strength 1 therefore means what it
means for the linear direction (half the range), but the step now depends on the scene and
on the code's jitter. Edit names: ``<attribute>-mapper`` (e.g. ``colour-mapper=+1``).
"""
from __future__ import annotations

from typing import Dict

import torch
from torch import nn

from .directions import ATTRIBUTES
from .world import random_factors, render

SUFFIX = "-mapper"


class LatentMapper(nn.Module):
    """W+ ``[N, S, D]`` -> an edit step of the same shape (an MLP on the flattened code)."""

    def __init__(self, n_styles: int = 10, w_dim: int = 64, hidden: int = 128):
        super().__init__()
        self.shape = (n_styles, w_dim)
        self.net = nn.Sequential(nn.Linear(n_styles * w_dim, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, hidden),
                                 nn.LeakyReLU(0.2), nn.Linear(hidden, n_styles * w_dim))

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        return self.net(w.reshape(len(w), -1)).reshape(len(w), *self.shape)


@torch.no_grad()
def mapper_data(encoder, n: int = 2048, seed: int = 3) -> Dict[str, tuple]:
    """(input codes, target steps) per attribute from ``n`` random scenes."""
    gen = torch.Generator().manual_seed(seed)
    f = random_factors(n, gen)
    enc = lambda factors: torch.cat([encoder(render({k: v[i: i + 256] for k, v in factors.items()}))  # noqa: E731
                                     for i in range(0, n, 256)])
    w = enc(f)
    return {name: (w, 0.5 * (enc(high(f)) - enc(low(f)))) for name, (low, high) in ATTRIBUTES.items()}


def train_mappers(encoder, steps: int = 1500, batch: int = 128, lr: float = 2e-3, n: int = 2048, seed: int = 3,
                  log=print) -> Dict[str, LatentMapper]:
    torch.manual_seed(seed)
    data = mapper_data(encoder, n, seed)
    out = {}
    for name, (w, target) in data.items():
        m = LatentMapper(*w.shape[1:])
        opt = torch.optim.Adam(m.parameters(), lr=lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps, eta_min=lr * 0.05)
        held = slice(0, n // 8)  # held-out scenes for the log
        for step in range(1, steps + 1):
            idx = torch.randint(n // 8, n, (batch,))
            loss = (m(w[idx]) - target[idx]).pow(2).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        with torch.no_grad():
            err = float((m(w[held]) - target[held]).pow(2).mean() / target[held].pow(2).mean())
            lin = float((target[n // 8:].mean(0) - target[held]).pow(2).mean() / target[held].pow(2).mean())
        log(f"mapper {name}: held-out relative error {err:.3f} (the mean direction's: {lin:.3f})")
        out[name] = m.eval()
    return out
