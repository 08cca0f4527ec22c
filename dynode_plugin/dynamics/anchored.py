"""The anchored predictor: a time's state from the observations on both sides of it.

Forward from the observation on the left, backward from the one on the right (one batched solve),
blended linearly by where the time lies in the gap; exact at observations. One function for
:meth:`DynamicsModel.predict <.model.DynamicsModel>` and for the fit's loss at unobserved frames
(:mod:`.unobserved_loss`), so what the fit trains is what prediction returns.
"""
from __future__ import annotations

from typing import Tuple

import torch

from .solver import flow


def anchored(field, coords: torch.Tensor, tk: torch.Tensor, tq: torch.Tensor, cfg, max_step: float
             ) -> Tuple[torch.Tensor, torch.Tensor]:
    """Positions at query times ``tq`` from observed ``coords`` at sorted ``tk``; returns ``(positions, chord)``
    (the chord: the linear interpolation between the same two anchors, the prediction's fallback)."""
    n = len(tk)
    j = torch.searchsorted(tk, tq, right=True)
    i = j - 1
    has_left, has_right = i >= 0, j < n
    ic, jc = i.clamp(0, n - 1), j.clamp(0, n - 1)
    starts = field.lift(torch.cat([coords[ic], coords[jc]]), torch.cat([ic, jc]))
    t_from = torch.cat([tk[ic], tk[jc]])
    # steps sized for the longest observed gap, whatever the queries: a frame's prediction is the
    # same however many other times are asked for with it
    ends = field.position(flow(field, starts, t_from, torch.cat([tq, tq]), cfg, max_step,
                               span=float(torch.diff(tk).max()) if n > 1 else 0.0))
    fwd, bwd = ends[: len(tq)], ends[len(tq):]
    w = ((tq - tk[ic]) / (tk[jc] - tk[ic]).clamp_min(1e-12)).clamp(0, 1)
    w = torch.where(has_left & has_right, w, torch.where(has_left, torch.zeros_like(w), torch.ones_like(w)))
    chord = coords[ic] * (1 - w[:, None]) + coords[jc] * w[:, None]
    return fwd * (1 - w[:, None]) + bwd * w[:, None], chord
