"""The toy world's shipped weights: ``assets/toy_generator.safetensors`` + ``assets/toy_generator.json``."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, Tuple

import torch

from ..atomic import atomic_path
from ..errors import MissingWeightsError

ASSETS = Path(__file__).parent / "assets"
WEIGHTS = "toy_generator.safetensors"


def save_assets(g, e, out: Path, meta: Dict, directions: Dict[str, torch.Tensor] = None) -> None:
    from safetensors.torch import save_file

    tensors = {f"g.{k}": v.contiguous() for k, v in g.state_dict().items()}
    tensors.update({f"e.{k}": v.contiguous() for k, v in e.state_dict().items()})
    for name, d in (directions or {}).items():
        tensors[f"direction.{name}"] = d.contiguous()
    with atomic_path(out / WEIGHTS) as tmp:
        save_file(tensors, str(tmp))
    with atomic_path(out / "toy_generator.json") as tmp:
        tmp.write_text(json.dumps(meta, indent=2))


def load_assets(path: Path = None) -> Tuple[torch.nn.Module, torch.nn.Module, Dict[str, torch.Tensor], Dict]:
    from safetensors.torch import load_file

    from .generator import build

    path = Path(path or os.environ.get("DYNODE_TOY_ASSETS") or ASSETS)  # the env var lets tests use other weights
    f = path / WEIGHTS
    if not f.is_file():
        raise MissingWeightsError("toy world generator", WEIGHTS, [path],
                                  "It ships with dynode-plugin; reinstall, or rebuild it with `python -m dynode_plugin.toy.train`.")
    t = load_file(str(f))
    meta = json.loads((path / "toy_generator.json").read_text())
    g, e = build()
    g.load_state_dict({k[2:]: v for k, v in t.items() if k.startswith("g.")})
    e.load_state_dict({k[2:]: v for k, v in t.items() if k.startswith("e.")})
    dirs = {k[len("direction."):]: v for k, v in t.items() if k.startswith("direction.")}
    return g.eval(), e.eval(), dirs, meta
