"""What every dynamics model shares: input checks, time normalisation, the observed
frames, offset propagation and the one-file save/load format.

Subclasses implement ``_fit(**options)``, ``_predict_flat(tau)`` (normalised times ->
flat latents ``[T, D]``) and ``_state()`` / ``_set_state()`` for save/load.
"""
from __future__ import annotations

import contextlib
from typing import Any, Dict, Optional, Tuple

import torch

from ..errors import DynodeInputError
from . import validation as V

def interp_rows(tq: torch.Tensor, tk: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear interpolation of ``values[n, D]`` known at sorted ``tk[n]``, held constant outside."""
    j = torch.searchsorted(tk, tq, right=True).clamp(1, len(tk) - 1)
    i = j - 1
    w = ((tq - tk[i]) / (tk[j] - tk[i])).clamp(0, 1).to(values.dtype)[:, None]
    return values[i] * (1 - w) + values[j] * w


@contextlib.contextmanager
def torch_threads(n: Optional[int]):
    """Run with ``n`` torch threads, then restore (tiny MLPs run faster on one thread)."""
    if not n:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


class BaseDynamics:
    id: str = ""
    summary: str = ""
    modes: Tuple[str, ...] = ("offset",)
    settings_class: Optional[type] = None  # a dataclass: the settings the constructor takes (dynamics/settings.py)

    def __init__(self) -> None:
        self.shape: Optional[Tuple[int, ...]] = None
        self.times: Optional[torch.Tensor] = None  # [N] float64, the fitted frames' times
        self.mask: Optional[torch.Tensor] = None  # [N] bool, observed frames
        self.observed: Optional[torch.Tensor] = None  # [n_obs, D] float32, flat observed latents
        self.report = None

    # -- public API -----------------------------------------------------------------
    def fit(self, latents, times=None, mask=None, progress: bool = True, **options: Any):
        """Fit on ``latents [N, *shape]`` at ``times [N]`` (default linspace(0, 1, N)); ``mask [N]`` marks observed frames."""
        z, t, m = V.check_fit_inputs(latents, times, mask)
        self.shape = tuple(z.shape[1:])
        self.times, self.mask = t, m
        self.observed = z[m].reshape(int(m.sum()), -1).clone()
        self._fit(progress=progress, **options)
        return self

    @property
    def fitted(self) -> bool:
        return self.observed is not None

    @property
    def obs_tau(self) -> torch.Tensor:
        return self.tau(self.times[self.mask])

    def tau(self, t: torch.Tensor) -> torch.Tensor:
        """Times in model units -> normalised time (0 at the first frame, 1 at the last)."""
        lo, hi = self.times[0], self.times[-1]
        return (t.to(torch.float64) - lo) / (hi - lo)

    def predict(self, times=None) -> torch.Tensor:
        """Latents ``[T, *shape]`` at any ``times`` (default: the fitted frames' times)."""
        self._require_fitted()
        t = self.times if times is None else V.as_query_times(times)
        with torch.no_grad():
            flat = self._predict_flat(self.tau(t))
        return flat.reshape(len(t), *self.shape)

    def propagate(self, edited_first, times=None, mode: str = "offset") -> torch.Tensor:
        """Carry an edited frame 0 (``[*shape]`` or ``[1, *shape]``) to ``times``; modes: ``dynamics.settings.MODE_HELP``."""
        self._require_fitted()
        if mode not in self.modes:
            raise DynodeInputError(f"propagation mode '{mode}' is not available for the '{self.id}' model; choose one of {', '.join(self.modes)}")
        z0p = V.check_first(edited_first, self.shape).reshape(-1)
        t = self.times if times is None else V.as_query_times(times)
        with torch.no_grad():
            if mode == "offset":
                flat = self._predict_flat(self.tau(t)) + (z0p - self.first_latent())
            else:
                flat = self._propagate_flat(z0p, self.tau(t), mode)
        return flat.reshape(len(t), *self.shape)

    def first_latent(self) -> torch.Tensor:
        """Flat latent of frame 0 (the observed one, or the model's estimate if frame 0 was not observed)."""
        if bool(self.mask[0]):
            return self.observed[0]
        return self._predict_flat(self.tau(self.times[:1]))[0]

    def save(self, path) -> None:
        """Write the fitted model to one ``.dynode`` file (safetensors + JSON header), atomically."""
        from .io import save_dynamics

        self._require_fitted()
        save_dynamics(self, path)

    @classmethod
    def load(cls, path):
        from .io import load_dynamics

        model = load_dynamics(path)
        if cls is not BaseDynamics and not isinstance(model, cls):
            raise DynodeInputError(f"{path} holds a '{model.id}' dynamics model, not '{cls.id}'; load it with dynode_plugin.load_dynamics()")
        return model

    # -- for subclasses -------------------------------------------------------------------
    def _fit(self, progress: bool = True, **options: Any) -> None:
        raise NotImplementedError

    def _predict_flat(self, tau: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _propagate_flat(self, z0p: torch.Tensor, tau: torch.Tensor, mode: str) -> torch.Tensor:
        raise NotImplementedError

    def config_dict(self) -> Dict[str, Any]:
        return {}

    def _state(self) -> Dict[str, torch.Tensor]:
        return {}

    def _set_state(self, tensors: Dict[str, torch.Tensor], meta: Dict[str, Any]) -> None:
        pass

    def _require_fitted(self) -> None:
        if not self.fitted:
            raise DynodeInputError(f"this {type(self).__name__} is not fitted yet; call .fit(latents) or load a .dynode file first")
