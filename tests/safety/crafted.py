"""Hostile files for the safety tests: pickles whose loading would create a marker file.

``Evil.__reduce__`` names ``builtins.open(marker, "w")``: unpickling it fully creates the
marker, so "the marker does not exist" proves nothing from the file was executed.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch


class Evil:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


class EvilSystem:
    """The classic: os.system via a module the STIT reader used to trust by prefix."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def write_evil_latents(path: Path, marker: Path, shape=(6, 3, 4)) -> Path:
    """A file that looks like latents (a dict with 'pivots') and carries the payload."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"pivots": torch.randn(*shape), "generator": Evil(marker)}, path)
    return path


def write_evil_tensor_only(path: Path, marker: Path) -> Path:
    """The payload alone (what a one-frame / times file would be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save([Evil(marker), torch.zeros(3)], path)
    return path


def write_evil_npy(path: Path, marker: Path) -> Path:
    """An object-array .npy whose elements are the payload (np.load(allow_pickle=True) would run it)."""
    a = np.empty(2, dtype=object)
    a[0], a[1] = Evil(marker), Evil(marker)
    with open(path, "wb") as fh:
        np.save(fh, a, allow_pickle=True)
    return path


def proves_loading_runs_code(path: Path, marker: Path) -> bool:
    """Sanity: the crafted file really does run its payload when fully unpickled (then the marker is removed)."""
    try:
        torch.load(path, weights_only=False)
    except Exception:
        pass
    ran = marker.exists()
    if ran:
        marker.unlink()
    return ran
