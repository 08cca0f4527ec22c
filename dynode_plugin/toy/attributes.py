"""The toy world's attribute regressor on images (id "toy-attributes"): frames -> attribute values.

What StyleCLIP / Latent Transformer use a classifier for, and what the attribute-strength
metric reads: a small CNN trained on rendered scenes against the world's own factors,
one output per edit name, larger = more of the attribute:

* ``colour``: red minus blue of the object (the ``colour`` edit goes blue -> red);
* ``lighting``: the global brightness factor;
* ``background``: the mean background colour (dark -> bright);
* ``shape``: 0 = disc, 1 = box (also the shape classifier of ``toy/quality.py``, threshold 0.5).

It ships inside the toy weights file (``regressor.*`` tensors).
"""
from __future__ import annotations

from typing import Dict

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import MissingWeightsError
from ..metrics.base import Regressor
from .world import OBJECT_STRIP as STRIP
from .world import random_factors, render

ATTRIBUTES = ("colour", "lighting", "background", "shape")


def targets(f: Dict[str, torch.Tensor]) -> torch.Tensor:
    """The true attribute values ``[N, 4]`` of scenes with factors ``f``."""
    return torch.stack([f["obj_r"] - f["obj_b"], f["light"], (f["bg_r"] + f["bg_g"] + f["bg_b"]) / 3, f["shape"]], 1)



def _convs(ch, strides):
    layers = []
    for cin, cout, st in zip(ch[:-1], ch[1:], strides):
        layers += [nn.Conv2d(cin, cout, 3, stride=st, padding=1), nn.LeakyReLU(0.2)]
    return layers


class AttributeNet(nn.Module):
    """A global branch (colour, lighting, background) and, for the shape, a full-resolution branch on
    the strip where the object can be: a box differs from a disc by its corners, a few pixels."""

    def __init__(self):
        super().__init__()
        self.glob = nn.Sequential(*_convs([3, 16, 32, 48, 48], [2, 2, 2, 2]), nn.Flatten(), nn.Linear(48 * 16, 64),
                                  nn.LeakyReLU(0.2), nn.Linear(64, 3))
        self.local = nn.Sequential(*_convs([3, 16, 32, 32], [1, 2, 2]), nn.Flatten(), nn.Linear(32 * 8 * 7, 64),
                                   nn.LeakyReLU(0.2), nn.Linear(64, 1))

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        x = x * 2 - 1
        return torch.cat([self.glob(x), self.local(x[:, :, STRIP[0], STRIP[1]])], 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.logits(x)
        return torch.cat([out[:, :3], torch.sigmoid(out[:, 3:])], 1)  # shape is a probability


def train_regressor(steps: int = 500, batch: int = 32, seed: int = 2, lr: float = 2e-3, log=print) -> AttributeNet:
    """Fit on freshly rendered random scenes (seed 2: scenes the generator's training never drew)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    net = AttributeNet()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps, eta_min=lr * 0.05)
    for step in range(1, steps + 1):
        f = random_factors(batch, gen)
        out, t = net.logits(render(f)), targets(f)
        loss = (out[:, :3] - t[:, :3]).pow(2).mean() + 0.1 * F.binary_cross_entropy_with_logits(out[:, 3], t[:, 3])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0:
            log(f"regressor step {step} loss {float(loss.detach()):.5f}")
    return net.eval()


class ToyAttributeRegressor(Regressor):
    """The shipped regressor as a metrics encoder (``--regressor toy-attributes --attribute colour``)."""

    id = "toy-attributes"
    summary = "toy world attribute regressor (colour, lighting, background, shape) on 64x64 frames"
    attributes = list(ATTRIBUTES)
    batch = 256

    def __init__(self, net: AttributeNet = None):
        self._net = net

    def predict(self, frames: torch.Tensor) -> torch.Tensor:
        if self._net is None:
            from .assets import load_assets

            self._net = load_assets().regressor
            if self._net is None:
                from .assets import ASSETS

                raise MissingWeightsError("toy attribute regressor", "toy_generator.safetensors (regressor.*)", [ASSETS],
                                          "rebuild the toy weights with `python -m dynode_plugin.toy.train`")
        with torch.no_grad():
            return self._net(frames.float())
