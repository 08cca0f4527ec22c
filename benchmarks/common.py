"""Shared bits of the benchmark scripts: realistic synthetic clips, tables, JSON output."""
from __future__ import annotations

import json
import math
import os
import platform
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DYNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def realistic_clip(n: int, seed: int = 0, motion_dims: int = 6, jitter: float = 0.5, shape=(18, 512)):
    """A curved W+ trajectory with per-frame inversion jitter.

    Motion: ``motion_dims`` random directions driven by smooth random Fourier curves with
    varying speed, scaled so the per-element temporal variance is about 1.2 (as measured on
    real inversions, ../shared/data/dynode_example); jitter: i.i.d. noise of std ``jitter``
    per element (real per-frame inversions: linear interpolation of every other frame
    misses by 0.57 per element). Returns (times, clean, jittered), both ``[n, *shape]``.
    """
    g = torch.Generator().manual_seed(seed)
    d = math.prod(shape)
    base = torch.randn(d, generator=g) * 0.5
    ffhq = SHARED / "ffhq_w_plus.npy"
    if ffhq.exists():  # start from a real W+ code when the shared data is there
        import numpy as np

        base = torch.from_numpy(np.load(ffhq)[seed % 68].reshape(-1)).float()
    dirs = torch.linalg.qr(torch.randn(d, motion_dims, generator=g))[0]
    t = torch.linspace(0, 1, n)
    warp = t + 0.15 * torch.sin(2 * math.pi * t)  # uneven speed
    curves = []
    for k in range(motion_dims):
        freq = torch.rand(3, generator=g) * 2.5 + 0.5
        phase = torch.rand(3, generator=g) * 2 * math.pi
        amp = torch.randn(3, generator=g)
        curves.append(sum(amp[j] * torch.sin(2 * math.pi * freq[j] * warp + phase[j]) for j in range(3)))
    a = torch.stack(curves, 1)
    a = a - a.mean(0)
    a = a / a.pow(2).sum(1).mean().sqrt() * math.sqrt(1.2 * d)
    clean = base + a @ dirs.T
    noisy = clean + jitter * torch.randn(n, d, generator=g)
    return t, clean.reshape(n, *shape), noisy.reshape(n, *shape)


def timed(fn, *args, repeat: int = 1):
    """(best wall seconds of ``repeat`` calls, the last call's result)."""
    import time

    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, out


def machine() -> dict:
    return {"python": platform.python_version(), "torch": torch.__version__, "cpus": os.cpu_count(),
            "load_avg": os.getloadavg() if hasattr(os, "getloadavg") else None}


def print_table(rows, columns):
    widths = [max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(w) for c, w in zip(columns, widths)))


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def write_json(path, payload) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str))
    return path


def edit_clips(quick: bool) -> dict:
    """The adapter benchmarks' clips: the real W+ inversions in ../shared/data/dynode_example
    (11 samples, when present) and a realistic synthetic clip (24 frames with --quick, else 64)."""
    clips = {}
    real = SHARED / "dynode_example" / "dynode_all_latents.pth"
    if real.exists():
        clips["real-11"] = torch.load(real, map_location="cpu")[:, 0].float()
    _, _, noisy = realistic_clip(24 if quick else 64, seed=0)
    clips[f"synthetic-{len(noisy)}"] = noisy
    return clips


def relative_distance(a, b, source) -> float:
    """Mean distance of edit ``a`` to edit ``b``, relative to ``b``'s mean edit norm."""
    d_ref = (b - source).reshape(len(b), -1).norm(dim=1).mean()
    return float((a - b).reshape(len(a), -1).norm(dim=1).mean() / d_ref)
