"""Integration glue around torchdiffeq.

Every integration here is "carry states ``c[b]`` from time ``t0[b]`` to ``t1[b]``", with a
different interval per batch row. That is solved in ONE batched ``odeint`` call by the
change of variable t = t0 + s (t1 - t0), s in [0, 1], so dc/ds = (t1 - t0) f(c, t):
all sampled training intervals (and all query times) share a single solve, which
is what makes fitting fast (DESIGN.md: 2.7x from batching alone). Negative intervals
integrate backwards in time, which the anchored predictor uses.
"""
from __future__ import annotations

import math

import torch
from torchdiffeq import odeint

from .config import SOLVERS_FIXED, ODEConfig


def flow(field, c: torch.Tensor, t0: torch.Tensor, t1: torch.Tensor, cfg: ODEConfig, max_step: float) -> torch.Tensor:
    """Integrate the field from ``(c, t0)`` to ``t1`` for every row; returns ``[B, dim]``.

    ``max_step`` is the largest time step a fixed-step solver may take (in normalised
    time); it is converted to a common number of steps in s for the whole batch.
    """
    dt = (t1 - t0).to(c.dtype)
    span = float(dt.abs().max()) if dt.numel() else 0.0
    if span == 0.0:
        return c
    t0c = t0.to(c.dtype)

    def rhs(s, state):
        return dt[:, None] * field(state, t0c + s * dt)

    grid = torch.tensor([0.0, 1.0], dtype=c.dtype)
    if cfg.solver in SOLVERS_FIXED:
        n = max(1, math.ceil(span / max_step - 1e-9))
        out = odeint(rhs, c, grid, method=cfg.solver, options={"step_size": 1.0 / n})
    else:
        out = odeint(rhs, c, grid, method=cfg.solver, rtol=cfg.rtol, atol=cfg.atol)
    return out[-1]


def rollout(field, c0: torch.Tensor, times: torch.Tensor, cfg: ODEConfig, max_step: float) -> torch.Tensor:
    """Integrate one state ``c0`` (at ``times[0]``) through sorted ``times``; returns ``[T, dim]``.

    One odeint call over the whole grid; a fixed-step solver steps at most ``max_step``
    and reads in-between times off a cubic Hermite interpolant.
    """
    if len(times) == 1:
        return c0.reshape(1, -1)
    t = times.to(c0.dtype)

    def rhs(tt, state):
        return field(state, tt.reshape(1))

    if cfg.solver in SOLVERS_FIXED:
        out = odeint(rhs, c0.reshape(1, -1), t, method=cfg.solver, options={"step_size": max_step, "interp": "cubic"})
    else:
        out = odeint(rhs, c0.reshape(1, -1), t, method=cfg.solver, rtol=cfg.rtol, atol=cfg.atol)
    return out[:, 0]
