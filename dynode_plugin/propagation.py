"""Edit frame 0 and propagate: the one function every host adapter calls.

``edit_first_and_propagate(latents, edit_fn)`` fits a dynamics model on the clip (or
reuses a saved one), applies ``edit_fn`` to frame 0 only and carries the edit to every
frame. Timings of each part are returned so pipelines can report them.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Dict, Optional

import torch

from .dynamics import validation as V
from .errors import DynodeInputError


@dataclasses.dataclass
class PropagationResult:
    edited: torch.Tensor  # [N, *shape] (or [T, *shape] when times_out was given)
    model: Any
    fitted: bool  # False when a saved model was reused
    seconds: Dict[str, float]


def edit_first_and_propagate(latents, edit_fn: Callable[[torch.Tensor], torch.Tensor], *, times=None, mask=None,
                             model=None, model_path=None, mode: str = "offset", model_id: str = "ode",
                             settings: Optional[Dict[str, Any]] = None, refit: bool = False, times_out=None,
                             progress: bool = True, extra_loss=None, replace: bool = True,
                             unobserved_loss=None) -> PropagationResult:
    """Fit (or reuse) a dynamics model, edit frame 0 with ``edit_fn``, propagate.

    latents: ``[N, *shape]``; edit_fn: ``z0 [1, *shape] -> z0' [1, *shape]``;
    model_path: a ``.dynode`` file reused when it exists and holds a ``model_id`` model fitted on these latents
    (unless ``refit``), written after fitting otherwise (an existing one only if ``replace``); settings: the dynamics settings the user gave
    (:func:`dynode_plugin.dynamics.settings.fit_or_load`); times_out: where to evaluate (default: the N frame times).
    extra_loss: the host's loss for the fit (:meth:`dynode_plugin.hosts.Host.fit_loss`), used when fitting;
    unobserved_loss: its loss at frames with pixels but no code (:meth:`dynode_plugin.hosts.Host.unobserved_loss`).
    """
    z = V.as_latents(latents, check_finite=False)
    seconds: Dict[str, float] = {}
    fitted = False
    if model is None:
        from .dynamics.settings import fit_or_load

        model, fitted, fit_seconds = fit_or_load(z, model_id, settings, model_path, times=times, mask=mask, refit=refit,
                                                 progress=progress, extra_loss=extra_loss, replace=replace,
                                                 unobserved_loss=unobserved_loss)
        if fitted:
            seconds["fit"] = fit_seconds
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
