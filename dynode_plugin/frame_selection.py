"""Which frames a host inverts: one vocabulary for every host (``--every``, ``--frames``, ``--max-gap``).

Inversion (e4e + PTI, pSp, the toy optimiser) is a host's dominant per-frame cost. With a
selection the host inverts only the chosen frames; the dynamics model is fitted on them at
their true frame times (irregular when frames are dropped) and supplies every other frame.

Frames whose face detection failed are never inverted: they are unobserved like the frames
left out on purpose, and the report lists them as filled. Options are checked before any
work (:meth:`SelectionSpec.check` needs no clip; :meth:`SelectionSpec.resolve` checks against
the clip length), so bad input gives one clear error and nothing is written.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import click

from .errors import DynodeInputError


def parse_frame_list(spec: str) -> Tuple[int, ...]:
    """``"0,5,9"`` -> ``(0, 5, 9)``: non-negative, strictly increasing frame indices."""
    items = [s.strip() for s in str(spec).split(",") if s.strip()]
    if not items:
        raise DynodeInputError(f"--frames '{spec}' lists no frames; give increasing frame indices, e.g. --frames 0,5,9")
    try:
        frames = tuple(int(s) for s in items)
    except ValueError:
        raise DynodeInputError(f"--frames '{spec}': frame indices must be whole numbers, e.g. --frames 0,5,9") from None
    if frames[0] < 0:
        raise DynodeInputError(f"--frames '{spec}': frame indices start at 0; {frames[0]} is out of range")
    for a, b in zip(frames, frames[1:]):
        if b <= a:
            raise DynodeInputError(f"--frames '{spec}' is not increasing ({a} then {b}); list each frame once, in order")
    return frames


@dataclasses.dataclass(frozen=True)
class FrameSelection:
    """The resolved choice for one clip of ``n_frames`` frames.

    ``selected``: the frames to invert (detection failures already removed); ``failed``: frames
    whose detection failed; ``times``: the true time of every frame (seconds when the frame
    rate is known, else the frame index), so the model sees irregular sampling.
    """

    n_frames: int
    selected: Tuple[int, ...]
    times: Tuple[float, ...]
    failed: Tuple[int, ...] = ()
    gaps_over_max: Tuple[Tuple[int, int], ...] = ()  # (a, b) gaps --max-gap could not close (failed frames)

    @property
    def dense(self) -> bool:
        return len(self.selected) == self.n_frames

    @property
    def unobserved(self) -> Tuple[int, ...]:
        """Frames whose latent comes from the model (left out or failed)."""
        chosen = set(self.selected)
        return tuple(i for i in range(self.n_frames) if i not in chosen)

    def mask(self):
        """Observed mask ``[N]`` (torch.bool): True at the inverted frames."""
        import torch

        m = torch.zeros(self.n_frames, dtype=torch.bool)
        m[list(self.selected)] = True
        return m

    def times_tensor(self):
        import torch

        return torch.tensor(self.times, dtype=torch.float64)

    def scatter(self, selected_latents):
        """Latents of the selected frames ``[n_sel, *shape]`` -> ``[N, *shape]`` (zeros at unobserved
        frames, which the fit ignores through :meth:`mask`)."""
        import torch

        if len(selected_latents) != len(self.selected):
            raise DynodeInputError(f"got {len(selected_latents)} latents for {len(self.selected)} selected frames")
        full = torch.zeros(self.n_frames, *selected_latents.shape[1:], dtype=selected_latents.dtype)
        full[list(self.selected)] = selected_latents
        return full

    def fill(self, values):
        """Per-frame values ``[N, ...]`` (quads ``[N, 4, 2]``, crops, latents) with the unobserved rows
        replaced by piecewise-linear interpolation in time between observed neighbours (held
        constant beyond the first/last observed frame). Numpy in, numpy out; torch in, torch out."""
        if len(values) != self.n_frames:
            raise DynodeInputError(f"got {len(values)} per-frame values for a clip of {self.n_frames} frames")
        if self.dense:
            return values
        import numpy as np

        is_numpy = not hasattr(values, "clone")
        v = np.asarray(values) if is_numpy else values
        obs, unobs, t = list(self.selected), list(self.unobserved), self.times_tensor()
        out = v.copy() if is_numpy else v.clone()
        out[unobs] = interp_values(v[obs], t[obs], t[unobs])
        return out

    def report(self) -> Dict[str, object]:
        """What was inverted and what the model filled, for report.json files."""
        return {"frames": self.n_frames, "inverted": list(self.selected), "inverted_count": len(self.selected),
                "filled": list(self.unobserved), "detection_failed": list(self.failed),
                "gaps_over_max": [list(g) for g in self.gaps_over_max]}

    def summary(self) -> str:
        text = f"inverted {len(self.selected)} of {self.n_frames} frames"
        if self.failed:
            text += f"; detection failed on frame(s) {_ranges(self.failed)}"
        if not self.dense:
            text += f"; filled by the model: {_ranges(self.unobserved)}"
        return text


@dataclasses.dataclass(frozen=True)
class SelectionSpec:
    """What the user asked for; :meth:`resolve` turns it into a :class:`FrameSelection` for a clip."""

    every: Optional[int] = None
    frames: Optional[Tuple[int, ...]] = None
    max_gap: Optional[int] = None

    @classmethod
    def from_options(cls, every=None, frames=None, max_gap=None) -> "SelectionSpec":
        spec = cls(every, parse_frame_list(frames) if isinstance(frames, str) else (tuple(frames) if frames else None), max_gap)
        return spec.check()

    @property
    def dense(self) -> bool:
        """True when every frame is inverted (no option given, or --every 1)."""
        return self.frames is None and self.max_gap is None and (self.every is None or self.every == 1)

    def check(self) -> "SelectionSpec":
        """Checks that need no clip: K >= 1, G >= 1, one of --every/--frames, a valid list."""
        if self.every is not None and self.every < 1:
            raise DynodeInputError(f"--every {self.every}: K must be at least 1 (1 inverts every frame, 4 inverts 1 frame in 4)")
        if self.max_gap is not None and self.max_gap < 1:
            raise DynodeInputError(f"--max-gap {self.max_gap}: the largest gap between inverted frames must be at least 1")
        if self.every is not None and self.frames is not None:
            raise DynodeInputError("give either --every K or --frames LIST, not both (add --max-gap G to bound the gaps of a list)")
        if self.frames is not None:
            parse_frame_list(",".join(str(i) for i in self.frames))
            if len(self.frames) < 2:
                raise DynodeInputError(f"--frames lists {len(self.frames)} frame; a trajectory needs at least 2 inverted frames")
        return self

    def resolve(self, n_frames: int, failed: Iterable[int] = (), fps: Optional[float] = None,
                times: Optional[Sequence[float]] = None) -> FrameSelection:
        """The frames to invert in a clip of ``n_frames`` whose detection failed on ``failed``.

        ``--every K``: frames 0, K, 2K, ... and the last frame; ``--frames``: exactly those;
        neither: every frame (or, with only ``--max-gap``, the first and last frame). ``--max-gap G``
        then adds detected frames until no two inverted frames are more than G apart.
        Raises :class:`DynodeInputError` when K exceeds the clip, the list leaves the clip, or
        fewer than 2 frames remain to invert.
        """
        self.check()
        failed = tuple(sorted(set(int(i) for i in failed)))
        if self.every is not None and self.every > n_frames:
            raise DynodeInputError(f"--every {self.every} is larger than the clip ({n_frames} frames); use K between 1 and {n_frames}")
        if self.frames is not None and self.frames[-1] >= n_frames:
            raise DynodeInputError(f"--frames lists frame {self.frames[-1]} but the clip has {n_frames} frames (0..{n_frames - 1})")
        if failed and (failed[0] < 0 or failed[-1] >= n_frames):
            raise DynodeInputError(f"detection failures name frame(s) outside the clip of {n_frames} frames: {list(failed)}")
        if self.frames is not None:
            base = list(self.frames)
        elif self.every is not None:
            base = sorted(set(range(0, n_frames, self.every)) | {n_frames - 1})
        elif self.max_gap is not None:
            base = sorted({0, n_frames - 1})
        else:
            base = list(range(n_frames))
        bad = set(failed)
        chosen = [i for i in base if i not in bad]
        usable = [i for i in range(n_frames) if i not in bad]
        if self.frames is None and usable:  # the ends are always inverted: the nearest detected frame stands in
            chosen = sorted(set(chosen) | {usable[0], usable[-1]})
        gaps: Tuple[Tuple[int, int], ...] = ()
        if self.max_gap is not None:
            chosen, gaps = _bound_gaps(chosen, self.max_gap, n_frames, bad)
        if len(chosen) < 2:
            why = f" after detection failed on frame(s) {_ranges(failed)}" if failed else ""
            raise DynodeInputError(f"only {len(chosen)} frame(s) left to invert of {n_frames}{why}; a trajectory needs at least 2 "
                                   f"(use a smaller --every, list more --frames, or check the clip)")
        return FrameSelection(n_frames, tuple(chosen), frame_times(n_frames, fps, times), failed, gaps)


def frame_times(n_frames: int, fps: Optional[float] = None, times: Optional[Sequence[float]] = None) -> Tuple[float, ...]:
    """True frame times: ``times`` as given, else ``index / fps`` (seconds), else the frame index."""
    if times is not None:
        if len(times) != n_frames:
            raise DynodeInputError(f"got {len(times)} frame times for {n_frames} frames; give one time per frame")
        return tuple(float(t) for t in times)
    scale = 1.0 / fps if fps else 1.0
    return tuple(i * scale for i in range(n_frames))


def _bound_gaps(chosen: List[int], max_gap: int, n_frames: int, bad: set) -> Tuple[List[int], Tuple[Tuple[int, int], ...]]:
    """Add usable frames (not in ``bad``) so consecutive chosen frames are at most ``max_gap`` apart;
    each step adds the farthest usable frame within reach (fewest extra inversions)."""
    if not chosen:
        return chosen, ()
    usable = [i for i in range(n_frames) if i not in bad]
    out, gaps = [chosen[0]], []
    for b in chosen[1:]:
        while b - out[-1] > max_gap:
            a = out[-1]
            reach = [i for i in usable if a < i <= a + max_gap]
            if not reach:  # failed frames leave a longer gap: record it, go on from the next usable frame
                nxt = min(i for i in usable if i > a)
                gaps.append((a, nxt))
                if nxt >= b:
                    break
                out.append(nxt)
                continue
            out.append(reach[-1])
        out.append(b)
    return sorted(set(out)), tuple(gaps)


def _ranges(frames: Sequence[int]) -> str:
    """``[5, 6, 7, 12]`` -> ``"5-7, 12"`` (short lists in messages)."""
    parts, run = [], []
    for i in frames:
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [i]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(parts)


def _check_callback(ctx: click.Context, param: click.Parameter, value):
    """Validate each option as click parses it, so bad input stops before any work."""
    if value is None:
        return None
    if param.name == "frames":
        return parse_frame_list(value)
    SelectionSpec(**{param.name: value}).check()
    return value


_OPTIONS = [
    click.option("--every", type=int, default=None, callback=_check_callback,
                 help="Invert 1 frame in K (frame 0 and the last frame always); the model supplies the rest."),
    click.option("--frames", type=str, default=None, callback=_check_callback,
                 help="Invert exactly these frames: increasing indices, e.g. 0,5,9."),
    click.option("--max-gap", type=int, default=None, callback=_check_callback,
                 help="Add frames so no two inverted frames are more than G apart (with --every/--frames, or alone)."),
]


def selection_options(fn):
    """Add --every/--frames/--max-gap (kwargs every, frames, max_gap; build the spec with
    :meth:`SelectionSpec.from_options`)."""
    for opt in reversed(_OPTIONS):
        fn = opt(fn)
    return fn


def fill_latents(selected_latents, sel: "FrameSelection", model_id: str = "ode", settings=None, progress: bool = True):
    """Latents of the selected frames ``[n_sel, *shape]`` -> ``(latents of every frame, model, fit seconds)``:
    the dynamics model fitted on them at their true times supplies the unobserved rows (no fit, and
    model None, when every frame was inverted). What every host's sparse inversion ends with."""
    from .dynamics.settings import fit_or_load

    full = sel.scatter(selected_latents.detach().to("cpu"))
    if sel.dense:
        return full, None, 0.0
    mask, times = sel.mask(), sel.times_tensor()
    model, _, seconds = fit_or_load(full.float(), model_id, settings or {}, times=times, mask=mask, progress=progress)
    full[~mask] = model.predict(times[~mask]).to(full.dtype)
    return full, model, seconds


