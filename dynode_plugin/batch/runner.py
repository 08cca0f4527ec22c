"""The per-clip task of ``dynode batch``: read, edit (host-agnostic pipeline), write, score.

Writes ``<out>/source/<id>.mp4`` and ``<out>/edited/<id>.mp4`` (so ``dynode metrics
--source-set/--edited-set`` can score the set) and returns the clip's record.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict

from ..errors import DynodeInputError
from .manifest import Clip


def _times(spec, n):
    if not spec:
        return None
    p = Path(spec)
    if p.exists():
        from ..core_commands import _parse_times

        return _parse_times(spec)
    try:
        return [float(x) for x in spec.split(";") if x.strip()]
    except ValueError:
        raise DynodeInputError(f"times '{spec}' must be ';'-separated numbers or a file") from None


def identity_scores(source, edited, encoder_id: str) -> Dict[str, float]:
    """TL-ID, TG-ID and flicker of an edited clip against its source, through the metric registry."""
    from ..metrics.evaluate import score_pair, values_of
    from ..plugins import get_registry

    s = score_pair(source, edited, ["tl-id", "tg-id", "flicker"], get_registry().get("encoders", encoder_id)())
    return {**values_of(s), "encoder": encoder_id}


def edit_clip(clip: Clip, settings: Dict[str, Any], clip_dir: Path) -> Dict[str, Any]:
    import torch

    from ..hosts import get_host
    from ..pipeline import run_edit
    from ..video import read_frames, write_video

    frames, fps = read_frames(clip.path)
    host = get_host(settings["host"])
    strength = clip.strength if clip.strength is not None else settings["strength"]
    result = run_edit(host, frames, edits=[(settings["edit"], strength)], per_frame=settings.get("per_frame", False),
                      times=_times(clip.times, len(frames)), progress=False,
                      dynamics_kwargs={"steps": settings["steps"]} if settings.get("steps") else None)
    edited = result.edited_frames
    if not torch.isfinite(edited).all():
        raise DynodeInputError("the edited frames contain NaN; check the clip's latents")
    out = clip_dir.parent.parent
    write_video(frames, out / "source" / f"{clip.id}.mp4", fps)
    write_video(edited, out / "edited" / f"{clip.id}.mp4", fps)
    record: Dict[str, Any] = {"frames": len(frames), "fps": fps, "strength": strength,
                              "stage_seconds": {k: float(v) for k, v in result.seconds.items()},
                              "source": f"source/{clip.id}.mp4", "edited": f"edited/{clip.id}.mp4"}
    encoder = settings.get("encoder")
    if encoder:
        record.update(identity_scores(frames, edited, encoder))
    for k, v in list(record.items()):
        if isinstance(v, float) and not math.isfinite(v):
            record[k] = None
    return record
