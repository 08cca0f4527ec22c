"""Latent Transformer's edit (applied per frame by the original, to frame 0 by DynODE: see host.py).

The edit is the one ``video_processing.py --function latent_manipulation`` applies::

    w1 = w0;  for each attribute: w1 = T_net(w1.view(B, -1), alpha)     # = w1 + alpha * A(w1)
    w1 = cat(w1[:, :11], w0[:, 11:])                                    # fine layers kept from w0

``T_net`` (``nets.F_mapping``) is 18 per-layer affine 512x512 maps. DynODE applies it to
frame 0 only (:func:`dynode_plugin.edit_first_and_propagate`) and then copies rows 11-17
back from every frame's own w0, as the original does per frame.
"""
from __future__ import annotations

from typing import List, Sequence

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


def describe(attrs: List[layout.Attribute], alphas: Sequence[float]) -> str:
    return ", ".join(f"{a.name} ({a.num}) x {al:g}" for a, al in zip(attrs, alphas))
