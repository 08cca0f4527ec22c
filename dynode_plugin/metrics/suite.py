"""The built-in metrics as classes (registered by the default metrics plugin).

Each metric has an ``id``, what it ``needs`` ("identity" embeddings, "frames", or "video"
clip features for set-level FVD) and ``compute(...)`` returning ``{"value": ..., **details}``.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict

from . import frame, identity


def _pair(score: identity.PairScore) -> Dict[str, Any]:
    return dataclasses.asdict(score)


class _IdentityMetric:
    needs = "identity"
    fn = None

    def compute(self, src_emb, edt_emb, on_missing: str = "skip") -> Dict[str, Any]:
        return _pair(type(self).fn(src_emb, edt_emb, on_missing=on_missing))


class TLID(_IdentityMetric):
    id, summary = "tl-id", "temporally-local identity preservation (STIT), per-pair ratio to the source"
    fn = staticmethod(identity.tl_id)


class TGID(_IdentityMetric):
    id, summary = "tg-id", "temporally-global identity preservation (STIT), per-pair ratio to the source"
    fn = staticmethod(identity.tg_id)


class ACD(_IdentityMetric):
    id, summary = "acd", "Average Content Distance (MoCoGAN): mean pairwise L2 of edited frames' identity features"

    def compute(self, src_emb, edt_emb, on_missing: str = "skip") -> Dict[str, Any]:
        return _pair(identity.acd(edt_emb, on_missing=on_missing))


class ACDSource(_IdentityMetric):
    id, summary = "acd-source", "ACD variant: mean L2 between each edited frame's feature and its source frame's"
    fn = staticmethod(identity.acd_source)

    def compute(self, src_emb, edt_emb, on_missing: str = "skip") -> Dict[str, Any]:
        return _pair(identity.acd_source(edt_emb, src_emb, on_missing=on_missing))


class MSE:
    id, summary, needs = "mse", "pixel MSE x1e-3 (DynODE Table 1)", "frames"

    def compute(self, source, edited) -> Dict[str, Any]:
        per = frame.mse(source, edited)
        return {"value": float(per.mean()) * 1e3, "unit": "x1e-3", "per_frame": [float(v) * 1e3 for v in per]}


class SSIM:
    id, summary, needs = "ssim", "SSIM x100 (Gaussian window, skimage-compatible)", "frames"

    def compute(self, source, edited) -> Dict[str, Any]:
        per = frame.ssim(source, edited)
        return {"value": float(per.mean()) * 100, "unit": "x100", "per_frame": [float(v) * 100 for v in per]}


class FVD:
    id, summary, needs = "fvd", "Frechet Video Distance over sets of 16-frame clips (I3D features)", "video"
    clip_len = 16
