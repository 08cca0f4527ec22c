"""Fake of StyleCLIP's latent mappers: per level (coarse 0-3, medium 4-7, fine 8-17) a
PixelNorm + 4 EqualLinear(512, 512, lr_mul=0.01, fused_lrelu) network; a level switched
off with ``no_<level>_mapper`` contributes zeros."""
import torch
from torch import nn
from torch.nn import Module

from models.StyleCLIP.models.stylegan2.model import EqualLinear, PixelNorm


class Mapper(Module):
    def __init__(self, opts):
        super().__init__()
        self.opts = opts
        layers = [PixelNorm()] + [EqualLinear(512, 512, lr_mul=0.01, activation='fused_lrelu') for _ in range(4)]
        self.mapping = nn.Sequential(*layers)

    def forward(self, x):
        return self.mapping(x)


class SingleMapper(Module):
    def __init__(self, opts):
        super().__init__()
        self.opts = opts
        self.mapping = Mapper(opts)

    def forward(self, x):
        return self.mapping(x)


class LevelsMapper(Module):
    def __init__(self, opts):
        super().__init__()
        self.opts = opts
        if not opts.no_coarse_mapper:
            self.course_mapping = Mapper(opts)  # (sic) the real attribute name
        if not opts.no_medium_mapper:
            self.medium_mapping = Mapper(opts)
        if not opts.no_fine_mapper:
            self.fine_mapping = Mapper(opts)

    def forward(self, x):
        parts = []
        for flag, name, piece in (("no_coarse_mapper", "course_mapping", x[:, :4, :]),
                                  ("no_medium_mapper", "medium_mapping", x[:, 4:8, :]),
                                  ("no_fine_mapper", "fine_mapping", x[:, 8:, :])):
            parts.append(torch.zeros_like(piece) if getattr(self.opts, flag) else getattr(self, name)(piece))
        return torch.cat(parts, dim=1)
