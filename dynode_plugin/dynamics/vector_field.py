"""The learned vector field f(c, t) of the paper's Eq. 4.

An MLP: input layer, DEPTH repeating (Linear, activation) modules (the paper's
"second and third layers together form a repeating module"), output layer. Time is
an input (non-autonomous), unlike the authors' demo; there is no division of the
output by its norm (that fixes the speed and cannot fit real trajectories).
The output layer starts at zero so the initial flow is the identity map.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

_ACT = {"silu": nn.SiLU, "tanh": nn.Tanh, "elu": nn.ELU, "softplus": nn.Softplus}
_ACT_FN = {"silu": F.silu, "tanh": torch.tanh, "elu": F.elu, "softplus": F.softplus}


class VectorField(nn.Module):
    order = 1  # the state is the position itself (dynamics/second_order.py: position and velocity)

    def __init__(self, dim: int, hidden: int = 128, depth: int = 2, activation: str = "silu", time_dependent: bool = True,
                 zero_init: bool = True, out_dim: int = 0):
        super().__init__()
        self.time_dependent = time_dependent
        act = _ACT[activation]
        layers = [nn.Linear(dim + int(time_dependent), hidden), act()]
        for _ in range(depth):
            layers += [nn.Linear(hidden, hidden), act()]
        out = nn.Linear(hidden, out_dim or dim)
        if zero_init:
            nn.init.zeros_(out.weight)
            nn.init.zeros_(out.bias)
        layers.append(out)
        self.net = nn.Sequential(*layers)
        self._act = _ACT_FN[activation]
        self.nfe = 0  # function evaluations, for reports

    def forward(self, c: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """``c``: [B, dim]; ``t``: [B] (normalised time in [0, 1])."""
        self.nfe += 1
        if self.time_dependent:
            c = torch.cat([c, t.reshape(-1, 1).to(c.dtype).expand(len(c), 1)], dim=1)
        # the layers called as functions, not through nn.Module.__call__: at these sizes (batch 16,
        # 128 wide) the per-call overhead costs as much as the arithmetic (issue 17)
        linears = self.net[::2]
        for layer in linears[:-1]:
            c = self._act(F.linear(c, layer.weight, layer.bias))
        return F.linear(c, linears[-1].weight, linears[-1].bias)

    # The state interface the fit and the predictor use (the same for both orders):
    def lift(self, coords: torch.Tensor, obs: torch.Tensor) -> torch.Tensor:
        """ODE states of the observed positions ``coords`` (rows are observations ``obs``)."""
        return coords

    def position(self, state: torch.Tensor) -> torch.Tensor:
        return state

    energy_from = 0  # the state columns whose squared derivative is the path energy (solver.flow)

    def excess(self, energy: torch.Tensor, start: torch.Tensor, end: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
        """Path energy beyond the straight, even-speed path's (>= 0 in exact arithmetic)."""
        return energy - (end - start).pow(2).sum(1)