def interp_values(values, t_known, t_query):
    """Rows ``values [n, ...]`` known at sorted times ``t_known [n]`` -> ``[len(t_query), ...]``,
    piecewise-linear in time (held constant beyond the ends). Numpy in, numpy out; torch in, torch out.
    How per-frame data that is not a latent (STIT's crop quads) is filled and upsampled."""
    import numpy as np
    import torch

    from .dynamics.base import interp_rows

    is_numpy = not isinstance(values, torch.Tensor)
    v = torch.as_tensor(np.asarray(values) if is_numpy else values)
    flat = v.reshape(len(v), -1).to(torch.float64)
    tk, tq = (torch.as_tensor(t, dtype=torch.float64) for t in (t_known, t_query))
    out = interp_rows(tq, tk, flat).reshape(len(tq), *v.shape[1:]).to(v.dtype)
    return out.numpy() if is_numpy else out


def upsample_rows(values, times, factor: int):
    """Per-frame rows ``[N, ...]`` at ``factor`` times the frames (``(N - 1) * factor + 1`` rows, the
    originals at every ``factor``-th), linear in time in between: a crop quad per output frame."""
    import torch

    n = len(values)
    t = torch.linspace(0.0, 1.0, n, dtype=torch.float64) if times is None else torch.as_tensor(times, dtype=torch.float64)
    return interp_values(values, t, upsampled_times(t, n, factor))


