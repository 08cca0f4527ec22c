"""The clip's motion subspace: a centred PCA of the observed latents.

The ODE state is ``c = U^T (z - mean) / scale`` (k numbers instead of 18*512).
Why: per-frame W+ codes move in a few directions; fitting there is 15-50x faster
and ignores inversion noise in the other directions. What lies outside the
subspace (frame detail, and most of any edit) is kept separately by the model.
"""
from __future__ import annotations

from typing import Dict, Optional

import torch


class Subspace:
    def __init__(self, mean: torch.Tensor, basis: Optional[torch.Tensor], scale: torch.Tensor):
        self.mean = mean  # [D]
        self.basis = basis  # [D, k] orthonormal columns, or None for the full state
        self.scale = scale  # scalar tensor: coordinates are divided by it (keeps the ODE at O(1))

    @classmethod
    def fit(cls, flat: torch.Tensor, k: Optional[int]) -> "Subspace":
        """``flat``: observed latents ``[n, D]``; ``k=None`` keeps the full state (identity basis)."""
        mean = flat.mean(0)
        centred = flat - mean
        if k is None:
            scale = centred.std().clamp_min(1e-8)
            return cls(mean, None, scale)
        # at least ~3 observations per motion direction: with fewer, the extra directions hold
        # inversion jitter rather than motion, and the held-out error grows (benchmarks/fit.py)
        k = max(1, min(k, max(2, len(flat) // 3), len(flat) - 1, flat.shape[1]))
        # economical SVD of the small [n, D] matrix (n = observed frames); float64 for stable small directions
        _, s, vh = torch.linalg.svd(centred.double(), full_matrices=False)
        basis = vh[:k].T.float().contiguous()
        coords = centred @ basis
        scale = coords.std().clamp_min(1e-8)
        sub = cls(mean, basis, scale)
        sub.explained = float((s[:k] ** 2).sum() / (s**2).sum().clamp_min(1e-30))
        return sub

    @property
    def dim(self) -> int:
        return self.mean.numel() if self.basis is None else self.basis.shape[1]

    def encode(self, flat: torch.Tensor) -> torch.Tensor:
        centred = flat - self.mean
        return (centred if self.basis is None else centred @ self.basis) / self.scale

    def decode(self, coords: torch.Tensor) -> torch.Tensor:
        c = coords * self.scale
        return self.mean + (c if self.basis is None else c @ self.basis.T)

    def residual(self, flat: torch.Tensor) -> torch.Tensor:
        """The part of ``flat`` the subspace does not represent (zero for the full state)."""
        return flat - self.decode(self.encode(flat))

    def state_dict(self) -> Dict[str, torch.Tensor]:
        d = {"subspace.mean": self.mean, "subspace.scale": self.scale.reshape(1)}
        if self.basis is not None:
            d["subspace.basis"] = self.basis
        return d

    @classmethod
    def from_state_dict(cls, d: Dict[str, torch.Tensor]) -> "Subspace":
        return cls(d["subspace.mean"], d.get("subspace.basis"), d["subspace.scale"].reshape(()))
