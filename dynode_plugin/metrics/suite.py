"""The built-in metrics as classes (registered by the default metrics plugin).

Each metric has an ``id``, what it ``needs`` ("identity" embeddings, "frames", or "video"
clip features for set-level FVD), a one-line ``definition`` copied into every JSON record,
and ``compute(...)`` returning ``{"value": ..., **details}``.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict

from . import frame, identity


class _IdentityMetric:
    needs = "identity"
    uses_source = True
    definition = ""

    @staticmethod
    def score(src_emb, edt_emb, on_missing):  # pragma: no cover - overridden
        raise NotImplementedError

    def compute(self, src_emb, edt_emb, on_missing: str = "skip") -> Dict[str, Any]:
        return {**dataclasses.asdict(self.score(src_emb, edt_emb, on_missing)), "definition": self.definition}


class TLID(_IdentityMetric):
    id, summary = "tl-id", "temporally-local identity preservation (STIT), per-pair ratio to the source"
    definition = "mean over t of s(y_t, y_t+1) / s(x_t, x_t+1); s = cosine similarity; pairs with |s(x)| < 1e-3 or a missing face skipped"

    @staticmethod
    def score(src_emb, edt_emb, on_missing):
        return identity.tl_id(src_emb, edt_emb, on_missing=on_missing)


class TGID(_IdentityMetric):
    id, summary = "tg-id", "temporally-global identity preservation (STIT), per-pair ratio to the source"
    definition = "mean over pairs i != j of s(y_i, y_j) / s(x_i, x_j); s = cosine similarity; pairs with |s(x)| < 1e-3 or a missing face skipped"

    @staticmethod
    def score(src_emb, edt_emb, on_missing):
        return identity.tg_id(src_emb, edt_emb, on_missing=on_missing)


class ACD(_IdentityMetric):
    id, summary = "acd", "Average Content Distance (MoCoGAN): mean pairwise L2 of edited frames' identity features"
    definition = "MoCoGAN ACD: mean over pairs i != j of the edited video's ||f(y_i) - f(y_j)||_2 (features as the encoder returns them)"
    uses_source = False

    @staticmethod
    def score(src_emb, edt_emb, on_missing):
        return identity.acd(edt_emb, on_missing=on_missing)


class ACDSource(_IdentityMetric):
    id, summary = "acd-source", "ACD variant: mean L2 between each edited frame's feature and its source frame's"
    definition = "variant (ours): mean over t of ||f(y_t) - f(x_t)||_2, edited frame vs its own source frame"

    @staticmethod
    def score(src_emb, edt_emb, on_missing):
        return identity.acd_source(edt_emb, src_emb, on_missing=on_missing)


class MSE:
    id, summary, needs = "mse", "pixel MSE x1e-3 (DynODE Table 1)", "frames"
    definition = "mean over frames and pixels of (y - x)^2 for frames in [0, 1], reported x1e3"

    def compute(self, source, edited) -> Dict[str, Any]:
        per = frame.mse(source, edited)
        return {"value": float(per.mean()) * 1e3, "unit": "x1e-3", "per_frame": [float(v) * 1e3 for v in per],
                "definition": self.definition}


class SSIM:
    id, summary, needs = "ssim", "SSIM x100 (Gaussian window, skimage-compatible)", "frames"
    definition = ("mean over frames of SSIM (11x11 Gaussian window sigma 1.5, K1 0.01, K2 0.03, data range 1, "
                  "per channel, valid region; = skimage gaussian_weights=True, use_sample_covariance=False), x100")

    def compute(self, source, edited) -> Dict[str, Any]:
        per = frame.ssim(source, edited)
        return {"value": float(per.mean()) * 100, "unit": "x100", "per_frame": [float(v) * 100 for v in per],
                "definition": self.definition}


class FVD:
    id, summary, needs = "fvd", "Frechet Video Distance over sets of 16-frame clips (I3D features)", "video"
    definition = ("Frechet distance between Gaussians fitted to I3D Kinetics-400 logits (averaged over time) of "
                  "16-frame clips (bilinear 224x224, [-1, 1]) of the source set and of the edited set")
    clip_len = 16
