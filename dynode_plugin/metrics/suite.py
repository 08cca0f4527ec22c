"""The built-in per-video metrics (registered by the default metrics plugin).

Each follows the contract of :class:`dynode_plugin.metrics.base.Metric`: built with the
encoder it ``needs`` and the settings it declares, ``update(source, edited)`` scores one
pair and returns its record (``{"value": ..., details}``), ``compute()`` gives the mean over
videos. FVD (set-level) is in :mod:`dynode_plugin.metrics.fvd`, attribute strength in
:mod:`dynode_plugin.metrics.attribute`.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict

from ..errors import DynodeInputError
from . import frame, identity
from .base import PerVideoMetric


class _IdentityMetric(PerVideoMetric):
    needs = "identity"
    uses_source = True

    def __init__(self, encoder=None, on_missing_face: str = "skip"):
        if encoder is None:
            raise DynodeInputError(f"metric '{self.id}' needs an identity encoder")
        self.on_missing = on_missing_face
        super().__init__(encoder)

    @staticmethod
    def pair_score(src_emb, edt_emb, on_missing):  # pragma: no cover - overridden
        raise NotImplementedError

    def score(self, source, edited) -> Dict[str, Any]:
        src = source.embeddings(self.encoder) if self.uses_source else None
        return dataclasses.asdict(self.pair_score(src, edited.embeddings(self.encoder), self.on_missing))


class TLID(_IdentityMetric):
    id, summary = "tl-id", "temporally-local identity consistency (STIT), per-pair ratio to the source"
    definition = "mean over t of s(y_t, y_t+1) / s(x_t, x_t+1); s = cosine similarity; pairs with |s(x)| < 1e-3 or a missing face skipped"

    @staticmethod
    def pair_score(src_emb, edt_emb, on_missing):
        return identity.tl_id(src_emb, edt_emb, on_missing=on_missing)


class TGID(_IdentityMetric):
    id, summary = "tg-id", "temporally-global identity consistency (STIT), per-pair ratio to the source"
    definition = "mean over pairs i != j of s(y_i, y_j) / s(x_i, x_j); s = cosine similarity; pairs with |s(x)| < 1e-3 or a missing face skipped"

    @staticmethod
    def pair_score(src_emb, edt_emb, on_missing):
        return identity.tg_id(src_emb, edt_emb, on_missing=on_missing)


class ACD(_IdentityMetric):
    id, summary = "acd", "Average Content Distance (MoCoGAN): mean pairwise L2 of edited frames' identity features"
    definition = "MoCoGAN ACD: mean over pairs i != j of the edited video's ||f(y_i) - f(y_j)||_2 (features as the encoder returns them)"
    uses_source = False

    @staticmethod
    def pair_score(src_emb, edt_emb, on_missing):
        return identity.acd(edt_emb, on_missing=on_missing)


class ACDSource(_IdentityMetric):
    id, summary = "acd-source", "ACD variant: mean L2 between each edited frame's feature and its source frame's"
    definition = "variant (ours): mean over t of ||f(y_t) - f(x_t)||_2, edited frame vs its own source frame"

    @staticmethod
    def pair_score(src_emb, edt_emb, on_missing):
        return identity.acd_source(edt_emb, src_emb, on_missing=on_missing)


class IdentityPreservation(_IdentityMetric):
    id, summary = "identity-preservation", "identity preservation: cosine similarity of each edited frame to its own source frame"
    definition = "mean over t of s(y_t, x_t); s = cosine similarity of identity embeddings; frames with a missing face skipped"

    @staticmethod
    def pair_score(src_emb, edt_emb, on_missing):
        return identity.identity_similarity(src_emb, edt_emb, on_missing=on_missing)


class _FrameMetric(PerVideoMetric):
    scale, unit = 1.0, ""

    @staticmethod
    def per_frame(source, edited):  # pragma: no cover - overridden
        raise NotImplementedError

    def score(self, source, edited) -> Dict[str, Any]:
        per = self.per_frame(source.frames, edited.frames)
        return {"value": float(per.mean()) * self.scale, "unit": self.unit, "per_frame": [float(v) * self.scale for v in per]}


class MSE(_FrameMetric):
    id, summary = "mse", "pixel MSE x1e-3 (DynODE Table 1)"
    definition = "mean over frames and pixels of (y - x)^2 for frames in [0, 1], reported x1e3"
    scale, unit = 1e3, "x1e-3"
    per_frame = staticmethod(frame.mse)


class SSIM(_FrameMetric):
    id, summary = "ssim", "SSIM x100 (Gaussian window, skimage-compatible)"
    definition = ("mean over frames of SSIM (11x11 Gaussian window sigma 1.5, K1 0.01, K2 0.03, data range 1, "
                  "per channel, valid region; = skimage gaussian_weights=True, use_sample_covariance=False), x100")
    scale, unit = 100.0, "x100"
    per_frame = staticmethod(frame.ssim)


class Flicker(PerVideoMetric):
    id, summary = "flicker", "flicker: mean absolute change between consecutive edited frames (source's alongside)"
    definition = ("mean over t of the mean over pixels and channels of |y_t+1 - y_t|, frames in [0, 1]; "
                  "source_value: the same for the source, added: value - source_value")

    def score(self, source, edited) -> Dict[str, Any]:
        if len(edited) < 2:
            return {"value": None, "source_value": None, "added": None, "per_frame": []}
        per, src = frame.flicker(edited.frames), frame.flicker(source.frames)
        value, source_value = float(per.mean()), float(src.mean())
        return {"value": value, "source_value": source_value, "added": value - source_value, "per_frame": [float(v) for v in per]}
