"""Score edited videos against their sources: per-video metrics, dataset means, FVD over sets.

The record keeps, for every number, the encoder (id + weights sha256), the frames used,
face-detection failures and the settings, so two numbers can be compared.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from ..errors import DynodeInputError
from .frechet import RunningStats, frechet_from_stats

Pair = Tuple[str, Path, Path]  # (name, source path, edited path)


def pairs_from_sets(src_dir: Path, edt_dir: Path) -> List[Pair]:
    """Match the videos (files or frame folders) of two folders by name (stem)."""
    def items(d: Path) -> Dict[str, Path]:
        if not d.is_dir():
            raise DynodeInputError(f"--source-set/--edited-set must be folders of videos or frame folders; {d} is not a folder")
        out: Dict[str, Path] = {}
        for p in sorted(d.iterdir()):
            if p.name.startswith(".") or (p.is_file() and p.suffix.lower() in {".json", ".txt", ".md"}):
                continue
            if p.stem in out:
                raise DynodeInputError(f"two entries named '{p.stem}' in {d} ({out[p.stem].name}, {p.name}); names must be unique")
            out[p.stem] = p
        return out

    src, edt = items(src_dir), items(edt_dir)
    only = sorted(set(src) ^ set(edt))
    if not set(src) & set(edt):
        raise DynodeInputError(f"no videos with matching names in {src_dir} and {edt_dir}")
    if only:
        raise DynodeInputError(f"videos present in only one of the sets: {only[:10]}; each source needs its edited video of the same name")
    return [(k, src[k], edt[k]) for k in sorted(src)]


def encoder_ref(encoder) -> Dict[str, Any]:
    return {"id": encoder.id, "weights_sha256": encoder.weights_sha256()}


def score_pair(source: torch.Tensor, edited: torch.Tensor, metric_ids: Sequence[str], identity_encoder=None,
               on_missing: str = "skip") -> Dict[str, Any]:
    """Every per-video metric of one source/edited pair -> {metric id: {"value": ..., details}}."""
    from ..plugins import get_registry

    if source.shape[0] != edited.shape[0]:
        raise DynodeInputError(f"source has {source.shape[0]} frames but edited has {edited.shape[0]}; "
                               "metrics compare frame t with frame t: give clips of the same length")
    reg = get_registry()
    out: Dict[str, Any] = {"frames": int(source.shape[0])}
    emb: Dict[str, Any] = {}

    def embedded(which: str):  # source embeddings are computed only if a metric needs them
        if which not in emb:
            emb[which] = identity_encoder.embed(source if which == "source" else edited)
        return emb[which]

    for mid in metric_ids:
        m = reg.get("metrics", mid)()
        if m.needs == "identity":
            if identity_encoder is None:
                raise DynodeInputError(f"metric '{mid}' needs an identity encoder")
            src = embedded("source") if getattr(m, "uses_source", True) else None
            res = m.compute(src, embedded("edited"), on_missing=on_missing)
            out[mid] = {**res, "frames": out["frames"], "encoder": encoder_ref(identity_encoder)}
        elif m.needs == "frames":
            out[mid] = {**m.compute(source, edited), "frames": out["frames"]}
        else:
            raise DynodeInputError(f"metric '{mid}' is computed over sets of clips, not per video")
    return out


def video_clips(frames: torch.Tensor, clip_len: int = 16, stride: int = 16, max_clips: int = 0) -> Tuple[torch.Tensor, List[int]]:
    """Consecutive ``clip_len``-frame clips starting every ``stride`` frames -> ([B,T,3,H,W], start frames)."""
    starts = list(range(0, len(frames) - clip_len + 1, stride))
    if max_clips:
        starts = starts[:max_clips]
    if not starts:
        return frames[:0].unsqueeze(1), []
    return torch.stack([frames[s:s + clip_len] for s in starts]), starts


class FVDAccumulator:
    """Running I3D statistics of the clips of two sets; videos are added one at a time.

    Only sums are kept (``RunningStats``), so the sets may be larger than memory. Videos
    shorter than ``clip_len`` frames contribute nothing and are listed.
    """

    def __init__(self, encoder, clip_len: int = 16, stride: int = 16, max_clips: int = 0):
        self.encoder, self.clip_len, self.stride, self.max_clips = encoder, clip_len, stride, max_clips
        self.stats: Dict[str, Optional[RunningStats]] = {"source": None, "edited": None}
        self.starts: Dict[str, Dict[str, List[int]]] = {"source": {}, "edited": {}}
        self.too_short: List[str] = []

    def add(self, which: str, name: str, frames: torch.Tensor) -> None:
        batch, starts = video_clips(frames, self.clip_len, self.stride, self.max_clips)
        if not starts:
            self.too_short.append(f"{which}/{name}")
            return
        feats = self.encoder.embed_clips(batch)
        if self.stats[which] is None:
            self.stats[which] = RunningStats(feats.shape[1])
        self.stats[which].update(feats.numpy())
        self.starts[which][name] = starts

    def result(self) -> Dict[str, Any]:
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


def fvd_over_pairs(pairs: Sequence[Pair], encoder, clip_len: int = 16, stride: int = 16, max_clips: int = 0,
                   progress: bool = True) -> Dict[str, Any]:
    """FVD between the clips of every source video and those of every edited video."""
    from tqdm import tqdm

    from ..video import read_frames

    acc = FVDAccumulator(encoder, clip_len, stride, max_clips)
    for name, sp, ep in tqdm(pairs, desc="FVD (I3D)", unit="video", disable=not progress):
        acc.add("source", name, read_frames(sp)[0])
        acc.add("edited", name, read_frames(ep)[0])
    return acc.result()


def summarise(per_video: Dict[str, Dict[str, Any]], metric_ids: Sequence[str]) -> Dict[str, Any]:
    """Dataset scores: the mean over videos of each per-video value (videos without a value listed)."""
    out: Dict[str, Any] = {}
    for mid in metric_ids:
        vals = {name: v[mid]["value"] for name, v in per_video.items() if mid in v}
        good = [x for x in vals.values() if x is not None]
        out[mid] = {"value": sum(good) / len(good) if good else None, "videos": len(good),
                    "videos_without_value": sorted(k for k, x in vals.items() if x is None)}
    return out


def evaluate(pairs: Sequence[Pair], metric_ids: Sequence[str], identity_encoder=None, video_encoder=None,
             on_missing: str = "skip", fvd_options: Optional[Dict[str, Any]] = None, progress: bool = True) -> Dict[str, Any]:
    """Read each pair once: score the per-video metrics and feed FVD's running statistics."""
    from tqdm import tqdm

    from ..video import read_frames

    per_video_ids = [m for m in metric_ids if m != "fvd"]
    fvd = FVDAccumulator(video_encoder, **(fvd_options or {})) if "fvd" in metric_ids else None
    if identity_encoder is not None and hasattr(identity_encoder, "progress"):
        identity_encoder.progress = None if progress else False  # per-frame bars only when not --quiet
    per_video: Dict[str, Dict[str, Any]] = {}
    for name, sp, ep in tqdm(pairs, desc="videos", unit="video", disable=not progress or len(pairs) < 2):
        (s, _), (e, _) = read_frames(sp), read_frames(ep)
        if per_video_ids:
            try:
                scores = score_pair(s, e, per_video_ids, identity_encoder, on_missing)
            except DynodeInputError as exc:
                if len(pairs) == 1:
                    raise
                raise DynodeInputError(f"video '{name}': {exc}") from None
            per_video[name] = {"source": str(sp), "edited": str(ep), **scores}
        if fvd is not None:
            fvd.add("source", name, s)
            fvd.add("edited", name, e)
    summary = summarise(per_video, per_video_ids)
    if fvd is not None:
        summary["fvd"] = fvd.result()
    encoders = {e.id: e.describe() for e in (identity_encoder, video_encoder) if e is not None}
    return {"summary": {m: summary[m] for m in metric_ids}, "videos": per_video, "encoders": encoders}
