"""Edit frame 0 and propagate: the one function every host adapter calls.

``edit_first_and_propagate(latents, edit_fn)`` fits a dynamics model on the clip (or
reuses a saved one), applies ``edit_fn`` to frame 0 only and carries the edit to every
frame. Timings of each part are returned so pipelines can report them.
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import torch

from .dynamics import validation as V
from .errors import DynodeInputError


@dataclasses.dataclass
class PropagationResult:
    edited: torch.Tensor  # [N, *shape] (or [T, *shape] when times_out was given)
    model: Any
    fitted: bool  # False when a saved model was reused
    seconds: Dict[str, float]


def model_matches(model, latents: torch.Tensor) -> bool:
    return tuple(model.shape) == tuple(latents.shape[1:]) and len(model.times) == len(latents) and torch.allclose(
        model.observed, latents[model.mask].reshape(len(model.observed), -1), atol=1e-5)


def load_matching(path, latents: torch.Tensor, model_id: Optional[str] = None):
    """The model saved at ``path`` if it exists, is a ``model_id`` model and was fitted on these latents; else None."""
    if path is None or not Path(path).exists():
        return None
    from .dynamics.io import load_dynamics

    candidate = load_dynamics(path)
    if model_id is not None and candidate.id != model_id:
        return None
    return candidate if model_matches(candidate, latents) else None


def fit_model(latents: torch.Tensor, model_id: str = "ode", fit_kwargs: Optional[Dict[str, Any]] = None, *, times=None,
              mask=None, progress: bool = True, save_to=None) -> Tuple[Any, float]:
    """A registered dynamics model fitted on ``latents`` (and saved to ``save_to``); returns (model, fit seconds)."""
    from .plugins import get_registry

    t0 = time.perf_counter()
    model = get_registry().get("dynamics", model_id)(**(fit_kwargs or {}))
    model.fit(latents, times=times, mask=mask, progress=progress)
    seconds = time.perf_counter() - t0
    if save_to is not None:
        model.save(save_to)
    return model, seconds


def edit_first_and_propagate(latents, edit_fn: Callable[[torch.Tensor], torch.Tensor], *, times=None, mask=None,
                             model=None, model_path=None, mode: str = "offset", model_id: str = "ode",
                             fit_kwargs: Optional[Dict[str, Any]] = None, times_out=None,
                             progress: bool = True) -> PropagationResult:
    """Fit (or reuse) a dynamics model, edit frame 0 with ``edit_fn``, propagate.

    latents: ``[N, *shape]``; edit_fn: ``z0 [1, *shape] -> z0' [1, *shape]``;
    model_path: a ``.dynode`` file reused when it exists and holds a ``model_id`` model fitted on these latents,
    written after fitting otherwise; times_out: where to evaluate (default: the N frame times).
    """
    z = V.as_latents(latents, check_finite=False)
    seconds: Dict[str, float] = {}
    fitted = False
    if model is None:
        model = load_matching(model_path, z, model_id)
    if model is None:
        model, seconds["fit"] = fit_model(z, model_id, fit_kwargs, times=times, mask=mask, progress=progress, save_to=model_path)
        fitted = True
    first = model.first_latent().reshape(1, *model.shape)
    t0 = time.perf_counter()
    edited_first = edit_fn(first.clone())
    seconds["edit"] = time.perf_counter() - t0
    if not isinstance(edited_first, torch.Tensor) or tuple(edited_first.reshape(-1).shape) != (first.numel(),):
        got = tuple(edited_first.shape) if isinstance(edited_first, torch.Tensor) else type(edited_first).__name__
        raise DynodeInputError(f"the edit function must return frame 0's latent with shape {list(first.shape)}; got {got}")
    t0 = time.perf_counter()
    out_times = model.times if times_out is None else times_out
    edited = model.propagate(edited_first.detach().cpu().float().reshape(first.shape), times=out_times, mode=mode)
    seconds["propagate"] = time.perf_counter() - t0
    return PropagationResult(edited=edited, model=model, fitted=fitted, seconds=seconds)
