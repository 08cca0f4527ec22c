"""Interfaces of metrics and encoders (registered through the plugin hooks).

Encoders embed frames (identity encoders) or clips (video encoders, for FVD).
Metrics turn source/edited frames plus encoders into one number with a record of
how it was computed, so that two numbers can be compared.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional

import torch


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


class Encoder:
    """Base class of encoder plugins.

    ``kind`` is ``"identity"`` (frames -> one vector per frame) or ``"video"``
    (16-frame clips -> one vector per clip). Weights load lazily on first use.
    """

    id: str = ""
    kind: str = "identity"
    summary: str = ""

    def embed(self, frames: torch.Tensor) -> Embeddings:
        """Identity encoders: frames ``[N,3,H,W]`` in [0,1] -> :class:`Embeddings`."""
        raise NotImplementedError

    def embed_clips(self, clips: torch.Tensor) -> torch.Tensor:
        """Video encoders: clips ``[B,T,3,H,W]`` in [0,1] -> features ``[B, D]``."""
        raise NotImplementedError

    def weights_sha256(self) -> Optional[str]:
        """sha256 of the weights file in use (recorded next to every number), or None."""
        return None

    def describe(self) -> Dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "weights_sha256": self.weights_sha256()}
