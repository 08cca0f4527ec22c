"""The ``.dynode`` file: one safetensors file whose metadata holds a JSON header.

Header: ``{"format": "dynode", "version": 1, "model": id, "shape": [...], "config": {...},
"report": {...}}``. Tensors: the observed frames (``times``, ``mask``, ``observed``) and the
model's own state. Written atomically; a file from another version or a corrupt one is
refused with a message that says to re-fit.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import torch

from ..atomic import atomic_path
from ..errors import DynodeInputError

FORMAT = "dynode"
VERSION = 1


def save_dynamics(model, path) -> None:
    from safetensors.torch import save_file

    tensors: Dict[str, torch.Tensor] = {"times": model.times, "mask": model.mask.to(torch.uint8), "observed": model.observed}
    tensors.update(model._state())
    header = {"format": FORMAT, "version": VERSION, "model": model.id, "shape": list(model.shape),
              "config": model.config_dict(), "report": model.report.to_dict() if model.report is not None else None}
    with atomic_path(path) as tmp:
        save_file({k: v.detach().contiguous() for k, v in tensors.items()}, str(tmp), metadata={"dynode": json.dumps(header)})


def read_header(path) -> Dict[str, Any]:
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise DynodeInputError(f"dynamics file not found: {path} (create one with `dynode fit LATENTS --out {path.name}`)")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
        header = json.loads(meta["dynode"])
    except Exception as exc:  # corrupt, truncated, or not safetensors at all
        raise DynodeInputError(f"{path} is not a readable .dynode file ({type(exc).__name__}: {exc}); re-create it with `dynode fit`") from None
    if header.get("format") != FORMAT:
        raise DynodeInputError(f"{path} is a safetensors file but not a .dynode model; re-create it with `dynode fit`")
    if header.get("version") != VERSION:
        raise DynodeInputError(f"{path} was written by format version {header.get('version')}, this dynode-plugin reads version {VERSION}; re-fit with `dynode fit`")
    return header


def load_dynamics(path):
    """Load any registered dynamics model from a ``.dynode`` file."""
    from safetensors.torch import load_file

    from ..plugins import get_registry

    header = read_header(path)
    cls = get_registry().get("dynamics", header["model"])
    try:
        tensors = load_file(str(path))
    except Exception as exc:
        raise DynodeInputError(f"{path} is corrupt ({type(exc).__name__}: {exc}); re-create it with `dynode fit`") from None
    model = cls(**header["config"])
    model.shape = tuple(header["shape"])
    model.times, model.mask, model.observed = tensors["times"], tensors["mask"].bool(), tensors["observed"]
    try:
        model._set_state(tensors, header)
    except (KeyError, RuntimeError) as exc:
        raise DynodeInputError(f"{path} does not match the '{header['model']}' model's layout ({exc}); re-create it with `dynode fit`") from None
    if header.get("report"):
        from .fitting import FitReport

        rep = dict(header["report"])
        rep.pop("steps_per_second", None)
        model.report = FitReport(**rep)
    return model
