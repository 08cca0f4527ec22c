"""A small StyleGAN2-like generator with W+ latents, and the encoder used to train it.

Synthesis: a learned constant 4x4 block, then styled 3x3 convolutions with weight
(de)modulation (StyleGAN2) at 4, 8, 16, 32, 64 px and a styled toRGB; every styled layer
reads its own row of the W+ code ``[N, n_styles, w_dim]`` (10 x 64 here), exactly the
structure of StyleGAN2's 18 x 512 W+. A mapping MLP z -> w gives the W prior (mean w,
sampling). The encoder maps images to W+ and initialises the inverter.
"""
from __future__ import annotations

import math
from typing import Dict, List

import torch
import torch.nn.functional as F
from torch import nn

CONFIG = {"w_dim": 64, "channels": [64, 64, 64, 48, 32], "size": 64}


class ModConv(nn.Module):
    def __init__(self, cin: int, cout: int, w_dim: int, k: int = 3, demod: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k) / math.sqrt(cin * k * k))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.affine = nn.Linear(w_dim, cin)
        nn.init.ones_(self.affine.bias)
        self.demod, self.k = demod, k

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        n, c, h, wd = x.shape
        s = self.affine(w)  # [N, cin]
        weight = self.weight[None] * s[:, None, :, None, None]
        if self.demod:
            weight = weight * torch.rsqrt(weight.pow(2).sum(dim=(2, 3, 4), keepdim=True) + 1e-8)
        out = F.conv2d(x.reshape(1, n * c, h, wd), weight.reshape(-1, c, self.k, self.k), padding=self.k // 2, groups=n)
        return out.reshape(n, -1, h, wd) + self.bias[None, :, None, None]


class Generator(nn.Module):
    def __init__(self, w_dim: int = 64, channels: List[int] = (64, 64, 64, 48, 32), size: int = 64):
        super().__init__()
        self.w_dim = w_dim
        self.const = nn.Parameter(torch.randn(1, channels[0], 4, 4))
        self.convs = nn.ModuleList([ModConv(channels[0], channels[0], w_dim)])
        for cin, cout in zip(channels[:-1], channels[1:]):
            self.convs.append(ModConv(cin, cout, w_dim))
            self.convs.append(ModConv(cout, cout, w_dim))
        self.to_rgb = ModConv(channels[-1], 3, w_dim, k=1, demod=False)
        self.n_styles = len(self.convs) + 1
        self.mapping = nn.Sequential(*[m for _ in range(4) for m in (nn.Linear(w_dim, w_dim), nn.LeakyReLU(0.2))])
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def synthesis(self, wplus: torch.Tensor) -> torch.Tensor:
        """W+ ``[N, n_styles, w_dim]`` -> images ``[N, 3, 64, 64]`` in [0, 1]."""
        x = self.const.expand(len(wplus), -1, -1, -1)
        for i, conv in enumerate(self.convs):
            if i > 0 and i % 2 == 1:
                x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
            x = F.leaky_relu(conv(x, wplus[:, i]), 0.2)
        return torch.sigmoid(self.to_rgb(x, wplus[:, -1]) * 2.0)

    def forward(self, wplus: torch.Tensor) -> torch.Tensor:
        return self.synthesis(wplus)


class Encoder(nn.Module):
    """Images -> W+ (used to train the generator and to start inversion).

    A global branch (four stride-2 conv blocks, pooled, linear head) gives the code; a shape branch
    sees the strip where the object can be (``world.OBJECT_STRIP``) at full resolution, max-pooled
    over positions (the object moves with the camera), and gives the probability that the object is
    a box, ``p``; the code is ``head(features) + p * box_step(features)``. Why: a box differs from a
    disc by its corners, ~20 pixels, which the pooled global branch never learned to see (its codes
    drew every box as a disc, docs/toy.md Part 0); the branch is trained on the true shape, and the
    step through the frozen generator. ``box_step`` starts at zero: a fresh branch changes no code."""

    def __init__(self, n_styles: int, w_dim: int = 64):
        super().__init__()
        ch = [3, 32, 64, 96, 128]
        layers = []
        for cin, cout in zip(ch[:-1], ch[1:]):
            layers += [nn.Conv2d(cin, cout, 3, stride=2, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(cout, cout, 3, padding=1), nn.LeakyReLU(0.2)]
        self.net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(2), nn.Flatten())
        self.head = nn.Linear(128 * 4, n_styles * w_dim)
        self.shape_net = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(16, 32, 3, padding=1),
                                       nn.LeakyReLU(0.2), nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
                                       nn.Conv2d(32, 32, 3, padding=1), nn.LeakyReLU(0.2), nn.AdaptiveMaxPool2d(1),
                                       nn.Flatten(), nn.Linear(32, 1))
        self.box_step = nn.Linear(128 * 4, n_styles * w_dim)
        nn.init.zeros_(self.box_step.weight), nn.init.zeros_(self.box_step.bias)
        self.n_styles, self.w_dim = n_styles, w_dim

    def box_logit(self, img: torch.Tensor) -> torch.Tensor:
        """``[N]`` logit of "the object is a box" (trained on the world's shape factor)."""
        from .world import OBJECT_STRIP

        return self.shape_net(img[:, :, OBJECT_STRIP[0], OBJECT_STRIP[1]] * 2 - 1)[:, 0]

    def forward(self, img: torch.Tensor) -> torch.Tensor:
        h = self.net(img * 2 - 1)
        p = torch.sigmoid(self.box_logit(img))[:, None]
        return (self.head(h) + p * self.box_step(h)).reshape(len(img), self.n_styles, self.w_dim)


def build(config: Dict = CONFIG):
    g = Generator(config["w_dim"], config["channels"], config["size"])
    return g, Encoder(g.n_styles, config["w_dim"])
