"""Identity metrics over per-frame embeddings: TL-ID, TG-ID, ACD, identity preservation.

With s(a, b) the cosine similarity of L2-normalised embeddings, source frames x_1..x_N and
edited frames y_1..y_N (STIT's definitions, used by the DynODE paper):

* TL-ID = mean_t s(y_t, y_t+1) / s(x_t, x_t+1)         (temporally local)
* TG-ID = mean_{i != j} s(y_i, y_j) / s(x_i, x_j)       (temporally global)

Per-pair ratio first, then the mean, so values above 1 are possible. Pairs whose source
similarity is below ``min_denominator`` (default 1e-3) are skipped and counted, never
divided. Frames where the encoder found no face are excluded from every pair they are
in (``on_missing="skip"``, reported) or raise (``on_missing="error"``, what STIT does).

* ACD (MoCoGAN's Average Content Distance, the default ``acd``): mean pairwise L2
  distance between the per-frame identity features of the edited video. Lower = more
  consistent content.
* ``acd-source``: a variant, mean L2 distance between each edited frame's feature and
  its own source frame's feature (how far the edit moved the identity). DynODE reports "a
  variant of ACD" without its definition; this is our clearly named guess, not theirs.
* ``identity-preservation``: mean over t of s(y_t, x_t), each edited frame against its own
  source frame. TL-ID/TG-ID are ratios to the source video's own similarities, so they
  measure temporal consistency, not identity: a very different video scores ~1 against any
  source. This score is their usual companion.
"""
from __future__ import annotations

import dataclasses
from typing import List, Optional

import torch

from ..errors import DynodeInputError
from .base import Embeddings


@dataclasses.dataclass
class PairScore:
    value: Optional[float]
    pairs_used: int
    pairs_skipped_no_face: int
    pairs_skipped_small_denominator: int
    missing_faces_source: List[int]
    missing_faces_edited: List[int]
    frames_used: Optional[int] = None  # frames with a face (in both videos for the ratio metrics)


def _as_emb(e) -> Embeddings:
    if isinstance(e, Embeddings):
        return e
    v = torch.as_tensor(e, dtype=torch.float64)
    return Embeddings(v, torch.isfinite(v).all(dim=1))


def _normalised(e: Embeddings) -> torch.Tensor:
    v = e.vectors.to(torch.float64)
    return v / v.norm(dim=1, keepdim=True).clamp_min(1e-12)


def _check(src: Embeddings, edt: Embeddings, on_missing: str) -> None:
    if len(src.vectors) != len(edt.vectors):
        raise DynodeInputError(f"source has {len(src.vectors)} frames but edited has {len(edt.vectors)}; metrics compare frame t with frame t")
    if on_missing == "error" and (not src.found.all() or not edt.found.all()):
        raise DynodeInputError(f"no face found in source frame(s) {src.failures} and edited frame(s) {edt.failures}; "
                               "use --on-missing-face skip to leave those frames out")


def _ratio_score(src, edt, pairs, on_missing: str, min_denominator: float) -> PairScore:
    src, edt = _as_emb(src), _as_emb(edt)
    _check(src, edt, on_missing)
    xs, ys = _normalised(src), _normalised(edt)
    ok = src.found & edt.found
    ratios, no_face, small = [], 0, 0
    for i, j in pairs:
        if not (ok[i] and ok[j]):
            no_face += 1
            continue
        den = float(xs[i] @ xs[j])
        if abs(den) < min_denominator:
            small += 1
            continue
        ratios.append(float(ys[i] @ ys[j]) / den)
    value = sum(ratios) / len(ratios) if ratios else None
    return PairScore(value, len(ratios), no_face, small, src.failures, edt.failures, int(ok.sum()))


def tl_id(source, edited, on_missing: str = "skip", min_denominator: float = 1e-3) -> PairScore:
    n = len(_as_emb(source).vectors)
    return _ratio_score(source, edited, [(t, t + 1) for t in range(n - 1)], on_missing, min_denominator)


def tg_id(source, edited, on_missing: str = "skip", min_denominator: float = 1e-3) -> PairScore:
    n = len(_as_emb(source).vectors)
    # s is symmetric, so the mean over ordered pairs i != j equals the mean over i < j
    return _ratio_score(source, edited, [(i, j) for i in range(n) for j in range(i + 1, n)], on_missing, min_denominator)


def acd(edited, source=None, on_missing: str = "skip") -> PairScore:
    """MoCoGAN ACD: mean pairwise L2 distance between the edited frames' features."""
    e = _as_emb(edited)
    if on_missing == "error" and not e.found.all():
        raise DynodeInputError(f"no face found in edited frame(s) {e.failures}")
    v = e.vectors.to(torch.float64)[e.found]
    n, total = len(v), len(e.vectors) * (len(e.vectors) - 1) // 2
    if n < 2:
        return PairScore(None, 0, total, 0, [], e.failures, n)
    d = torch.cdist(v, v)
    value = float(d.sum() / (n * (n - 1)))  # mean over ordered pairs i != j (the diagonal is 0)
    return PairScore(value, n * (n - 1) // 2, total - n * (n - 1) // 2, 0, [], e.failures, n)


def _frame_by_frame(source, edited, on_missing: str, per_frame) -> PairScore:
    """Mean over the frames with a face in both videos of ``per_frame(source rows, edited rows)``."""
    src, edt = _as_emb(source), _as_emb(edited)
    _check(src, edt, on_missing)
    ok = src.found & edt.found
    if not ok.any():
        return PairScore(None, 0, int((~ok).sum()), 0, src.failures, edt.failures, 0)
    value = float(per_frame(src, edt, ok).mean())
    return PairScore(value, int(ok.sum()), int((~ok).sum()), 0, src.failures, edt.failures, int(ok.sum()))


def acd_source(edited, source, on_missing: str = "skip") -> PairScore:
    """Variant: mean L2 distance between each edited frame's feature and its source frame's."""
    return _frame_by_frame(source, edited, on_missing,
                           lambda s, e, ok: (e.vectors.double()[ok] - s.vectors.double()[ok]).norm(dim=1))


def identity_similarity(source, edited, on_missing: str = "skip") -> PairScore:
    """Identity preservation: mean over t of s(y_t, x_t), each edited frame against its own source frame."""
    return _frame_by_frame(source, edited, on_missing, lambda s, e, ok: (_normalised(s)[ok] * _normalised(e)[ok]).sum(1))
