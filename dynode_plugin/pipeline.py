"""The host-agnostic edit pipeline: invert -> fit -> edit frame 0 -> propagate -> synthesize.

``run_edit(host, frames, edits)`` does it with any registered host; ``per_frame=True`` is the
classic way (every frame edited) kept for comparison. Timings of every stage are returned.
"""
from __future__ import annotations

import dataclasses
import inspect
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from .errors import DynodeInputError
from .hosts import Host, check_frames


@dataclasses.dataclass
class EditResult:
    source_latents: torch.Tensor
    edited_latents: torch.Tensor
    edited_frames: torch.Tensor
    seconds: Dict[str, float]
    model: Any = None


def check_clip(frames: torch.Tensor) -> torch.Tensor:
    frames = check_frames(frames)
    if len(frames) < 2:
        raise DynodeInputError(f"the clip has {len(frames)} frame(s); a trajectory needs at least 2")
    return frames


def run_edit(host: Host, frames: torch.Tensor, edits: Sequence[Tuple[str, float]], per_frame: bool = False,
             times=None, mask=None, mode: str = "offset", dynamics_kwargs: Optional[Dict[str, Any]] = None,
             latents: Optional[torch.Tensor] = None, progress: bool = True) -> EditResult:
    from .propagation import edit_first_and_propagate

    frames = check_clip(frames)
    for name, strength in edits:
        host.edit(torch.zeros(1, *host.latent_shape), name, strength)  # validates name and range up front
    seconds: Dict[str, float] = {}
    if latents is None:
        t0 = time.perf_counter()
        # hosts written before ``progress`` joined the interface still work
        takes_progress = "progress" in inspect.signature(host.invert).parameters
        latents = host.invert(frames, progress=progress) if takes_progress else host.invert(frames)
        seconds["invert"] = time.perf_counter() - t0

    def edit_fn(z: torch.Tensor) -> torch.Tensor:
        for name, strength in edits:
            z = host.edit(z, name, strength)
        return z

    model = None
    if per_frame:
        t0 = time.perf_counter()
        edited = edit_fn(latents)
        seconds["edit"] = time.perf_counter() - t0
    else:
        res = edit_first_and_propagate(latents, edit_fn, times=times, mask=mask, mode=mode, fit_kwargs=dynamics_kwargs, progress=progress)
        edited, model = res.edited, res.model
        seconds.update(res.seconds)
    t0 = time.perf_counter()
    out = host.synthesize(edited)
    seconds["synthesize"] = time.perf_counter() - t0
    return EditResult(latents, edited, out, seconds, model)


def edits_from_specs(specs: List[str]) -> List[Tuple[str, float]]:
    from .hosts import parse_edit

    if not specs:
        raise DynodeInputError("give at least one --edit NAME=STRENGTH (e.g. --edit colour=+2)")
    return [parse_edit(s) for s in specs]
