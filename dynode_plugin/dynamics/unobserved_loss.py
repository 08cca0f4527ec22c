"""A loss at the frames the host has pixels of but no inverted code (sparse inversion, issue 14/16).

With codes inverted at 1 frame in K, the fit's latent loss sees only those frames; between them
the field is free, and the prediction there is whatever the field does. The host still has the
pixels of the frames in between. This term predicts the latents at a few of those frames each
fit step with the model's own predictor (:func:`.anchored.anchored`: what ``predict`` returns
there), hands them to the host's loss (:class:`FrameLoss`: render them through its generator,
compare with the real frames), and adds the result to the fit's loss. The latent loss at the
observed frames is unchanged.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Optional

import torch

from .anchored import anchored

# (latents [B, *shape], frame index [B] (rows of the fitted clip), fit step) -> scalar tensor
RenderedLoss = Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]


@dataclasses.dataclass
class FrameLoss:
    """What a host hands the fit (:meth:`dynode_plugin.hosts.Host.unobserved_loss`).

    loss: compares latents with the frames they should show (e.g. ``weight`` x pixel MSE of the
        rendered latents), differentiable in the latents.
    frames: ``[N]`` bool, the frames whose pixels the loss has (the fit scores the unobserved ones).
    per_step: frames predicted and scored per fit step (each one is rendered: this bounds the cost).
    start: fraction of the fit's steps before the term starts (the field first learns the observed motion).
    """

    loss: RenderedLoss
    frames: torch.Tensor
    per_step: int = 4
    start: float = 0.0


def with_unobserved(model, field, coords: torch.Tensor, frame_loss: FrameLoss, extra_loss=None):
    """``extra_loss`` (may be None) plus ``frame_loss`` at ``frame_loss.per_step`` random unobserved frames
    per step, predicted by ``model``'s anchored predictor through ``field`` from the observed ``coords``.
    Returns ``extra_loss`` unchanged when no unobserved frame has pixels."""
    cfg = model.config
    have = torch.as_tensor(frame_loss.frames, dtype=torch.bool).reshape(-1)
    if have.shape != model.mask.shape:
        from ..errors import DynodeInputError

        raise DynodeInputError(f"the unobserved-frame loss covers {len(have)} frames; the clip has {len(model.mask)}")
    candidates = torch.nonzero(have & ~model.mask).flatten()
    if not len(candidates) or cfg.predict != "anchored":  # rollout predictions are not the anchored ones trained here
        return extra_loss
    tau = model.tau(model.times).float()
    tk = model.obs_tau.float()
    residual = model._residual_at(tau)  # the out-of-subspace part: fixed during the fit
    first = int(frame_loss.start * cfg.steps)
    gen = torch.Generator().manual_seed(cfg.seed + 1)
    max_step = model._max_step()

    def loss(z: Optional[torch.Tensor], idx: Optional[torch.Tensor], step: int) -> torch.Tensor:
        total = extra_loss(z, idx, step) if extra_loss is not None else torch.zeros(())
        if step < first:
            return total
        pick = candidates[torch.randperm(len(candidates), generator=gen)[: frame_loss.per_step]]
        c, _ = anchored(field, coords, tk, tau[pick], cfg, max_step)
        latents = (model.subspace.decode(c) + residual[pick]).reshape(len(pick), *model.shape)
        return total + frame_loss.loss(latents, pick, step)

    return loss
