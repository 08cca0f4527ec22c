"""A vector field with a per-clip code: f(c, t, code), the field of a motion prior with ``context > 0``.

One network serves every clip of a domain; each clip has its own small code (a learned vector)
that tells the network which of the domain's motions this clip makes -- in the toy world, the
phases of the arm's swings, which a position alone cannot tell (the same pose is passed going
up and coming down). Training a prior learns one code per training clip with the network
(:mod:`.prior_training`); fitting a new clip starts its code at zero (the codes' mean) and fits
it from the clip's observations together with the network (pulled towards the prior's).
"""
from __future__ import annotations

from typing import Optional

import torch
from torch import nn

from ..errors import DynodeInputError
from .second_order import make_field
from .vector_field import VectorField


CODE_SCALE = 10.0  # the network sees CODE_SCALE x the stored code: Adam moves a code 10x faster than a weight
# (each training clip's code gets a few hundred updates in a whole prior training; a new clip's fit has ~200 steps)


FREQUENCIES = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)  # cycles per clip of the time features


class ContextField(VectorField):
    """A first-order :class:`VectorField` whose input is the state, the clip's code and, when the field
    is time-dependent, sines and cosines of time: the motions of a clip normalised to [0, 1] are
    oscillations of a few cycles per clip, which a network builds from these far faster than from t."""

    def __init__(self, dim: int, context: int, hidden: int = 128, depth: int = 2, activation: str = "silu",
                 time_dependent: bool = True, zero_init: bool = True):
        extra = context + 2 * len(FREQUENCIES) * int(time_dependent)
        super().__init__(dim + extra, hidden, depth, activation, time_dependent, zero_init, out_dim=dim)
        self.register_buffer("omega", 2 * torch.pi * torch.tensor(FREQUENCIES), persistent=False)
        self.context = nn.Parameter(torch.zeros(1, context))  # this clip's code
        self.rows: Optional[torch.Tensor] = None  # [B, context]: one code per batch row (prior training)

    def forward(self, c: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        code = self.rows if self.rows is not None else self.context.expand(len(c), -1)
        parts = [c, CODE_SCALE * code.to(c.dtype)]
        if self.time_dependent:
            phase = t.reshape(-1, 1).to(c.dtype).expand(len(c), 1) * self.omega.to(c.dtype)
            parts += [torch.sin(phase), torch.cos(phase)]
        return super().forward(torch.cat(parts, 1), t)


def new_field(cfg, dim: int, n_obs: int = 2, coords: torch.Tensor = None, tau: torch.Tensor = None) -> nn.Module:
    """The vector field of ``cfg`` (``ODEConfig``) over ``dim`` coordinates: :func:`.second_order.make_field`'s,
    or a :class:`ContextField` when ``cfg.context`` is set."""
    if not getattr(cfg, "context", 0):
        return make_field(cfg, dim, n_obs, coords, tau)
    if cfg.order != 1:
        raise DynodeInputError(f"a per-clip code (context = {cfg.context}) needs order 1; got order {cfg.order}")
    return ContextField(dim, cfg.context, cfg.hidden, cfg.depth, cfg.activation, cfg.time_dependent, cfg.zero_init)
