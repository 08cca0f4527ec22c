"""FVD under the metric contract: ``update`` adds each pair's clips to running statistics.

Only sums are kept (``RunningStats``), video by video, so the sets may be larger than
memory. ``compute`` fits one Gaussian per set and returns their Fréchet distance. Videos
shorter than ``clip_len`` frames contribute nothing and are listed.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..errors import DynodeInputError
from .base import Metric, encoder_ref
from .frechet import RunningStats, frechet_from_stats


def clip_starts(n_frames: int, clip_len: int = 16, stride: int = 16, max_clips: int = 0) -> List[int]:
    """First frames of consecutive ``clip_len``-frame clips starting every ``stride`` frames."""
    starts = list(range(0, n_frames - clip_len + 1, stride))
    return starts[:max_clips] if max_clips else starts


class FVD(Metric):
    id, summary, needs, per_video = "fvd", "Frechet Video Distance over sets of 16-frame clips (I3D features)", "video", False
    definition = ("Frechet distance between Gaussians fitted to I3D Kinetics-400 logits (averaged over time) of "
                  "16-frame clips (bilinear 224x224, [-1, 1]) of the source set and of the edited set")
    clip_len = 16

    def __init__(self, encoder=None, fvd_stride: int = 16, fvd_max_clips: int = 0):
        if encoder is None:
            raise DynodeInputError("metric 'fvd' needs a video encoder")
        self.stride, self.max_clips = fvd_stride, fvd_max_clips
        super().__init__(encoder)

    def reset(self) -> None:
        self.stats: Dict[str, Optional[RunningStats]] = {"source": None, "edited": None}
        self.starts: Dict[str, Dict[str, List[int]]] = {"source": {}, "edited": {}}
        self.too_short: List[str] = []

    def _add(self, video, which: str) -> None:
        starts = clip_starts(len(video), self.clip_len, self.stride, self.max_clips)
        if not starts:
            self.too_short.append(f"{which}/{video.name}")
            return
        feats = video.clip_features(self.encoder, starts, self.clip_len)
        if self.stats[which] is None:
            self.stats[which] = RunningStats(feats.shape[1])
        self.stats[which].update(feats.numpy())
        self.starts[which][video.name] = starts

    def update(self, source, edited) -> None:
        self._add(source, "source")
        self._add(edited, "edited")
        return None

    def compute(self) -> Dict[str, Any]:
        n = {k: (s.n if s is not None else 0) for k, s in self.stats.items()}
        if min(n.values()) < 2:
            raise DynodeInputError(f"FVD needs at least 2 clips of {self.clip_len} frames in each set; got {n['source']} source "
                                   f"and {n['edited']} edited clips (videos too short: {self.too_short[:10]})")
        dim = self.stats["source"].sum.shape[0]
        rec = {"value": frechet_from_stats(self.stats["source"], self.stats["edited"]), "clips": n, "clip_len": self.clip_len,
               "stride": self.stride, "max_clips_per_video": self.max_clips or None, "clip_starts": self.starts,
               "videos_too_short": self.too_short, "feature_dim": dim, "encoder": encoder_ref(self.encoder)}
        if min(n.values()) <= dim:
            rec["note"] = (f"fewer clips than feature dimensions ({dim}): the covariances are rank-deficient; "
                           "numbers are only comparable with others computed from the same clips")
        return rec
