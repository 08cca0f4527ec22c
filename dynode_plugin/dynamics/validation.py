"""Input checks for dynamics models: one clear message per problem, before any torch work."""
from __future__ import annotations

from typing import Tuple

import numpy as np
import torch

from ..errors import DynodeInputError


def as_latents(latents, what: str = "latents", check_finite: bool = True) -> torch.Tensor:
    """Return a float32 CPU tensor ``[N, *shape]`` with N >= 1, or raise a clear error."""
    if isinstance(latents, np.ndarray):
        latents = torch.from_numpy(np.ascontiguousarray(latents))
    if not isinstance(latents, torch.Tensor):
        raise DynodeInputError(f"{what} must be a torch tensor or numpy array of shape [N, *shape]; got {type(latents).__name__}")
    if latents.ndim < 2:
        raise DynodeInputError(
            f"{what} must have shape [N, *shape] (e.g. [N, 18, 512]) with one row per frame; got shape {tuple(latents.shape)}"
        )
    if not latents.is_floating_point():
        raise DynodeInputError(f"{what} must be floating point; got dtype {latents.dtype}")
    latents = latents.detach().to("cpu", torch.float32)
    if check_finite:
        _check_finite(latents, what)
    return latents


def _check_finite(latents: torch.Tensor, what: str, rows=None) -> None:
    bad_rows = ~torch.isfinite(latents.reshape(len(latents), -1)).all(dim=1)
    if rows is not None:
        bad_rows &= rows
    if bad_rows.any():
        bad = [int(i) for i in torch.nonzero(bad_rows).flatten()]
        raise DynodeInputError(f"{what} contain NaN or inf in frame(s) {bad[:10]}{'...' if len(bad) > 10 else ''}; re-run the inversion for those frames or mark them unobserved with a mask")


def as_times(times, n: int, what: str = "times") -> torch.Tensor:
    """Frame times as float64 ``[n]``, strictly increasing; default: frame indices mapped to [0, 1]."""
    if times is None:
        return torch.linspace(0.0, 1.0, n, dtype=torch.float64) if n > 1 else torch.zeros(1, dtype=torch.float64)
    t = torch.as_tensor(np.asarray(times, dtype=np.float64) if not isinstance(times, torch.Tensor) else times.detach().cpu()).to(torch.float64).flatten()
    if t.numel() != n:
        raise DynodeInputError(f"{what} has {t.numel()} entries but there are {n} frames; give one time per frame")
    if not torch.isfinite(t).all():
        raise DynodeInputError(f"{what} contain NaN or inf")
    d = torch.diff(t)
    if (d <= 0).any():
        i = int(torch.nonzero(d <= 0)[0])
        kind = "duplicate" if d[i] == 0 else "decreasing"
        raise DynodeInputError(f"{what} must be strictly increasing; {kind} value at positions {i} and {i + 1} ({float(t[i])} then {float(t[i + 1])})")
    return t


def as_query_times(times, what: str = "times") -> torch.Tensor:
    """Query times for predict(): any finite values (sorted or not, repeats allowed)."""
    t = torch.as_tensor(times.detach().cpu() if isinstance(times, torch.Tensor) else np.asarray(times, dtype=np.float64)).to(torch.float64).flatten()
    if t.numel() == 0:
        raise DynodeInputError(f"{what} is empty; give at least one time")
    if not torch.isfinite(t).all():
        raise DynodeInputError(f"{what} contain NaN or inf")
    return t


def as_mask(mask, n: int) -> torch.Tensor:
    """Observed-frame mask ``[n]`` bool (default all observed); at least 2 observed frames."""
    if mask is None:
        m = torch.ones(n, dtype=torch.bool)
    else:
        m = torch.as_tensor(np.asarray(mask) if not isinstance(mask, torch.Tensor) else mask).flatten()
        if m.numel() != n:
            raise DynodeInputError(f"mask has {m.numel()} entries but there are {n} frames; give one True/False per frame")
        m = m.to(torch.bool)
    if int(m.sum()) < 2:
        raise DynodeInputError(f"need at least 2 observed frames to fit a trajectory; got {int(m.sum())} (of {n})")
    return m


def check_first(edited_first, shape: Tuple[int, ...]) -> torch.Tensor:
    """An edited frame 0 of shape ``shape`` or ``[1, *shape]`` -> ``[*shape]``."""
    z = as_latents(edited_first if getattr(edited_first, "ndim", 0) != len(shape) else edited_first[None], "edited frame 0")
    if tuple(z.shape) != (1, *shape):
        raise DynodeInputError(
            f"edited frame 0 must have shape {list(shape)} or [1, {', '.join(map(str, shape))}] like the fitted latents; got {list(z.shape)}"
        )
    return z[0]


def check_fit_inputs(latents, times=None, mask=None) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    z = as_latents(latents, check_finite=False)
    if len(z) < 2:
        raise DynodeInputError(f"need at least 2 frames to fit a trajectory; got {len(z)}")
    t, m = as_times(times, len(z)), as_mask(mask, len(z))
    _check_finite(z, "latents", rows=m)  # unobserved frames may hold anything (e.g. NaN placeholders)
    return z, t, m

