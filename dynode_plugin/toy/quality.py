"""Reconstruction quality where it matters: over the object, not only over the whole frame.

The object covers ~2% of a 64x64 frame, so a whole-frame PSNR of 43 dB can hide a box drawn
as a disc. ``object_quality`` reports PSNR and SSIM over an 18x18 crop around the object and
whether a shape classifier on the crop (``ShapeClassifier``, shipped as ``shape.*`` in the toy
weights) sees the same shape in the reconstruction as in the source, and the true shape.
"""
from __future__ import annotations

from typing import Dict

import torch

from .world import OBJECT_ABOVE_TABLE, OBJECT_X

HALF = 9  # crop half-size in pixels (the object's radius is 5.4 px)


def crop_object(frames: torch.Tensor, f: Dict[str, torch.Tensor]) -> torch.Tensor:
    """``[N, 3, 18, 18]`` crops centred on the object of each 64x64 frame (scene factors ``f``)."""
    size = frames.shape[-1]
    cy = ((0.72 + f["cam"] - OBJECT_ABOVE_TABLE) * size).round().long().clamp(HALF, size - HALF)
    cx = int(round(OBJECT_X * size))
    return torch.stack([frames[i, :, int(y) - HALF: int(y) + HALF, cx - HALF: cx + HALF] for i, y in enumerate(cy)])


@torch.no_grad()
def object_quality(recon: torch.Tensor, frames: torch.Tensor, f: Dict[str, torch.Tensor], classifier=None) -> Dict[str, float]:
    from ..metrics.frame import ssim
    from .inverter import psnr

    a, b = crop_object(recon, f), crop_object(frames, f)
    out = {"psnr_frame_db": float(psnr(recon, frames).mean()), "psnr_object_db": float(psnr(a, b).mean()),
           "ssim_object_x100": float(ssim(a, b).mean()) * 100}
    if classifier is not None:
        shape_src = classifier(b) > 0.5
        shape_rec = classifier(a) > 0.5
        truth = f["shape"] > 0.5
        out["shape_agreement"] = float((shape_rec == shape_src).float().mean())
        out["shape_accuracy_recon"] = float((shape_rec == truth).float().mean())
        out["shape_accuracy_source"] = float((shape_src == truth).float().mean())
    return out


class ShapeClassifier(torch.nn.Module):
    """Disc (0) or box (1) from an object crop (``crop_object``): the crops are aligned on the object,
    so a tiny CNN separates the shapes, which differ only by their corners (~1.5 px)."""

    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(16, 32, 3, stride=2, padding=1),
                                 nn.LeakyReLU(0.2), nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
                                 nn.Flatten(), nn.Linear(32 * 5 * 5, 1))

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        """Probability of a box, ``[N]``."""
        return torch.sigmoid(self.net(crops * 2 - 1)[:, 0])


def train_shape_classifier(steps: int = 300, batch: int = 64, seed: int = 4, lr: float = 3e-3, log=print) -> ShapeClassifier:
    from .world import random_factors, render

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = ShapeClassifier()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for step in range(1, steps + 1):
        f = random_factors(batch, gen)
        p = net(crop_object(render(f), f)).clamp(1e-6, 1 - 1e-6)
        loss = torch.nn.functional.binary_cross_entropy(p, f["shape"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 100 == 0:
            log(f"shape classifier step {step} bce {float(loss.detach()):.4f}")
    return net.eval()
