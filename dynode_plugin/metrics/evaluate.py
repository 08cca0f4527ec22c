"""Score edited videos against their sources through the metric registry.

Every metric follows one contract (:class:`dynode_plugin.metrics.base.Metric`): built with
the encoder of the kind it ``needs`` and the settings its signature names, fed pair by
pair with ``update``, finished with ``compute``. The record keeps, for every number, the
encoder (id + weights sha256), the frames used, face-detection failures and the settings,
so two numbers can be compared.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import torch

from ..errors import DynodeInputError
from .base import encoder_ref  # noqa: F401  (re-exported: older callers import it from here)
from .video_input import Video

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


def build_metrics(metric_ids: Sequence[str], encoders: Mapping[str, Any], settings: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Instantiate each metric with the encoder of the kind it needs and the settings it declares."""
    from ..plugins import get_registry

    reg = get_registry()
    out: Dict[str, Any] = {}
    for mid in metric_ids:
        cls = reg.get("metrics", mid)
        if not callable(getattr(cls, "update", None)) or not callable(getattr(cls, "compute", None)):
            raise DynodeInputError(f"metric '{mid}' does not follow the metric contract (update/compute; see `dynode_register_metrics`)")
        needs = getattr(cls, "needs", None)
        if needs and encoders.get(needs) is None:
            raise DynodeInputError(f"metric '{mid}' needs {'an' if needs[0] in 'aeiou' else 'a'} {needs} encoder")
        params = inspect.signature(cls.__init__).parameters
        kwargs = {k: v for k, v in (settings or {}).items() if k in params}
        out[mid] = cls(encoder=encoders.get(needs) if needs else None, **kwargs)
    return out


def embed_both(metrics: Mapping[str, Any], source: Video, edited: Video) -> None:
    """Embed the source and the edited video at the same time, in two threads, for every identity
    encoder that can ``fork`` (dlib): its detector releases the GIL, so a first edit's wall time
    nearly halves on two or more cores (benchmarks/metrics.py). The metrics then find both
    embeddings memoised; the values are those of embedding one video after the other."""
    import os

    if (os.cpu_count() or 1) < 2:
        return
    encoders = {}
    for m in metrics.values():
        enc = getattr(m, "encoder", None)
        if getattr(m, "needs", None) == "identity" and enc is not None:
            entry = encoders.setdefault(id(enc), [enc, False])
            entry[1] = entry[1] or getattr(m, "uses_source", True)
    from concurrent.futures import ThreadPoolExecutor

    for enc, wants_source in encoders.values():
        worker = enc.fork() if wants_source else None
        if worker is None:
            continue
        with ThreadPoolExecutor(max_workers=2) as pool:
            jobs = [pool.submit(source.embeddings, enc), pool.submit(edited.embeddings, enc, worker)]
            for job in jobs:
                job.result()  # re-raises a worker's error here


def update_all(metrics: Mapping[str, Any], source: Video, edited: Video, concurrent: bool = True) -> Dict[str, Any]:
    """Feed one pair to every metric -> {"frames": N, metric id: per-video record} (per-video metrics only).
    ``concurrent``: embed both videos at once first (:func:`embed_both`)."""
    if len(source) != len(edited):
        raise DynodeInputError(f"source has {len(source)} frames but edited has {len(edited)}; "
                               "metrics compare frame t with frame t: give clips of the same length")
    if concurrent:
        embed_both(metrics, source, edited)
    out: Dict[str, Any] = {"frames": len(source)}
    for mid, m in metrics.items():
        rec = m.update(source, edited)
        if getattr(m, "per_video", True) and rec is not None:
            out[mid] = rec
    return out


def score_pair(source: torch.Tensor, edited: torch.Tensor, metric_ids: Sequence[str], identity_encoder=None,
               on_missing: str = "skip", encoders: Optional[Mapping[str, Any]] = None,
               settings: Optional[Mapping[str, Any]] = None, cache=None, concurrent: bool = True) -> Dict[str, Any]:
    """Every metric of one source/edited pair -> {"frames": N, metric id: {"value": ..., details}}.

    ``encoders`` maps a kind ("identity", "video", "regressor") to an encoder;
    ``identity_encoder`` is a shortcut for the identity one. Set-level metrics (FVD) are
    computed over this one pair's clips.
    """
    encs = {"identity": identity_encoder, **(encoders or {})}
    metrics = build_metrics(metric_ids, encs, {"on_missing_face": on_missing, **(settings or {})})
    out = update_all(metrics, Video(source, "source", "source", cache), Video(edited, "edited", "edited"), concurrent)
    for mid, m in metrics.items():
        if not getattr(m, "per_video", True):
            out[mid] = m.compute()
    return out


def values_of(scores: Mapping[str, Any]) -> Dict[str, Any]:
    """The values of a :func:`score_pair` result, keyed with underscores: {"tl_id": 0.99, "flicker": 0.01, ...}."""
    return {k.replace("-", "_"): v["value"] for k, v in scores.items() if isinstance(v, dict) and "value" in v}


def evaluate(pairs: Sequence[Pair], metric_ids: Sequence[str], encoders: Mapping[str, Any], settings: Optional[Mapping[str, Any]] = None,
             progress: bool = True, cache=None) -> Dict[str, Any]:
    """Read each pair once, feed every metric, then compute each dataset score.

    ``progress``: a bar over the set (more than one pair) and one per video and encoder.
    ``cache``: an :class:`~dynode_plugin.metrics.embedding_cache.EmbeddingCache` for the
    sources' embeddings, or None.
    """
    from tqdm import tqdm

    from ..video import read_frames

    metrics = build_metrics(metric_ids, encoders, settings)
    per_video: Dict[str, Dict[str, Any]] = {}
    for name, sp, ep in tqdm(pairs, desc="videos", unit="video", disable=not progress or len(pairs) < 2):
        (s, _), (e, _) = read_frames(sp, keep_uint8=True), read_frames(ep, keep_uint8=True)  # uint8: see Video
        try:
            scores = update_all(metrics, Video(s, name, "source", cache, progress), Video(e, name, "edited", None, progress))
        except DynodeInputError as exc:
            if len(pairs) == 1:
                raise
            raise DynodeInputError(f"video '{name}': {exc}") from None
        if any(getattr(m, "per_video", True) for m in metrics.values()):
            per_video[name] = {"source": str(sp), "edited": str(ep), **scores}
    summary = {mid: m.compute() for mid, m in metrics.items()}
    used = {id(e): e for e in encoders.values() if e is not None}
    return {"summary": summary, "videos": per_video, "encoders": {e.id: e.describe() for e in used.values()}}
