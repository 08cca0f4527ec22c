"""Small synthetic trajectories with known answers (shape [N, 4, 8] keeps tests fast)."""
import math

import torch


def curved_clip(n=33, shape=(4, 8), noise=0.0, seed=0, scale=3.0):
    """A curve in a 2-d plane of the latent space: (cos, sin) of a bending angle, plus optional jitter."""
    g = torch.Generator().manual_seed(seed)
    d = math.prod(shape)
    basis = torch.linalg.qr(torch.randn(d, 2, generator=g))[0]
    t = torch.linspace(0, 1, n)
    angle = 2.5 * t + 0.8 * t**2
    clean = (torch.stack([torch.cos(angle), torch.sin(angle)], 1) * scale) @ basis.T
    offset = torch.randn(d, generator=g)
    clean = clean + offset
    noisy = clean + noise * torch.randn(n, d, generator=g)
    return t, clean.reshape(n, *shape), noisy.reshape(n, *shape), basis
