"""The inverter's loss: pixel MSE plus a term that sees structure, as real Eq. 1 does (MSE + LPIPS).

Pixel MSE alone drifts the object's shape: a box and a disc of the same colour differ only in a few
corner pixels of a ~11-px object, so the optimiser trades them for a slightly better colour or arm
elsewhere (shape agreement 0.78 after 150 steps where the encoder's start had 0.84; with this
term at ``inverter.FEATURE_WEIGHT`` 0.98, docs/toy.md Part 0).
Real pipelines add LPIPS, a distance between the features of a pretrained network, which sees
edges and corners. The toy world's pretrained network is its own encoder: ``feature`` compares the
full-resolution features of the encoder's shape branch (``Encoder.shape_net``, trained to tell a box
from a disc) on the strip where the object can be, each layer's features unit-normalised over
channels as LPIPS does. Everything here is a function of the frame and the code only: no scene
factor is used at inversion time.
"""
from __future__ import annotations

import torch

LAYERS = (1, 3, 7)  # activations of shape_net read by the feature term (full res x2, half res)


def features(encoder, img: torch.Tensor):
    """Unit-normalised activations of the shape branch on the object strip, one tensor per ``LAYERS`` entry."""
    from .world import OBJECT_STRIP

    x = img[:, :, OBJECT_STRIP[0], OBJECT_STRIP[1]] * 2 - 1
    out = []
    for i, layer in enumerate(encoder.shape_net):
        x = layer(x)
        if i in LAYERS:
            out.append(x / (x.pow(2).sum(1, keepdim=True) + 1e-10).sqrt())
        if i >= max(LAYERS):
            break
    return out


class InversionLoss:
    """``loss(rendered [N,3,H,W]) -> per-frame losses [N]`` against ``target`` frames:
    ``mse + feature * sum_l mean_xy ||phi_l(rendered) - phi_l(target)||^2`` (``phi_l``: :func:`features`).
    Each frame's loss depends on its own rendering only, so codes optimised in one batch stay independent."""

    def __init__(self, encoder, target: torch.Tensor, feature: float = 0.0):
        self.encoder, self.target, self.feature = encoder, target, float(feature)
        if self.feature:
            for p in encoder.parameters():  # fixed, like the generator: gradients go to the codes only
                p.requires_grad_(False)
            with torch.no_grad():
                self.target_features = features(encoder, target)

    def __call__(self, rendered: torch.Tensor) -> torch.Tensor:
        loss = (rendered - self.target).pow(2).flatten(1).mean(1)
        if self.feature:
            loss = loss + self.feature * sum((a - b).pow(2).sum(1).flatten(1).mean(1)
                                             for a, b in zip(features(self.encoder, rendered), self.target_features))
        return loss
