"""Shared by the adapter tests: a curved W+ trajectory with a known closed form."""
import math

import torch


def curved_trajectory(n: int, seed: int = 0) -> torch.Tensor:
    """[n, 18, 512]: base + a sin(s) + 0.5 b cos(2s) for s in linspace(0, 1.5, n)."""
    g = torch.Generator().manual_seed(seed)
    base, a, b = (torch.randn(18, 512, generator=g) for _ in range(3))
    t = torch.linspace(0, 1.5, n)
    return torch.stack([base + a * math.sin(s) + 0.5 * b * math.cos(2 * s) for s in t.tolist()])
