"""Our test double of Latent Transformer's ``nets.py``; no LT code.

Reproduces what the adapter loads: ``F_mapping(dlatent_size, mapping_layers, mapping_fmaps,
mapping_lrmul, mapping_nonlinearity, ...)``, whose state dict holds ``dense.<i>.weight`` [512, 512]
and ``dense.<i>.bias`` [512] for each of the 18 W+ rows, and ``forward(latents_in [B, 18*512],
coeff [B]) = latents_in + coeff * A(latents_in)`` with A applied row by row as
``W_i w_i / sqrt(512) * lrmul + b_i`` (equalised learning rate, linear output). ``LCNet`` is the
latent classifier ``Trainer`` builds (a plain MLP here).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LCNet(nn.Module):
    def __init__(self, fmaps=[6048, 2048, 512, 40], activ='relu'):
        super().__init__()
        layers = []
        for n_in, n_out in zip(fmaps, fmaps[1:]):
            layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.2) if activ == 'leakyrelu' else nn.ReLU()]
        self.net = nn.Sequential(*layers[:-1])  # no activation after the logits

    def forward(self, x):
        return self.net(x)


class Dense_layer(nn.Module):
    """A linear layer whose weight is scaled at run time by lrmul / sqrt(fan_in)."""

    def __init__(self, input_size, output_size, gain=1, use_wscale=True, lrmul=1):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(output_size, input_size))
        self.bias = nn.Parameter(torch.zeros(output_size))
        self.scale = (gain / math.sqrt(input_size) if use_wscale else 1.0) * lrmul

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


class F_mapping(nn.Module):
    def __init__(self, dlatent_size=512, mapping_layers=18, mapping_fmaps=512, mapping_lrmul=1,
                 mapping_nonlinearity='lrelu', dtype=torch.float32, **_kwargs):
        super().__init__()
        self.width, self.precision = mapping_fmaps, dtype
        self.dense = nn.ModuleList([Dense_layer(mapping_fmaps, mapping_fmaps, lrmul=mapping_lrmul)
                                    for _ in range(mapping_layers)])

    def forward(self, latents_in, coeff):
        w = latents_in.to(self.precision)
        rows = w.reshape(len(w), len(self.dense), self.width).unbind(1)
        change = torch.cat([layer(row) for layer, row in zip(self.dense, rows)], 1)
        return w + coeff.reshape(len(w), 1) * change
