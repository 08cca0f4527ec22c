"""Our test double of StyleCLIP's ``mapper/latent_mappers.py``; no StyleCLIP code.

Reproduces the checkpoint layout and the maths the tests check against
(``tcsve_builders.reference_mapper_delta``): a ``LevelsMapper`` has one ``Mapper`` per level that is
switched on (``course_mapping`` [sic, StyleCLIP's key] for W+ rows 0-3, ``medium_mapping`` 4-7,
``fine_mapping`` 8-17; a level switched off by ``no_<level>_mapper`` gives zeros), and each
``Mapper.mapping`` is ``[PixelNorm, 4 x EqualLinear(512, 512, lr_mul=0.01, fused_lrelu)]`` so the
state dict keys are ``<level>.mapping.<1..4>.weight/bias``.
"""
import torch
from torch import nn
from torch.nn import Module

from models.StyleCLIP.models.stylegan2.model import EqualLinear, PixelNorm

# (attribute, option switching it off, first W+ row, last row + 1)
LEVELS = (('course_mapping', 'no_coarse_mapper', 0, 4),
          ('medium_mapping', 'no_medium_mapper', 4, 8),
          ('fine_mapping', 'no_fine_mapper', 8, 18))


class Mapper(Module):
    def __init__(self, opts):
        super().__init__()
        self.opts = opts
        dense = [EqualLinear(512, 512, lr_mul=0.01, activation='fused_lrelu') for _ in range(4)]
        self.mapping = nn.Sequential(PixelNorm(), *dense)

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
        for attr, off, _, _ in LEVELS:
            if not getattr(opts, off):
                self.add_module(attr, Mapper(opts))

    def forward(self, x):
        pieces = []
        for attr, off, first, stop in LEVELS:
            rows = x[:, first:stop]
            pieces.append(torch.zeros_like(rows) if getattr(self.opts, off) else getattr(self, attr)(rows))
        return torch.cat(pieces, 1)
