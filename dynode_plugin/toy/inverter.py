"""Per-frame GAN inversion in W+ (the paper's Eq. 1): w* = argmin ||G(w) - x||^2.

Started from the learned encoder, then refined by Adam. The frames are optimised in one
batch for speed, but the loss is a sum of per-frame terms, so every frame's code is
independent of the others, as in real per-frame pipelines (and carries the same jitter).
"""
from __future__ import annotations

import torch


def invert(generator, encoder, frames: torch.Tensor, steps: int = 150, lr: float = 0.03, progress: bool = True) -> torch.Tensor:
    from tqdm.auto import tqdm

    with torch.no_grad():
        w0 = encoder(frames)
    w = w0.clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    for p in generator.parameters():
        p.requires_grad_(False)
    for _ in tqdm(range(steps), desc="inverting frames", unit="step", disable=not progress, leave=False):
        loss = (generator.synthesis(w) - frames).pow(2).flatten(1).mean(1).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return w.detach()


def psnr(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per-frame PSNR in dB of [N,3,H,W] frames in [0,1]."""
    return -10 * torch.log10((a - b).pow(2).flatten(1).mean(1).clamp_min(1e-12))
