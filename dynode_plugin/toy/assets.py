"""The toy world's shipped weights: ``assets/toy_generator.safetensors`` + ``assets/toy_generator.json``.

One file holds everything the toy host needs: the generator (``g.*``), its encoder (``e.*``),
the linear edit directions (``direction.<name>``), the non-linear latent mappers
(``mapper.<name>.*``), the attribute regressor (``regressor.*``) and the shape classifier of
``toy/quality.py`` (``shape.*``). The small networks are stored in float16 (half the bytes; they are evaluated in float32 after loading, and every
number in docs/toy.md was measured with the rounded weights).
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Dict, Optional

import torch

from ..atomic import atomic_path
from ..errors import MissingWeightsError

ASSETS = Path(__file__).parent / "assets"
WEIGHTS = "toy_generator.safetensors"


@dataclasses.dataclass
class ToyAssets:
    generator: torch.nn.Module
    encoder: torch.nn.Module
    directions: Dict[str, torch.Tensor]
    meta: Dict
    mappers: Dict[str, torch.nn.Module] = dataclasses.field(default_factory=dict)
    regressor: Optional[torch.nn.Module] = None
    shape_classifier: Optional[torch.nn.Module] = None


def save_assets(a: ToyAssets, out: Path) -> None:
    from safetensors.torch import save_file

    tensors = {f"g.{k}": v for k, v in a.generator.state_dict().items()}
    tensors.update({f"e.{k}": v for k, v in a.encoder.state_dict().items()})
    tensors.update({f"direction.{name}": d for name, d in a.directions.items()})
    for name, m in a.mappers.items():
        tensors.update({f"mapper.{name}.{k}": v.half() for k, v in m.state_dict().items()})
    for prefix, net in (("regressor.", a.regressor), ("shape.", a.shape_classifier)):
        if net is not None:
            tensors.update({prefix + k: v.half() for k, v in net.state_dict().items()})
    with atomic_path(Path(out) / WEIGHTS) as tmp:
        save_file({k: v.detach().contiguous() for k, v in tensors.items()}, str(tmp))
    with atomic_path(Path(out) / "toy_generator.json") as tmp:
        tmp.write_text(json.dumps(a.meta, indent=2))


def _part(t: Dict[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    return {k[len(prefix):]: v.float() for k, v in t.items() if k.startswith(prefix)}


def load_assets(path: Path = None) -> ToyAssets:
    from safetensors.torch import load_file

    from .attributes import AttributeNet
    from .generator import build
    from .mappers import LatentMapper
    from .quality import ShapeClassifier

    path = Path(path or os.environ.get("DYNODE_TOY_ASSETS") or ASSETS)  # the env var lets tests use other weights
    f = path / WEIGHTS
    if not f.is_file():
        raise MissingWeightsError("toy world generator", WEIGHTS, [path],
                                  "It ships with dynode-plugin; reinstall, or rebuild it with `python -m dynode_plugin.toy.train`.")
    t = load_file(str(f))
    meta = json.loads((path / "toy_generator.json").read_text())
    g, e = build()
    g.load_state_dict(_part(t, "g."))
    missing = e.load_state_dict(_part(t, "e."), strict=False).missing_keys
    if any(not k.startswith(("shape_net.", "box_step.")) for k in missing):  # weights from before the shape branch: no box step
        e.load_state_dict(_part(t, "e."))  # raises, naming what is missing
    mappers = {}
    for name in sorted({k.split(".")[1] for k in t if k.startswith("mapper.")}):
        mappers[name] = LatentMapper(g.n_styles, g.w_dim)
        mappers[name].load_state_dict(_part(t, f"mapper.{name}."))
        mappers[name].eval()
    nets = {}
    for prefix, cls in (("regressor.", AttributeNet), ("shape.", ShapeClassifier)):
        if any(k.startswith(prefix) for k in t):
            nets[prefix] = cls()
            nets[prefix].load_state_dict(_part(t, prefix))
            nets[prefix].eval()
    return ToyAssets(g.eval(), e.eval(), _part(t, "direction."), meta, mappers, nets.get("regressor."), nets.get("shape."))
