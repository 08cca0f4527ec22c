"""Latent Transformer's edit, per frame (the original) or on frame 0 + DynODE propagation.

The edit is the one ``video_processing.py --function latent_manipulation`` applies::

    w1 = w0;  for each attribute: w1 = T_net(w1.view(B, -1), alpha)     # = w1 + alpha * A(w1)
    w1 = cat(w1[:, :11], w0[:, 11:])                                    # fine layers kept from w0

``T_net`` (``nets.F_mapping``) is 18 per-layer affine 512x512 maps. DynODE applies it to
frame 0 only (:func:`dynode_plugin.edit_first_and_propagate`) and then copies rows 11-17
back from every frame's own w0, as the original does per frame.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Dict, List, Optional, Sequence

import torch

from . import layout


@torch.no_grad()
def lt_edit(w0: torch.Tensor, nets: Sequence[torch.nn.Module], alphas: Sequence[float], batch: int = 64) -> torch.Tensor:
    """The original edit of ``w0 [B, 18, 512]`` (any B; frames are independent)."""
    outs = []
    for chunk in w0.split(batch):
        b = chunk.shape[0]
        w1 = chunk.clone()
        for net, alpha in zip(nets, alphas):
            p = next(net.parameters(), None)
            x = w1.reshape(b, -1).to(p.device if p is not None else "cpu")
            coeff = torch.full((b,), float(alpha), device=x.device)  # the original passes alpha [1] with B = 1
            w1 = net(x, coeff).reshape(chunk.shape).to(chunk.device)
        outs.append(keep_fine_layers(w1, chunk))
    return torch.cat(outs)


def keep_fine_layers(w1: torch.Tensor, w0: torch.Tensor) -> torch.Tensor:
    k = layout.KEEP_FROM_LAYER
    return torch.cat((w1[:, :k], w0[:, k:]), 1)


@dataclasses.dataclass
class EditResult:
    method: str  # "per-frame" or "dynode-<model>"
    source: torch.Tensor  # [N, 18, 512]
    latents: torch.Tensor  # [N, 18, 512]
    seconds: Dict[str, float]  # "edit_step": the whole editing step (fit + edit + propagate for DynODE)
    fitted: Optional[bool] = None
    model: Any = None  # the dynamics model (DynODE only): reusable for other attributes/alphas


def edit_per_frame(w0: torch.Tensor, nets, alphas) -> EditResult:
    t0 = time.perf_counter()
    out = lt_edit(w0, nets, alphas)
    return EditResult("per-frame", w0, out, {"edit_step": time.perf_counter() - t0})


def edit_dynode(w0: torch.Tensor, nets, alphas, *, mode: str = "offset", model_id: str = "ode",
                fit_kwargs: Optional[dict] = None, model_path=None, progress: bool = True) -> EditResult:
    from dynode_plugin import edit_first_and_propagate

    t0 = time.perf_counter()
    res = edit_first_and_propagate(w0, lambda z0: lt_edit(z0, nets, alphas), mode=mode, model_id=model_id,
                                   fit_kwargs=fit_kwargs, model_path=model_path, progress=progress)
    out = keep_fine_layers(res.edited, w0)
    seconds = {**res.seconds, "edit_step": time.perf_counter() - t0}
    return EditResult(f"dynode-{model_id}", w0, out, seconds, fitted=res.fitted, model=res.model)


def describe(attrs: List[layout.Attribute], alphas: Sequence[float]) -> str:
    return ", ".join(f"{a.name} ({a.num}) x {al:g}" for a, al in zip(attrs, alphas))