def check_fps_factor(fps_factor: int) -> int:
    if not isinstance(fps_factor, int) or fps_factor < 1:
        raise DynodeInputError(f"--fps-factor {fps_factor}: give a whole number >= 1 (2 renders twice the frames)")
    return fps_factor


def check_per_frame(per_frame: bool, spec: SelectionSpec, fps_factor: int = 1) -> None:
    """The classic per-frame edit needs every frame inverted and renders the frames it has."""
    if per_frame and (not spec.dense or fps_factor > 1):
        raise DynodeInputError("--per-frame edits every inverted frame as it is; it takes neither --every/--frames/--max-gap nor --fps-factor")


def upsampled_times(times, n_frames: int, factor: int):
    """``factor`` times the frames over the same span: (N - 1) * factor + 1 times, the original frames
    at every ``factor``-th one (times ``None`` means frame indices mapped to [0, 1])."""
    import torch

    t = torch.linspace(0.0, 1.0, n_frames, dtype=torch.float64) if times is None else torch.as_tensor(times, dtype=torch.float64)
    steps = torch.arange(factor, dtype=torch.float64) / factor
    inner = (t[:-1, None] + steps[None] * torch.diff(t)[:, None]).reshape(-1)
    return torch.cat([inner, t[-1:]])


def _check_fps_factor(ctx: click.Context, param: click.Parameter, value):
    return check_fps_factor(value)


fps_factor_option = click.option(
    "--fps-factor", type=click.IntRange(max=64), default=1, show_default=True, callback=_check_fps_factor,  # bounds the frames rendered
    help="Render F times the frames from the same trajectory (slow motion / higher frame rate).")


__all__ = ["FrameSelection", "SelectionSpec", "frame_times", "parse_frame_list", "selection_options", "fps_factor_option"]
