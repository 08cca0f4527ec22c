"""How much an edit flickers, in latent space: the measure every adapter reports."""
from __future__ import annotations

from typing import Dict

import torch


def delta_consistency(source: torch.Tensor, edited: torch.Tensor) -> Dict[str, float]:
    """How much the edit itself flickers: the edit delta d_i = edited_i - source_i, its mean norm,
    and the mean frame-to-frame change ||d_{i+1} - d_i|| (Frobenius over 18x512), absolute and
    relative to the mean delta norm. Rows with NaN sources (filled gaps) are skipped."""
    ok = torch.isfinite(source.reshape(len(source), -1)).all(dim=1)
    d = (edited - source)[ok].reshape(int(ok.sum()), -1).double()
    norm = d.norm(dim=1).mean()
    step = (d[1:] - d[:-1]).norm(dim=1).mean() if len(d) > 1 else torch.tensor(0.0)
    return {"delta_norm": float(norm), "delta_step": float(step), "delta_step_rel": float(step / norm) if norm > 0 else 0.0}
