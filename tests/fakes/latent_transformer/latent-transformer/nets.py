"""Fake nets.py: the latent transformer (F_mapping) and latent classifier (LCNet).

F_mapping: one Dense_layer per W+ row (equalised learning rate: weight * gain / sqrt(fan_in)
* lrmul at run time), linear activation; forward returns coeff * A(w) + w.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class LCNet(nn.Module):
    def __init__(self, fmaps=[6048, 2048, 512, 40], activ='relu'):
        super().__init__()
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(fmaps[:-1], fmaps[1:]))
        self.relu = nn.LeakyReLU(0.2) if activ == 'leakyrelu' else nn.ReLU()

    def forward(self, x):
        for fc in self.fcs[:-1]:
            x = self.relu(fc(x))
        return self.fcs[-1](x)


def get_weight(weight, gain=1, use_wscale=True, lrmul=1):
    fan_in = np.prod(weight.size()[1:])
    coef = gain / np.sqrt(fan_in) * lrmul if use_wscale else lrmul
    return weight * coef


def apply_bias_act(x, act='linear', alpha=None, gain=None):
    if act == 'lrelu':
        return F.leaky_relu(x, negative_slope=0.2 if alpha is None else alpha) * (np.sqrt(2) if gain is None else gain)
    return x


class Dense_layer(nn.Module):
    def __init__(self, input_size, output_size, gain=1, use_wscale=True, lrmul=1):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(output_size, input_size))
        self.bias = nn.Parameter(torch.zeros(output_size))
        self.gain, self.use_wscale, self.lrmul = gain, use_wscale, lrmul
        nn.init.xavier_uniform_(self.weight)

    def forward(self, x):
        return F.linear(x, get_weight(self.weight, self.gain, self.use_wscale, self.lrmul), self.bias)


class F_mapping(nn.Module):
    def __init__(self, dlatent_size=512, mapping_layers=18, mapping_fmaps=512, mapping_lrmul=1,
                 mapping_nonlinearity='lrelu', dtype=torch.float32, **_kwargs):
        super().__init__()
        self.mapping_layers = mapping_layers
        self.act = mapping_nonlinearity
        self.dtype = dtype
        self.dense = nn.ModuleList(Dense_layer(mapping_fmaps, mapping_fmaps, lrmul=mapping_lrmul)
                                   for _ in range(mapping_layers))

    def forward(self, latents_in, coeff):
        latents_in = latents_in.type(self.dtype)
        rows = latents_in.split(512, dim=1)
        x = torch.cat([apply_bias_act(self.dense[i](rows[i]), act='linear') for i in range(self.mapping_layers)], dim=1)
        return coeff.view(x.size(0), -1) * x + latents_in
