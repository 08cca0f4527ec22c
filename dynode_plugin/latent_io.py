"""Reading and writing latent sequences in the formats the hosts use.

Read: ``.pt``/``.pth`` (a tensor, or a dict holding one under ``pivots``, ``latents``,
``w``, ``latent`` or ``codes`` -- STIT checkpoints store ``pivots``), ``.npy``, and
folders of per-frame files: Latent Transformer's ``latent_code_%05d.npy`` (1,18,512)
and TCSVE/PTI's ``<frame>/0.pt``. Always loaded with ``map_location="cpu"``.
Write: ``.pt`` and ``.npy``, atomically.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

import numpy as np
import torch

from .atomic import atomic_path
from .errors import DynodeInputError

DICT_KEYS = ("pivots", "latents", "w", "latent", "codes")


def _natural_key(p: Path):
    return [int(s) if s.isdigit() else s for s in re.split(r"(\d+)", p.name)]


def _torch_load(path: Path):
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as first:
        # STIT checkpoints pickle the whole generator module next to the pivots: that needs
        # weights_only=False, which runs pickled code, so only for files the user points at.
        try:
            return torch.load(str(path), map_location="cpu", weights_only=False)
        except Exception:
            raise DynodeInputError(f"cannot read {path} as a torch file ({type(first).__name__}: {first})") from None


def _from_object(obj, path: Path) -> torch.Tensor:
    if isinstance(obj, dict):
        for key in DICT_KEYS:
            if key in obj:
                return _from_object(obj[key], path)
        raise DynodeInputError(f"{path} holds a dict with keys {sorted(map(str, obj))[:10]}; expected a tensor under one of {', '.join(DICT_KEYS)}")
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(o, torch.Tensor) for o in obj):
        return torch.stack([o.reshape(o.shape[1:]) if o.ndim > 2 and o.shape[0] == 1 else o for o in obj])
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(obj)
    if isinstance(obj, torch.Tensor):
        return obj
    raise DynodeInputError(f"{path} holds a {type(obj).__name__}; expected a latent tensor [N, *shape]")


def _load_file(path: Path) -> torch.Tensor:
    if path.suffix == ".npy":
        try:
            return torch.from_numpy(np.load(path, allow_pickle=False))
        except Exception as exc:
            raise DynodeInputError(f"cannot read {path} as .npy ({exc})") from None
    if path.suffix in (".pt", ".pth", ".tar"):
        return _from_object(_torch_load(path), path)
    raise DynodeInputError(f"unsupported latent file type '{path.suffix}' ({path}); use .pt, .pth, .npy or a folder of per-frame files")


def _frame_files(folder: Path) -> List[Path]:
    lt = sorted(folder.glob("latent_code_*.npy"), key=_natural_key)
    if lt:
        return lt
    pti = sorted((d / "0.pt" for d in folder.iterdir() if d.is_dir() and (d / "0.pt").is_file()), key=lambda p: _natural_key(p.parent))
    if pti:
        return pti
    flat = sorted([p for p in folder.iterdir() if p.suffix in (".npy", ".pt", ".pth")], key=_natural_key)
    return flat


def load_latents(path) -> torch.Tensor:
    """Load a latent sequence ``[N, *shape]`` as float32 on the CPU.

    A singleton axis after the frame axis (``(N, 1, 18, 512)``, as saved from per-frame
    inversions) is squeezed, so W+ sequences always come back as ``[N, 18, 512]``.
    """
    path = Path(path)
    if not path.exists():
        raise DynodeInputError(f"latent file or folder not found: {path}")
    if path.is_dir():
        files = _frame_files(path)
        if not files:
            raise DynodeInputError(f"no per-frame latent files in {path}: expected latent_code_%05d.npy files, <frame>/0.pt folders, or .npy/.pt files")
        rows = []
        for f in files:
            z = _load_file(f)
            rows.append(z[0] if z.ndim >= 2 and z.shape[0] == 1 else z)
        shapes = {tuple(r.shape) for r in rows}
        if len(shapes) != 1:
            raise DynodeInputError(f"per-frame latents in {path} have different shapes: {sorted(shapes)}")
        z = torch.stack(rows)
    else:
        z = _load_file(path)
    if z.ndim >= 3 and z.shape[1] == 1:
        z = z[:, 0]
    if z.ndim < 2:
        raise DynodeInputError(f"{path} holds shape {tuple(z.shape)}; expected [N, *shape] with one row per frame")
    if not z.is_floating_point():
        raise DynodeInputError(f"{path} holds dtype {z.dtype}; expected floating-point latents")
    return z.detach().to("cpu", torch.float32).contiguous()


def save_latents(latents: torch.Tensor, path) -> Path:
    """Write ``latents`` to ``.pt`` (a plain tensor) or ``.npy``, atomically; returns the path."""
    path = Path(path)
    z = latents.detach().cpu()
    if path.suffix in (".pt", ".pth"):
        with atomic_path(path) as tmp:
            torch.save(z.clone(), tmp)
    elif path.suffix == ".npy":
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.save(fh, z.numpy())
    else:
        raise DynodeInputError(f"cannot write latents to '{path.suffix}' ({path}); use .pt, .pth or .npy")
    return path
