"""Per-frame GAN inversion in W+, in the three ways real pipelines do it.

* ``encoder``: one forward pass of the learned encoder (e4e / pSp style). Fast; each frame's
  code carries the encoder's own independent error, the jitter real encoder inversions show.
* ``few-step``: the encoder's code refined by a few Adam steps (``FEW_STEPS``), a common
  compromise; the optimiser moves each frame's code on its own, so jitter remains.
* ``optimize``: the paper's Eq. 1, ``w* = argmin_w ||G(w) - x||²``, started from the encoder and
  refined by Adam for ``steps`` steps (150 by default): clean codes (~43 dB).

The frames are optimised in one batch for speed, but the loss is a sum of per-frame terms,
so every frame's code is independent of the others, as in real per-frame pipelines.
"""
from __future__ import annotations

from typing import Optional

import torch

from ..errors import DynodeInputError

MODES = {"encoder": 0, "few-step": 10, "optimize": 150}  # mode -> default Adam steps
FEW_STEPS = MODES["few-step"]


def mode_steps(mode: str, steps: Optional[int] = None) -> int:
    """Adam steps of an inversion mode (``steps`` overrides the mode's default, except for ``encoder``)."""
    if mode not in MODES:
        raise DynodeInputError(f"unknown toy inversion '{mode}'; choose one of {', '.join(MODES)}")
    if mode == "encoder":
        return 0
    if steps is not None and steps < 1:
        raise DynodeInputError(f"inversion steps must be >= 1 for '{mode}' inversion; got {steps} (use --inversion encoder for none)")
    return MODES[mode] if steps is None else int(steps)


def invert(generator, encoder, frames: torch.Tensor, steps: int = 150, lr: float = 0.03, progress: bool = True) -> torch.Tensor:
    """Encoder code of every frame, refined by ``steps`` Adam steps (0 = the encoder alone)."""
    from tqdm.auto import tqdm

    with torch.no_grad():
        w0 = torch.cat([encoder(frames[i: i + 256]) for i in range(0, len(frames), 256)])
    if steps == 0:
        return w0
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
