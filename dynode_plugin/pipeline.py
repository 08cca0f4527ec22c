"""The one edit flow, for every host: read -> fit or load -> edit frame 0 -> propagate -> write.

``run(host, source, edits, out)`` is what ``dynode edit --host ID`` (and its aliases
``dynode lt manipulate``, ``dynode tcsve edit``) calls; step by step:

1. ``host.check(edits)``: bad edit names and host code that cannot import fail here, before any work;
2. ``host.read(source, select)`` -> :class:`~dynode_plugin.hosts.Clip` (latents, times, observed mask);
3. :func:`edit_clip`: :func:`~dynode_plugin.propagation.edit_first_and_propagate` (fit or load the
   dynamics model, the host's edit on frame 0 only, propagation), or the host's edit on every frame
   with ``per_frame``;
4. ``host.write(result, out)``: the host's own output format.

``run_edit(host, frames, edits)`` is the in-memory form for hosts that invert and render (the toy world).
With a selection (``--every``/``--frames``/``--max-gap``) only the selected frames that the host's
detector accepts are inverted; the dynamics model supplies the others, and ``fps_factor`` renders
F times the frames from the same trajectory.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .lazy import torch  # imported on first use (a bad command line answers before torch loads)

from .errors import DynodeInputError
from .hosts import Clip, Host, check_frames, invert_selected


@dataclasses.dataclass
class DynamicsChoice:
    """Which dynamics model, how it is fitted and how the edit is carried (the dynamics options of a command)."""

    model_id: str = "ode"
    settings: Dict[str, Any] = dataclasses.field(default_factory=dict)  # the user's values (dynamics.settings.given)
    mode: str = "offset"
    model_path: Any = None  # a .dynode file reused when it matches, written after fitting otherwise
    refit: bool = False
    replace: bool = True  # an existing model_path that is not reused may be replaced (the command line's --force)


@dataclasses.dataclass
class EditResult:
    """The outcome of one edit, for every host and both methods."""

    clip: Clip
    edits: List[Tuple[str, float]]
    edited: torch.Tensor  # [N, *shape] edited latents
    method: str  # "per-frame" or "dynode-<model id>"
    seconds: Dict[str, float]
    model: Any = None  # the fitted dynamics model (reusable for other edits)
    fitted: Optional[bool] = None  # False when a saved model was reused
    frames: Optional[torch.Tensor] = None  # rendered edited frames, when the host renders in memory
    mode: Optional[str] = None
    frame_seconds: List[float] = dataclasses.field(default_factory=list)  # per-frame timings of the original step
    fps_factor: int = 1  # edited holds (N - 1) * fps_factor + 1 rows

    @property
    def selection(self):
        """The resolved :class:`~dynode_plugin.frame_selection.FrameSelection` (hosts that invert), else None."""
        return self.clip.extras.get("selection")

    @property
    def source(self) -> torch.Tensor:
        return self.clip.latents

    # names kept for code written against the toy pipeline
    source_latents = source

    @property
    def edited_latents(self) -> torch.Tensor:
        return self.edited

    @property
    def edited_frames(self) -> Optional[torch.Tensor]:
        return self.frames

    def report(self) -> Dict[str, Any]:
        from dynode_plugin.consistency import delta_consistency

        out = {"method": self.method, "edits": [list(e) for e in self.edits], "frames": len(self.clip),
               "filled_frames": self.clip.filled, "seconds": dict(self.clip.seconds, **self.seconds),
               "consistency": delta_consistency(self.clip.latents, self.edited[:: self.fps_factor])}
        if self.fitted is not None:
            out.update(model=self.method[len("dynode-"):], mode=self.mode, refitted=self.fitted)
        if self.selection is not None:
            out["selection"] = self.selection.report()
        if self.fps_factor != 1:
            out.update(fps_factor=self.fps_factor, rendered_frames=len(self.edited))
        return out


def edit_clip(host: Host, clip: Clip, edits: Sequence[Tuple[str, float]], *, per_frame: bool = False,
              dynamics: Optional[DynamicsChoice] = None, fps_factor: int = 1, progress: bool = True) -> EditResult:
    """Edit a clip the host read: frame 0 + propagation (DynODE), or every frame (``per_frame``).

    Unobserved frames of the source latents are filled by the fitted model (so the saved source is
    complete); ``fps_factor`` F evaluates the trajectory at F times the frames."""
    from .frame_selection import check_fps_factor, upsampled_times
    from .propagation import edit_first_and_propagate

    edits = list(edits)
    check_fps_factor(fps_factor)
    if per_frame:
        if not bool(clip.observed.all()):
            raise DynodeInputError(f"per-frame editing needs a latent for every frame; frames {clip.filled[:10]} are "
                                   "missing (only DynODE can fill them)")
        t0 = time.perf_counter()
        edited = host.edit_many(clip.latents, edits)
        secs = time.perf_counter() - t0
        return EditResult(clip, edits, edited, "per-frame", {"edit": secs, "edit_step": secs})
    if len(clip) < 2:
        raise DynodeInputError(f"{clip.source or 'the clip'} holds one frame; DynODE needs at least 2 (or use --per-frame)")
    d = dynamics or DynamicsChoice()
    settings = d.settings
    if settings.get("smooth") and not {"hidden", "window"} & set(settings):  # the host's smoothing fit, unless the user chose one
        settings = {**host.smooth_fit(), **settings}
    t0 = time.perf_counter()
    times_out = None if fps_factor == 1 else upsampled_times(clip.times, len(clip), fps_factor)
    res = edit_first_and_propagate(clip.latents, lambda z0: host.edit_many(z0, edits), times=clip.times, mask=clip.mask,
                                   model_path=d.model_path, mode=d.mode, model_id=d.model_id, settings=settings,
                                   refit=d.refit, times_out=times_out, progress=progress, extra_loss=host.fit_loss(clip),
                                   replace=d.replace, unobserved_loss=host.unobserved_loss(clip))
    if not bool(clip.observed.all()):  # the model fills the source latents too
        clip.latents = clip.latents.clone()
        clip.latents[~res.model.mask] = res.model.predict(res.model.times[~res.model.mask]).to(clip.latents.dtype)
    # finish sees the source at the output times: with --fps-factor, the trajectory between the frames
    edited = host.finish(clip if fps_factor == 1 else upsampled_source(clip, res.model, times_out, fps_factor), res.edited)
    seconds = dict(res.seconds, edit_step=time.perf_counter() - t0)
    return EditResult(clip, edits, edited, f"dynode-{d.model_id}", seconds, model=res.model, fitted=res.fitted, mode=d.mode,
                      fps_factor=fps_factor)


def upsampled_source(clip: Clip, model, times_out: torch.Tensor, factor: int) -> Clip:
    """The source at ``factor`` times the frames: the clip's own latents at its frames (every
    ``factor``-th row), the fitted trajectory in between. Host extras come along unchanged."""
    z = model.predict(times_out).to(clip.latents.dtype)
    z[torch.arange(len(clip)) * factor] = clip.latents
    return Clip(z, times=times_out, fps=clip.fps * factor if clip.fps else None, source=clip.source, extras=clip.extras)


def run(host: Host, source, edits: Sequence[Tuple[str, float]], out, *, select=None, per_frame: bool = False,
        dynamics: Optional[DynamicsChoice] = None, fps_factor: int = 1, force: bool = False,
        progress: bool = True) -> Tuple[EditResult, List[str]]:
    """The whole flow for one clip; returns the result and the files the host wrote.
    ``select``: a :class:`~dynode_plugin.frame_selection.SelectionSpec` (which frames the host inverts)."""
    from .outputs import refuse_inputs

    refuse_inputs(out, [source])  # every host and alias: an input is never replaced, --force or not
    host.check_output(out, force)  # what the last step would refuse, refused before the work
    host.check(edits)  # bad edits and host code that cannot import fail before any fit
    clip = host.read(source, select=select, progress=progress)
    result = edit_clip(host, clip, edits, per_frame=per_frame, dynamics=dynamics, fps_factor=fps_factor, progress=progress)
    return result, host.write(result, out, force=force, progress=progress)


def run_edit(host: Host, frames: torch.Tensor, edits: Sequence[Tuple[str, float]], per_frame: bool = False,
             times=None, mask=None, mode: str = "offset", dynamics_kwargs: Optional[Mapping[str, Any]] = None,
             latents: Optional[torch.Tensor] = None, progress: bool = True, selection=None, fps_factor: int = 1,
             model_id: str = "ode") -> EditResult:
    """In memory, for hosts that invert and render: frames -> (invert the selected) -> edit -> propagate -> rendered frames.

    latents: already inverted codes of ``frames`` (skips the inversion); dynamics_kwargs: dynamics settings;
    selection: a :class:`~dynode_plugin.frame_selection.SelectionSpec`.
    """
    frames = check_frames(frames)
    if len(frames) < 2:
        raise DynodeInputError(f"the clip has {len(frames)} frame(s); a trajectory needs at least 2")
    host.check(edits)
    if latents is None:
        clip = invert_selected(host, frames, selection, times=times, progress=progress)
        if mask is not None:
            clip.mask = clip.mask & torch.as_tensor(mask, dtype=torch.bool)
        if per_frame and not bool(clip.observed.all()):
            raise DynodeInputError(f"per-frame editing needs every frame inverted; {clip.extras['selection'].summary()} "
                                   "(drop --per-frame, or --every/--frames)")
    else:
        clip = Clip(latents, times=times, mask=mask, frames=frames)
    dynamics = DynamicsChoice(model_id=model_id, settings=dict(dynamics_kwargs or {}), mode=mode)
    result = edit_clip(host, clip, edits, per_frame=per_frame, dynamics=dynamics, fps_factor=fps_factor, progress=progress)
    t0 = time.perf_counter()
    result.frames = host.synthesize(result.edited)
    result.seconds["synthesize"] = time.perf_counter() - t0
    result.seconds = dict(clip.seconds, **result.seconds)
    return result


def edits_from_specs(specs: List[str], host: Optional[Host] = None) -> List[Tuple[str, float]]:
    """``NAME=STRENGTH`` specs -> edits; a bare ``NAME`` takes the host's default strength (1 without a host)."""
    from .hosts import parse_edit

    if not specs:
        raise DynodeInputError("give at least one --edit NAME=STRENGTH (e.g. --edit colour=+2)")
    edits = [parse_edit(s, default=None) for s in specs]
    return [(n, (host.default_strength(n) if host is not None else 1.0) if v is None else v) for n, v in edits]
