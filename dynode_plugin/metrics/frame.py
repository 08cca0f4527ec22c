"""Frame metrics for Table-1-style evaluation: MSE (reported x1e-3) and SSIM (x100).

SSIM follows Wang et al. 2004 with an 11x11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03,
data range 1, computed per channel and averaged, over the valid region (no padding): the
same numbers as scikit-image's ``structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=1, channel_axis=...)``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..errors import DynodeInputError


def _check(a: torch.Tensor, b: torch.Tensor) -> None:
    if a.shape != b.shape:
        raise DynodeInputError(f"frames differ in shape: {tuple(a.shape)} vs {tuple(b.shape)}; compare clips of the same length and size")


def mse(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per-frame mean squared error of [N,3,H,W] frames in [0,1] -> [N]."""
    _check(a, b)
    return ((a.double() - b.double()) ** 2).flatten(1).mean(1)


def _gaussian(sigma: float = 1.5, radius: int = 5) -> torch.Tensor:
    x = torch.arange(-radius, radius + 1, dtype=torch.float64)
    g = torch.exp(-(x**2) / (2 * sigma**2))
    return g / g.sum()


def ssim(a: torch.Tensor, b: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Per-frame SSIM of [N,C,H,W] frames -> [N] (mean over channels and the valid window area)."""
    _check(a, b)
    a, b = a.double(), b.double()
    c = a.shape[1]
    g = _gaussian()
    win = (g[:, None] * g[None, :]).expand(c, 1, 11, 11)

    def filt(x):
        return F.conv2d(x, win, groups=c)

    if min(a.shape[2:]) < 11:
        raise DynodeInputError(f"SSIM needs frames of at least 11x11 pixels; got {tuple(a.shape[2:])}")
    mu_a, mu_b = filt(a), filt(b)
    saa = filt(a * a) - mu_a**2
    sbb = filt(b * b) - mu_b**2
    sab = filt(a * b) - mu_a * mu_b
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * sab + c2)) / ((mu_a**2 + mu_b**2 + c1) * (saa + sbb + c2))
    return s.flatten(1).mean(1)
