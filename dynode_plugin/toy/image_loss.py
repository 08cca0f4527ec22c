"""An image-space loss through the toy generator, for the dynamics fit.

Two uses, one class: ``ToyHost.fit_loss`` (``extra_loss``) renders the latents a training window
reaches at observed frames and compares them with those frames; ``ToyHost.unobserved_loss``
(:class:`~dynode_plugin.dynamics.unobserved_loss.FrameLoss`) renders the model's predictions at
frames that have pixels but no inverted code. Either way the loss is ``weight`` x the pixel MSE
against the real frames, so the learned motion is the one the pixels show. At most
``frames_per_step`` latents are rendered per call, which bounds its cost per fit step.
"""
from __future__ import annotations

import torch


class ImageLoss:
    """``loss(latents [B, *shape], index [B] into frames, step) -> weight * pixel MSE``."""

    def __init__(self, generator, frames: torch.Tensor, weight: float = 30.0, frames_per_step: int = 8, seed: int = 0):
        self.generator = generator
        for p in generator.parameters():  # the generator is fixed: gradients go to the latents only
            p.requires_grad_(False)
        self.frames = frames.float()
        self.weight, self.frames_per_step = float(weight), int(frames_per_step)
        self.gen = torch.Generator().manual_seed(seed)
        self.calls = 0  # renders done (tests and reports)

    def __call__(self, latents: torch.Tensor, index: torch.Tensor, step: int) -> torch.Tensor:
        if len(latents) > self.frames_per_step:
            pick = torch.randperm(len(latents), generator=self.gen)[: self.frames_per_step]
            latents, index = latents[pick], index[pick]
        self.calls += 1
        rendered = self.generator.synthesis(latents)
        return self.weight * (rendered - self.frames[index]).pow(2).mean()
