"""The host-agnostic edit pipeline: invert -> fit -> edit frame 0 -> propagate -> synthesize.

``run_edit(host, frames, edits)`` does it with any registered host; ``per_frame=True`` is the
classic way (every frame edited) kept for comparison. Timings of every stage are returned.
With a ``selection`` (``--every``/``--frames``/``--max-gap``) only the selected frames that the
host's detector accepts are inverted; the dynamics model supplies the others, and
``fps_factor`` renders F times the frames from the same trajectory.
"""
from __future__ import annotations

import dataclasses
import inspect
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from .errors import DynodeInputError
from .frame_selection import FrameSelection, SelectionSpec, check_fps_factor, upsampled_times
from .hosts import Host, check_frames


@dataclasses.dataclass
class EditResult:
    source_latents: torch.Tensor
    edited_latents: torch.Tensor
    edited_frames: torch.Tensor
    seconds: Dict[str, float]
    model: Any = None
    selection: Optional[FrameSelection] = None  # which frames were inverted / filled
    fps_factor: int = 1  # edited_frames holds (N - 1) * fps_factor + 1 frames


def check_clip(frames: torch.Tensor) -> torch.Tensor:
    frames = check_frames(frames)
    if len(frames) < 2:
        raise DynodeInputError(f"the clip has {len(frames)} frame(s); a trajectory needs at least 2")
    return frames


def run_edit(host: Host, frames: torch.Tensor, edits: Sequence[Tuple[str, float]], per_frame: bool = False,
             times=None, mask=None, mode: str = "offset", dynamics_kwargs: Optional[Dict[str, Any]] = None,
             latents: Optional[torch.Tensor] = None, progress: bool = True, selection: Optional[SelectionSpec] = None,
             fps_factor: int = 1, model_id: str = "ode") -> EditResult:
    from .propagation import edit_first_and_propagate

    frames = check_clip(frames)
    for name, strength in edits:
        host.edit(torch.zeros(1, *host.latent_shape), name, strength)  # validates name and range up front
    check_fps_factor(fps_factor)
    seconds: Dict[str, float] = {}
    chosen = None
    if latents is None:
        t0 = time.perf_counter()
        chosen = (selection or SelectionSpec()).resolve(len(frames), failed=host.detect(frames), times=times)
        seconds["detect"] = time.perf_counter() - t0
        if per_frame and not chosen.dense:
            raise DynodeInputError(f"per-frame editing needs every frame inverted; {chosen.summary()} "
                                   "(drop --per-frame, or --every/--frames)")
        t0 = time.perf_counter()
        picked = frames if chosen.dense else frames[list(chosen.selected)]
        # hosts written before ``progress`` joined the interface still work
        takes_progress = "progress" in inspect.signature(host.invert).parameters
        inverted = host.invert(picked, progress=progress) if takes_progress else host.invert(picked)
        latents = inverted if chosen.dense else chosen.scatter(inverted)
        seconds["invert"] = time.perf_counter() - t0
        times = chosen.times_tensor()
        mask = chosen.mask() if mask is None else chosen.mask() & torch.as_tensor(mask, dtype=torch.bool)

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
        res = edit_first_and_propagate(latents, edit_fn, times=times, mask=mask, mode=mode, model_id=model_id,
                                       fit_kwargs=dynamics_kwargs, progress=progress,
                                       times_out=None if fps_factor == 1 else upsampled_times(times, len(latents), fps_factor))
        edited, model = res.edited, res.model
        seconds.update(res.seconds)
        if mask is not None and not bool(torch.as_tensor(mask).all()):  # the model fills the source latents too
            latents = latents.clone()
            latents[~model.mask] = model.predict(model.times[~model.mask])
    t0 = time.perf_counter()
    out = host.synthesize(edited)
    seconds["synthesize"] = time.perf_counter() - t0
    return EditResult(latents, edited, out, seconds, model, chosen, fps_factor)


def edits_from_specs(specs: List[str]) -> List[Tuple[str, float]]:
    from .hosts import parse_edit

    if not specs:
        raise DynodeInputError("give at least one --edit NAME=STRENGTH (e.g. --edit colour=+2)")
    return [parse_edit(s) for s in specs]
