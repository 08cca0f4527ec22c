"""Per-frame GAN inversion in W+, in the three ways real pipelines do it.

* ``encoder``: one forward pass of the learned encoder (e4e / pSp style). Fast; each frame's
  code carries the encoder's own independent error, the jitter real encoder inversions show.
* ``few-step``: the encoder's code refined by a few Adam steps (``FEW_STEPS``), a common
  compromise; the optimiser moves each frame's code on its own, so jitter remains.
* ``optimize``: the paper's Eq. 1, ``w* = argmin_w ||G(w) - x||² + LPIPS``, started from the encoder and
  refined by Adam for ``steps`` steps (150 by default): clean codes (~43 dB).

The optimiser's loss (both optimiser modes) is pixel MSE plus ``FEATURE_WEIGHT`` x an LPIPS-like
distance between the toy encoder's shape-branch features (``inversion_loss.py``), as real Eq. 1 adds
LPIPS to the MSE: with MSE alone the optimiser undid the encoder's box corners (shape agreement 0.78
after 150 steps, from the encoder's 0.84; with the feature term 0.98, object PSNR 38.9 -> 39.1 dB;
benchmarks/toy_shape.py, docs/toy.md Part 0).

``jitter`` (the realistic setting: ``REALISTIC_JITTER`` = 0.12) inverts each frame as a camera would
deliver it, with independent pixel noise of that standard deviation (seeded, so runs repeat). The toy
renders are noise-free, so without it an encoder's codes move almost only with the motion; real footage
has sensor noise and compression, and real encoders turn it into code jitter. 0.12 makes the codes'
roughness at the benchmark's frame rate (mean 2.20, median 2.19 over 20 48-frame clips;
``evaluation.jitter_stats``) match the real FFHQ inversions' in ``shared/data/dynode_example`` (2.17),
at 29.6 dB whole-frame PSNR (benchmarks/toy_jitter_calibration.py, docs/toy.md).

The frames are optimised in one batch for speed, but the loss is a sum of per-frame terms,
so every frame's code is independent of the others, as in real per-frame pipelines.
"""
from __future__ import annotations

from typing import Optional

import torch

from ..errors import DynodeInputError

MODES = {"encoder": 0, "few-step": 10, "optimize": 150}  # mode -> default Adam steps
REALISTIC_JITTER = 0.12  # calibrated against real inversions (see the module docstring)
FEW_STEPS = MODES["few-step"]
FEATURE_WEIGHT = 1e-3  # weight of the feature (LPIPS-like) term of the optimiser's loss; 0 = pixel MSE alone


def mode_steps(mode: str, steps: Optional[int] = None) -> int:
    """Adam steps of an inversion mode (``steps`` overrides the mode's default, except for ``encoder``)."""
    if mode not in MODES:
        raise DynodeInputError(f"unknown toy inversion '{mode}'; choose one of {', '.join(MODES)}")
    if mode == "encoder":
        return 0
    if steps is not None and steps < 1:
        raise DynodeInputError(f"inversion steps must be >= 1 for '{mode}' inversion; got {steps} (use --inversion encoder for none)")
    return MODES[mode] if steps is None else int(steps)


def invert(generator, encoder, frames: torch.Tensor, steps: int = 150, lr: float = 0.03, progress: bool = True,
           jitter: float = 0.0, seed: int = 0, feature: float = FEATURE_WEIGHT) -> torch.Tensor:
    """Encoder code of every frame, refined by ``steps`` Adam steps (0 = the encoder alone) on pixel MSE +
    ``feature`` x the feature distance of ``inversion_loss.InversionLoss`` (0: pixel MSE alone)."""
    from tqdm.auto import tqdm

    from .inversion_loss import InversionLoss

    if jitter:
        noise = torch.randn(frames.shape, generator=torch.Generator().manual_seed(seed))
        frames = (frames + jitter * noise).clamp(0, 1)
    with torch.no_grad():
        w0 = torch.cat([encoder(frames[i: i + 256]) for i in range(0, len(frames), 256)])
    if steps == 0:
        return w0
    w = w0.clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    for p in generator.parameters():
        p.requires_grad_(False)
    loss_of = InversionLoss(encoder, frames, feature=feature)
    for _ in tqdm(range(steps), desc="inverting frames", unit="step", disable=not progress, leave=False):
        loss = loss_of(generator.synthesis(w)).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return w.detach()


def psnr(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per-frame PSNR in dB of [N,3,H,W] frames in [0,1]."""
    return -10 * torch.log10((a - b).pow(2).flatten(1).mean(1).clamp_min(1e-12))
