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

from .vector_field import VectorField


class ContextField(nn.Module):
    def __init__(self, dim: int, context: int, hidden: int = 128, depth: int = 2, activation: str = "silu",
                 time_dependent: bool = True, zero_init: bool = True):
        super().__init__()
        self.dim = dim
        self.net = VectorField(dim + context, hidden, depth, activation, time_dependent, zero_init)
        self.context = nn.Parameter(torch.zeros(1, context))  # this clip's code
        self.rows: Optional[torch.Tensor] = None  # [B, context]: one code per batch row (prior training)

    @property
    def nfe(self) -> int:
        return self.net.nfe

    def forward(self, c: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        code = self.rows if self.rows is not None else self.context.expand(len(c), -1)
        # the network's output has dim + context columns (VectorField keeps its input's size); the
        # code's own columns are unused: the code does not move
        return self.net(torch.cat([c, code.to(c.dtype)], 1), t)[:, : self.dim]


def new_field(cfg, dim: int) -> nn.Module:
    """A fresh vector field of ``cfg``'s architecture (``ODEConfig``) over ``dim`` coordinates."""
    if getattr(cfg, "context", 0):
        return ContextField(dim, cfg.context, cfg.hidden, cfg.depth, cfg.activation, cfg.time_dependent, cfg.zero_init)
    return VectorField(dim, cfg.hidden, cfg.depth, cfg.activation, cfg.time_dependent, cfg.zero_init)
