"""The per-clip task of ``dynode batch``: read, edit (host-agnostic pipeline), write, score.

Writes ``<out>/source/<id>.mp4`` and ``<out>/edited/<id>.mp4`` (so ``dynode metrics
--source-set/--edited-set`` can score the set) and returns the clip's record.
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any, Dict

from ..errors import DynodeInputError
from .manifest import Clip


def _times(spec, n):
    """A manifest's ``times`` cell ('a;b;c' or a file), checked and loaded with weights_only."""
    if not spec:
        return None
    from ..core_commands import _parse_times

    return _parse_times(spec)


def identity_scores(source, edited, encoder_id: str) -> Dict[str, float]:
    """TL-ID, TG-ID and flicker of an edited clip against its source, through the metric registry."""
    from ..metrics.evaluate import score_pair, values_of
    from ..plugins import get_registry

    s = score_pair(source, edited, ["tl-id", "tg-id", "flicker"], get_registry().get("encoders", encoder_id)())
    return {**values_of(s), "encoder": encoder_id}


def edit_clip(clip: Clip, settings: Dict[str, Any], clip_dir: Path) -> Dict[str, Any]:
    """One clip through the one flow (``pipeline``): the host reads it, DynODE edits it, then
    frames-in hosts (toy) get source/edited videos and scores, other hosts write their own format
    under ``<out>/edited/<id>``."""
    import torch

    from ..frame_selection import SelectionSpec
    from ..hosts import get_host
    from ..pipeline import DynamicsChoice, edit_clip as edit_one

    host = get_host(settings["host"], **settings.get("host_options", {}))
    strength = clip.strength if clip.strength is not None else settings["strength"]
    edits = [(settings["edit"], strength)]
    host.check(edits)
    read = host.read(clip.path, select=SelectionSpec(**settings.get("selection", {})), progress=False)
    if clip.times:
        read.times = torch.as_tensor(_times(clip.times, len(read)), dtype=torch.float64).reshape(-1)
    factor = settings.get("fps_factor", 1)
    dynamics = DynamicsChoice(model_id=settings.get("model", "ode"), settings=dict(settings.get("dynamics") or {}),
                              mode=settings.get("mode", "offset"))
    result = edit_one(host, read, edits, per_frame=settings.get("per_frame", False), dynamics=dynamics, fps_factor=factor,
                      progress=False)
    out = clip_dir.parent.parent
    record: Dict[str, Any] = {"frames": len(read), "strength": strength, "method": result.method,
                              "stage_seconds": {k: float(v) for k, v in {**read.seconds, **result.seconds}.items()}}
    if result.selection is not None:
        record["selection"] = result.selection.report()
    if read.frames is None:  # a host that reads latent files: its own output format
        files = host.write(result, out / "edited" / clip.id, force=True)
        record.update(edited=f"edited/{clip.id}", files=files)
        return record
    from ..video import write_video

    t0 = time.perf_counter()
    edited = host.synthesize(result.edited)
    record["stage_seconds"]["synthesize"] = time.perf_counter() - t0
    if not torch.isfinite(edited).all():
        raise DynodeInputError("the edited frames contain NaN; check the clip's latents")
    fps = read.fps or 25.0
    write_video(read.frames, out / "source" / f"{clip.id}.mp4", fps)
    write_video(edited, out / "edited" / f"{clip.id}.mp4", fps * factor)
    record.update(fps=fps, source=f"source/{clip.id}.mp4", edited=f"edited/{clip.id}.mp4")
    encoder = settings.get("encoder")
    if encoder:  # against the source frames (every F-th rendered frame is at a source frame's time)
        record.update(identity_scores(read.frames, edited[::factor], encoder))
    for k, v in list(record.items()):
        if isinstance(v, float) and not math.isfinite(v):
            record[k] = None
    return record
