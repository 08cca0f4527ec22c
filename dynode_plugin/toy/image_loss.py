"""An image-space loss through the toy generator, for the dynamics fit (``extra_loss``).

The fit's latent loss pulls each training window towards the inverted codes, which carry the
inverter's jitter; the frames themselves do not. This loss renders the latents a window
reaches at observed frames (``DynamicsModel.fit(extra_loss=...)`` hands them over decoded,
with the observation each one should match) and adds ``weight`` x their pixel MSE against the
real frames, so the learned motion is the one the pixels show. Only a few of a step's
predictions are rendered (``frames_per_step``), which bounds its cost per fit step.
"""
from __future__ import annotations

import torch


class ImageLoss:
    """``extra_loss(latents [B, *shape], observed index [B], step) -> weight * pixel MSE``."""

    def __init__(self, generator, observed_frames: torch.Tensor, weight: float = 30.0, frames_per_step: int = 8,
                 seed: int = 0):
        self.generator = generator
        for p in generator.parameters():  # the generator is fixed: gradients go to the latents only
            p.requires_grad_(False)
        self.frames = observed_frames.float()
        self.weight, self.frames_per_step = float(weight), int(frames_per_step)
        self.gen = torch.Generator().manual_seed(seed)
        self.calls = 0  # renders done (tests and reports)

    def __call__(self, latents: torch.Tensor, target_obs: torch.Tensor, step: int) -> torch.Tensor:
        if len(latents) > self.frames_per_step:
            pick = torch.randperm(len(latents), generator=self.gen)[: self.frames_per_step]
            latents, target_obs = latents[pick], target_obs[pick]
        self.calls += 1
        rendered = self.generator.synthesis(latents)
        return self.weight * (rendered - self.frames[target_obs]).pow(2).mean()
