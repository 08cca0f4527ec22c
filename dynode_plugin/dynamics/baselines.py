"""Baselines with the DynamicsModel API: linear interpolation and a natural cubic spline.

Both interpolate the observed latents (optionally in the same PCA subspace as the ODE,
which also drops the out-of-subspace inversion noise) and propagate edits by offset.
They are first-class models so every benchmark can put the ODE beside them.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Dict, Optional

import torch

from ..errors import DynodeInputError
from .base import BaseDynamics, interp_rows
from .fitting import FitReport
from .subspace import Subspace


@dataclasses.dataclass
class BaselineSettings:
    """Settings of the interpolation baselines.

    subspace_dim: PCA dimension the observed latents are interpolated in (None = the full latent).
    """

    subspace_dim: Optional[int] = None


class _Interpolating(BaseDynamics):
    settings_class = BaselineSettings

    def __init__(self, subspace_dim: Optional[int] = None, **unused: Any):
        super().__init__()
        if unused:
            raise DynodeInputError(f"the '{self.id}' baseline has no setting(s) {', '.join(sorted(unused))}; it takes only subspace_dim")
        self.subspace_dim = subspace_dim
        self.subspace: Optional[Subspace] = None

    def _values(self) -> torch.Tensor:
        return self.observed if self.subspace is None else self.subspace.encode(self.observed)

    def _fit(self, progress: bool = True, **options: Any) -> None:
        if options:
            raise DynodeInputError(f"the '{self.id}' baseline does not take {', '.join(options)}")
        t0 = time.perf_counter()
        self.subspace = Subspace.fit(self.observed, self.subspace_dim) if self.subspace_dim else None
        self._prepare()
        secs = time.perf_counter() - t0
        with torch.no_grad():
            mse = float(((self._predict_flat(self.obs_tau) - self.observed) ** 2).mean())
        self.report = FitReport(model=self.id, steps=0, seconds=secs, losses=[], n_frames=len(self.mask), n_observed=len(self.observed),
                                subspace_dim=self.subspace.dim if self.subspace else None,
                                explained_variance=getattr(self.subspace, "explained", None), observed_mse=mse,
                                subspace_requested=self.subspace_dim)

    def _prepare(self) -> None:
        pass

    def _interp(self, tau: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _predict_flat(self, tau: torch.Tensor) -> torch.Tensor:
        v = self._interp(tau)
        return v if self.subspace is None else self.subspace.decode(v)

    def config_dict(self) -> Dict[str, Any]:
        return {"subspace_dim": self.subspace_dim}

    def _state(self) -> Dict[str, torch.Tensor]:
        return self.subspace.state_dict() if self.subspace is not None else {}

    def _set_state(self, tensors: Dict[str, torch.Tensor], meta: Dict[str, Any]) -> None:
        self.subspace = Subspace.from_state_dict(tensors) if "subspace.mean" in tensors else None
        self._prepare()


class LinearDynamics(_Interpolating):
    """Piecewise-linear interpolation of the observed latents (``id = "linear"``)."""

    id = "linear"
    summary = "piecewise-linear interpolation baseline"

    def _interp(self, tau: torch.Tensor) -> torch.Tensor:
        return interp_rows(tau, self.obs_tau, self._values())


class SplineDynamics(_Interpolating):
    """Natural cubic spline through the observed latents (``id = "spline"``; needs scipy)."""

    id = "spline"
    summary = "natural cubic spline baseline (scipy)"

    def _prepare(self) -> None:
        try:
            from scipy.interpolate import CubicSpline
        except ImportError:
            raise DynodeInputError("the 'spline' baseline needs scipy: pip install scipy (or dynode-plugin[metrics])") from None
        x = self.obs_tau.numpy()
        bc = "natural" if len(x) > 2 else "not-a-knot"
        self._spline = CubicSpline(x, self._values().double().numpy(), axis=0, bc_type=bc)

    def _interp(self, tau: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(self._spline(tau.numpy())).float()
