"""Second-order dynamics (``order=2``): the ODE state is position and velocity.

d/dt [c, v] = [v, a(c, v, t)]: the MLP learns an acceleration. Why: oscillating and
accelerating motion (a head turning and swinging back, a nod, a mouth opening and closing) is
a low-order ODE in position *and* velocity, which a first-order field f(c, t) can only encode
through t; with few observations the velocity carried through a gap bends the path the way
the motion is going instead of along the chord.

Velocity at each observed frame: one learned row per observation (``velocity="learned"``),
started from finite differences of the observed coordinates, trained with the field: training
windows start from it, half of them backwards in time, so every observation's velocity
(the last one's too) is fitted, and so is the backward integration the anchored predictor
uses. The anchored predictor stays exact at observations: the position part of an observed
state is the observation itself. The path-energy penalty (``straightness``) becomes the
acceleration energy (a constant-velocity path has none; scaled to position units), the smoothness a cubic spline minimises.
"""
from __future__ import annotations

import torch
from torch import nn

from .vector_field import VectorField


def finite_difference_velocity(coords: torch.Tensor, tau: torch.Tensor) -> torch.Tensor:
    """dc/dtau at each observation: the 3-point formula for uneven spacing inside, one-sided at the ends."""
    c, t = coords.double(), tau.double()
    n = len(c)
    v = torch.empty_like(c)
    v[0] = (c[1] - c[0]) / (t[1] - t[0])
    v[-1] = (c[-1] - c[-2]) / (t[-1] - t[-2])
    if n > 2:
        hl, hr = (t[1:-1] - t[:-2])[:, None], (t[2:] - t[1:-1])[:, None]
        v[1:-1] = (-hr / (hl * (hl + hr)) * c[:-2] + (hr - hl) / (hl * hr) * c[1:-1] + hl / (hr * (hl + hr)) * c[2:])
    return v.to(coords.dtype)


class SecondOrderField(nn.Module):
    """f([c, v], t) = [v, a(c, v, t)] with the acceleration ``a`` an MLP (see :class:`VectorField`)."""

    order = 2

    def __init__(self, dim: int, n_obs: int, hidden: int = 128, depth: int = 2, activation: str = "silu",
                 time_dependent: bool = True, zero_init: bool = True, learn_velocity: bool = True):
        super().__init__()
        self.dim = dim
        self.accel = VectorField(2 * dim, hidden, depth, activation, time_dependent, zero_init, out_dim=dim)
        self.velocity = nn.Parameter(torch.zeros(n_obs, dim), requires_grad=learn_velocity)
        # typical speed and acceleration of the clip (from finite differences): the MLP sees v / v_scale
        # and outputs a / a_scale, both O(1); unscaled, an oscillation of a few cycles per clip needs
        # accelerations of ~100s that a zero-started MLP takes most of the fit to reach
        self.register_buffer("v_scale", torch.ones(()))
        self.register_buffer("a_scale", torch.ones(()))

    @torch.no_grad()
    def start(self, coords: torch.Tensor, tau: torch.Tensor) -> None:
        """Velocities from finite differences of the observed ``coords`` at ``tau``; scales from them."""
        v = finite_difference_velocity(coords, tau)
        self.velocity.copy_(v)
        self.v_scale.fill_(float(v.pow(2).mean().sqrt().clamp_min(1e-6)))
        a = torch.diff(v, dim=0) / torch.diff(tau.to(v.dtype))[:, None] if len(v) > 1 else v
        self.a_scale.fill_(float(a.pow(2).mean().sqrt().clamp_min(1e-6)))

    @property
    def energy_from(self) -> int:  # the path energy counts the velocity's derivative: the acceleration
        return self.dim

    def forward(self, state: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        v = state[:, self.dim:]
        a = self.accel(torch.cat([state[:, : self.dim], v / self.v_scale], dim=1), t)
        return torch.cat([v, a * self.a_scale], dim=1)

    def lift(self, coords: torch.Tensor, obs: torch.Tensor) -> torch.Tensor:
        return torch.cat([coords, self.velocity[obs]], dim=1)

    def position(self, state: torch.Tensor) -> torch.Tensor:
        return state[..., : self.dim]

    def excess(self, energy: torch.Tensor, start: torch.Tensor, end: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        # the acceleration energy (zero for the straight, even-speed path) times dt^2: in squared position
        # units like the first-order excess (a path bowed by d off the chord over a gap dt has
        # acceleration ~ 8 d / dt^2); unscaled it dwarfed the data term ~100x and the fit ignored the data
        return energy * dt.pow(2)


def make_field(cfg, dim: int, n_obs: int, coords: torch.Tensor = None, tau: torch.Tensor = None) -> nn.Module:
    """The vector field of ``cfg.order`` for a ``dim``-dimensional subspace; with ``coords``/``tau``
    (a new fit) an order-2 field's velocities start at the observations' finite differences."""
    if cfg.order == 1:
        return VectorField(dim, cfg.hidden, cfg.depth, cfg.activation, cfg.time_dependent, cfg.zero_init)
    field = SecondOrderField(dim, n_obs, cfg.hidden, cfg.depth, cfg.activation, cfg.time_dependent, cfg.zero_init,
                             learn_velocity=cfg.velocity == "learned")
    if coords is not None:
        field.start(coords, tau)
    return field
