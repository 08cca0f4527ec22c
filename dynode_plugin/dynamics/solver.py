"""Integration: plain-tensor fixed-step solvers, torchdiffeq for the rest.

Every integration here is "carry states ``c[b]`` from time ``t0[b]`` to ``t1[b]``", with a
different interval per batch row. That is solved in ONE batched solve by the change of
variable t = t0 + s (t1 - t0), s in [0, 1], so dc/ds = (t1 - t0) f(c, t): all sampled
training intervals (and all query times) share a single solve (2.7x from batching alone,
measured with benchmarks/fit.py). Negative intervals
integrate backwards in time, which the anchored predictor uses.

Why the fixed-step solvers (rk4, euler, midpoint) are written out here: the fit is bound
by per-operation overhead (batch 16 x 12 dims, a 128-wide MLP), and torchdiffeq's
per-call and per-step machinery cost more than the field itself (issue 17: 8-10 steps/s
with torchdiffeq, benchmarks/fit_speed.py for the plain loop). The formulas are
torchdiffeq's own (its "rk4" is the 3/8 rule), so results agree to float rounding;
``backend="torchdiffeq"`` in :class:`ODEConfig` uses torchdiffeq for every solver, and
adaptive solvers (dopri5, the paper's) always do.
"""
from __future__ import annotations

import math

import torch

from .config import SOLVERS_FIXED, ODEConfig

PLAIN_SOLVERS = ("rk4", "euler", "midpoint")


def _plain(cfg: ODEConfig) -> bool:
    return cfg.backend == "tensor" and cfg.solver in PLAIN_SOLVERS


_W_ONE = torch.ones(1, 1)
_W_RK4 = torch.tensor([[1 / 8], [3 / 8], [3 / 8], [1 / 8]])


def fixed_steps(span: float, max_step: float) -> int:
    """Solver steps for an interval of ``span`` with steps of at most ``max_step``.

    The tolerance is relative: gaps and their median come from float32 times, so a span of exactly
    two max steps arrives as 2.000002 of them, and a plain ceil took 3 steps per observed gap on
    every regularly subsampled clip (50% more work per fit step, issue 17; the old 1e-9 absolute
    tolerance is kept by benchmarks/fit_speed.py's "old" path)."""
    return max(1, math.ceil(span / max_step * (1 - 1e-5)))


def _step(method: str, rhs, s: float, h: float, y: torch.Tensor):
    """One step of size ``h`` from ``(s, y)``; returns (increment, stage derivatives [stages, B, dim], weights [stages, 1])."""
    # torch.add(a, b, alpha=x) is a + x * b in one operation: at these sizes the count of
    # operations, not their arithmetic, sets the speed
    if method == "euler":
        k1 = rhs(s, y)
        return h * k1, k1[None], _W_ONE
    if method == "midpoint":
        k2 = rhs(s + h / 2, torch.add(y, rhs(s, y), alpha=h / 2))
        return h * k2, k2[None], _W_ONE
    k1 = rhs(s, y)  # torchdiffeq's rk4: the 3/8 rule
    k2 = rhs(s + h / 3, torch.add(y, k1, alpha=h / 3))
    k3 = rhs(s + 2 * h / 3, torch.add(y, torch.add(k2, k1, alpha=-1 / 3), alpha=h))
    k4 = rhs(s + h, torch.add(y, k1 - k2 + k3, alpha=h))
    ks = torch.stack([k1, k2, k3, k4])
    return (ks * _W_RK4[:, :, None]).sum(0) * h, ks, _W_RK4


def flow(field, c: torch.Tensor, t0: torch.Tensor, t1: torch.Tensor, cfg: ODEConfig, max_step: float,
         energy: bool = False, span: float = 0.0):
    """Integrate the field from ``(c, t0)`` to ``t1`` for every row; returns ``[B, dim]``.

    ``max_step`` is the largest time step a fixed-step solver may take (in normalised
    time); it is converted to a common number of steps in s for the whole batch.
    energy: also return each row's path energy, the integral over s of ||dc/ds||^2;
    a straight constant-speed path has exactly ||c(1) - c(0)||^2. Only the state columns from
    ``field.energy_from`` on count (a second-order field's: the velocity's, i.e. the acceleration).
    """
    ef = getattr(field, "energy_from", 0)
    dt = (t1 - t0).to(c.dtype)
    # span: the longest interval the step count is sized for; a caller passes a fixed one so that a
    # row's result does not depend on which other rows share the batch
    span = max(span, float(dt.abs().max())) if dt.numel() else 0.0
    if span == 0.0:
        return (c, torch.zeros(len(c), dtype=c.dtype)) if energy else c
    t0c = t0.to(c.dtype)
    dtc = dt[:, None]

    def rhs(s, state):
        return dtc * field(state, t0c + s * dt)

    if _plain(cfg):
        n = fixed_steps(span, max_step)
        h = 1.0 / n
        e = torch.zeros(len(c), dtype=c.dtype) if energy else None
        for i in range(n):
            inc, ks, ws = _step(cfg.solver, rhs, i * h, h, c)
            if energy:  # the same quadrature on ||dc/ds||^2 as on the state (its extra column in torchdiffeq)
                e = e + h * ((ks[..., ef:] if ef else ks).pow(2).sum(2) * ws.to(c.dtype)).sum(0)
            c = c + inc
        return (c, e) if energy else c
    return _torchdiffeq_flow(rhs, c, cfg, span, max_step, energy, ef)


