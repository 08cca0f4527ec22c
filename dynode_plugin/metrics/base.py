"""Interfaces of metrics and encoders (registered through the plugin hooks).

Encoders embed frames (identity encoders), clips (video encoders, for FVD) or predict
attribute values (regressors, for attribute strength). Metrics follow one contract,
torchmetrics' pattern: a metric object is built with the encoder it needs and its
settings, ``update(source, edited)`` adds one video pair to running statistics, and
``compute()`` finishes the dataset score. Per-video metrics return the pair's record from
``update``; set-level metrics (FVD) return None there. Nothing in the evaluation loop
knows a metric by its id.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional

from ..lazy import torch  # imported on first use (a bad command line answers before torch loads)


@dataclasses.dataclass
class Embeddings:
    """Per-frame identity embeddings.

    ``vectors``: ``[N, D]`` float tensor (rows of frames with no face are NaN);
    ``found``: ``[N]`` bool tensor, False where detection failed.
    """

    vectors: torch.Tensor
    found: torch.Tensor

    @property
    def failures(self) -> List[int]:
        return [int(i) for i in torch.nonzero(~self.found).flatten()]

    @staticmethod
    def cat(parts: List["Embeddings"]) -> "Embeddings":
        return Embeddings(torch.cat([p.vectors for p in parts]), torch.cat([p.found for p in parts]))


class Encoder:
    """Base class of encoder plugins.

    ``kind`` is ``"identity"`` (frames -> one vector per frame), ``"video"`` (16-frame
    clips -> one vector per clip) or ``"regressor"`` (frames -> named attribute values per
    frame). Weights load lazily on first use. ``batch``: frames (identity, regressor) or
    clips (video) per forward call.
    """

    id: str = ""
    kind: str = "identity"
    summary: str = ""
    batch: int = 8
    # True: ``embed`` also takes uint8 frames [N,3,H,W] (0-255) and gives what it gives for their
    # float conversion /255; ``Video`` then hands decoded pixels over unconverted
    takes_uint8: bool = False

    def embed(self, frames: torch.Tensor) -> Embeddings:
        """Identity encoders: frames ``[N,3,H,W]`` in [0,1] -> :class:`Embeddings`."""
        raise NotImplementedError

    def fork(self) -> Optional["Encoder"]:
        """An encoder that gives what this one gives and may embed another video in another thread at
        the same time (shared weights, its own per-video state), or None (the default: not safe)."""
        return None

    def embed_clips(self, clips: torch.Tensor) -> torch.Tensor:
        """Video encoders: clips ``[B,T,3,H,W]`` in [0,1] -> features ``[B, D]``."""
        raise NotImplementedError

    def weights_sha256(self) -> Optional[str]:
        """sha256 of the weights file in use (recorded next to every number), or None."""
        return None

    def cache_key(self) -> Optional[str]:
        """A string that fixes what ``embed`` returns for given frames (weights, settings, code
        version), so embeddings of a source video can be cached on disk; None: never cached."""
        return None

    def describe(self) -> Dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "weights_sha256": self.weights_sha256()}


class Regressor(Encoder):
    """Attribute regressor on images: frames -> ``[N, len(attributes)]`` values per frame.

    ``attributes`` names the outputs (e.g. ``["colour", "size"]``); a larger value means more
    of the attribute. The ``attribute-strength`` metric takes one by ``--regressor ID``.
    """

    kind = "regressor"
    attributes: List[str] = []

    def predict(self, frames: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def encoder_ref(encoder) -> Dict[str, Any]:
    return {"id": encoder.id, "weights_sha256": encoder.weights_sha256()}


class Metric:
    """The metric contract (see ``dynode_register_metrics`` in hookspecs.py).

    Class attributes: ``id``, ``summary`` (one line), ``definition`` (copied into every
    record), ``needs`` (the kind of encoder the metric is built with: ``"identity"``,
    ``"video"``, ``"regressor"``, or None) and ``per_video`` (whether ``update`` returns a
    record per video pair). ``__init__(encoder=None, **settings)`` takes the settings it
    declares by keyword (the evaluation passes each metric only the ones its signature
    names: ``on_missing_face``, ``fvd_stride``, ``attribute``, ...).
    """

    id: str = ""
    summary: str = ""
    definition: str = ""
    needs: Optional[str] = None
    per_video: bool = True

    def __init__(self, encoder=None):
        self.encoder = encoder
        self.reset()

    def reset(self) -> None:
        """Forget every pair seen (a fresh dataset)."""

    def update(self, source, edited) -> Optional[Dict[str, Any]]:
        """Add one pair (:class:`dynode_plugin.metrics.video_input.Video` objects, same frame count)."""
        raise NotImplementedError

    def compute(self) -> Dict[str, Any]:
        """The dataset score: ``{"value": float or None, ...details}``."""
        raise NotImplementedError


class PerVideoMetric(Metric):
    """A metric with one value per video; the dataset score is the mean over videos.

    Subclasses implement ``score(source, edited) -> {"value": ..., details}``; videos without
    a value (no faces, ...) are listed and left out of the mean.
    """

    def reset(self) -> None:
        self.values: Dict[str, Optional[float]] = {}

    def score(self, source, edited) -> Dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def update(self, source, edited) -> Dict[str, Any]:
        rec = {**self.score(source, edited), "frames": len(source), "definition": self.definition}
        if self.encoder is not None:
            rec["encoder"] = encoder_ref(self.encoder)
        key = source.name if source.name not in self.values else f"{source.name}#{len(self.values)}"
        self.values[key] = rec["value"]
        return rec

    def compute(self) -> Dict[str, Any]:
        good = [v for v in self.values.values() if v is not None]
        return {"value": sum(good) / len(good) if good else None, "videos": len(good),
                "videos_without_value": sorted(k for k, v in self.values.items() if v is None)}
