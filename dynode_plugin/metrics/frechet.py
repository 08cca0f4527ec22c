"""Fréchet distance between feature sets (FVD's last step), with streaming statistics.

d^2 = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)). The matrix square root is taken as
``sqrtm(S1^(1/2) S2 S1^(1/2))``, whose trace equals Tr((S1 S2)^(1/2)) and which is symmetric
positive semi-definite, so an eigen-decomposition with clipped negative eigenvalues is stable
(no complex parts to discard, unlike scipy.linalg.sqrtm on the non-symmetric S1 S2).
Statistics are accumulated in float64 batch by batch, so sets larger than memory work.
"""
from __future__ import annotations

import numpy as np

from ..errors import DynodeInputError


class RunningStats:
    """Mean and covariance of feature vectors seen batch by batch (float64)."""

    def __init__(self, dim: int):
        self.n = 0
        self.sum = np.zeros(dim)
        self.outer = np.zeros((dim, dim))

    def update(self, feats) -> None:
        f = np.asarray(feats, dtype=np.float64)
        if f.ndim != 2 or f.shape[1] != len(self.sum):
            raise DynodeInputError(f"features must be [B, {len(self.sum)}]; got {f.shape}")
        self.n += len(f)
        self.sum += f.sum(0)
        self.outer += f.T @ f

    @property
    def mean(self) -> np.ndarray:
        return self.sum / self.n

    @property
    def cov(self) -> np.ndarray:
        if self.n < 2:
            raise DynodeInputError(f"need at least 2 clips for a covariance; got {self.n}")
        mu = self.mean
        return (self.outer - self.n * np.outer(mu, mu)) / (self.n - 1)


def _clean_eigenvalues(w: np.ndarray) -> np.ndarray:
    """Zero the eigenvalues that are round-off (|w| below dim * eps * max|w|), and negatives.

    A rank-deficient covariance (fewer clips than feature dimensions) has exact zeros that
    eigh returns as +-1e-14; their square roots (1e-7 each) would otherwise add up to a
    visible bias.
    """
    tol = len(w) * np.finfo(np.float64).eps * max(float(np.abs(w).max(initial=0.0)), 1e-300)
    return np.where(w > tol, w, 0.0)


def _psd_sqrt(m: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh((m + m.T) / 2)
    return (v * np.sqrt(_clean_eigenvalues(w))) @ v.T


def frechet_distance(mu1, s1, mu2, s2) -> float:
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(s1, np.float64), np.asarray(s2, np.float64)
    if s1.shape != s2.shape or s1.shape != (len(mu1), len(mu1)) or mu1.shape != mu2.shape:
        raise DynodeInputError(f"Frechet distance needs means [D] and covariances [D, D] of one size; got {mu1.shape}, {s1.shape}, {mu2.shape}, {s2.shape}")
    r1 = _psd_sqrt(s1)
    m = r1 @ s2 @ r1
    covmean_trace = np.sqrt(_clean_eigenvalues(np.linalg.eigvalsh((m + m.T) / 2))).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * covmean_trace)


def frechet_from_stats(a: RunningStats, b: RunningStats) -> float:
    return frechet_distance(a.mean, a.cov, b.mean, b.cov)