def _torchdiffeq_flow(rhs, c, cfg: ODEConfig, span: float, max_step: float, energy: bool, ef: int = 0):
    from torchdiffeq import odeint

    def aug(s, state):  # the path energy carried as one extra state column
        v = rhs(s, state[:, :-1])
        return torch.cat([v, v[:, ef:].pow(2).sum(1, keepdim=True)], 1)

    f, y0 = (aug, torch.cat([c, torch.zeros(len(c), 1, dtype=c.dtype)], 1)) if energy else (rhs, c)
    grid = torch.tensor([0.0, 1.0], dtype=c.dtype)
    if cfg.solver in SOLVERS_FIXED:
        n = fixed_steps(span, max_step)
        out = odeint(f, y0, grid, method=cfg.solver, options={"step_size": 1.0 / n})
    else:
        out = odeint(f, y0, grid, method=cfg.solver, rtol=cfg.rtol, atol=cfg.atol)
    return (out[-1, :, :-1], out[-1, :, -1]) if energy else out[-1]


def rollout(field, c0: torch.Tensor, times: torch.Tensor, cfg: ODEConfig, max_step: float) -> torch.Tensor:
    """Integrate one state ``c0`` (at ``times[0]``) through sorted ``times``; returns ``[T, dim]``.

    A fixed-step solver steps at most ``max_step`` and reads in-between times off a cubic
    Hermite interpolant (torchdiffeq's "cubic" interp for fixed grids).
    """
    if len(times) == 1:
        return c0.reshape(1, -1)
    t = times.to(c0.dtype)

    def rhs(tt, state):
        return field(state, tt.reshape(1))

    if _plain(cfg):
        return _plain_rollout(rhs, c0.reshape(1, -1), t, cfg.solver, max_step)[:, 0]
    from torchdiffeq import odeint

    if cfg.solver in SOLVERS_FIXED:
        out = odeint(rhs, c0.reshape(1, -1), t, method=cfg.solver, options={"step_size": max_step, "interp": "cubic"})
    else:
        out = odeint(rhs, c0.reshape(1, -1), t, method=cfg.solver, rtol=cfg.rtol, atol=cfg.atol)
    return out[:, 0]


def _plain_rollout(rhs, y: torch.Tensor, t: torch.Tensor, method: str, step: float) -> torch.Tensor:
    """torchdiffeq's fixed-grid ``odeint(..., options={"step_size": step, "interp": "cubic"})``
    written out: the same grid, steps and Hermite interpolation, so the default fit and every
    prediction run without importing torchdiffeq (and the scipy it imports: 1.3 s per process)."""
    sign = 1.0 if float(t[-1]) >= float(t[0]) else -1.0  # decreasing times: integrate -f over -t, as torchdiffeq does
    s = t * sign

    def f(tt, state):
        return sign * rhs(tt * sign, state)

    niters = math.ceil(float((s[-1] - s[0]) / step + 1))
    grid = torch.arange(0, niters, dtype=s.dtype) * step + s[0]
    grid[-1] = s[-1]
    out = torch.empty(len(s), *y.shape, dtype=y.dtype)
    out[0] = y
    j = 1
    for g0, g1 in zip(grid[:-1], grid[1:]):
        dt = g1 - g0
        inc, ks, _ = _step(method, lambda ss, state: f(g0 + (ss - float(g0)), state), float(g0), float(dt), y)
        y1 = y + inc
        f0 = ks[0] if method != "midpoint" else f(g0, y)  # the slope at g0 (midpoint's stage is at g0 + dt/2)
        f1 = None
        while j < len(s) and g1 >= s[j]:
            f1 = f(g1, y1) if f1 is None else f1
            h = (s[j] - g0) / dt  # cubic Hermite between (g0, y, ks[0]) and (g1, y1, f1)
            out[j] = ((1 + 2 * h) * (1 - h) ** 2 * y + h * (1 - h) ** 2 * dt * f0
                      + h * h * (3 - 2 * h) * y1 + h * h * (h - 1) * dt * f1)
            j += 1
        y = y1
    return out
