"""Our test double of StyleCLIP's ``models/stylegan2/model.py`` (rosinality's StyleGAN2); no host code.

Only the two layers the latent mapper is built from, with the maths the tests check:
``PixelNorm`` (x / rms over dim 1, which for the mapper's [B, rows, 512] input is the row axis)
and ``EqualLinear(in_dim, out_dim, bias=True, bias_init=0, lr_mul=1, activation=None)``
(weight stored divided by lr_mul, used times lr_mul / sqrt(in_dim); with an activation, the
op package's ``fused_leaky_relu`` adds the bias times lr_mul). It imports the op package as the
real module does, so the adapter's CPU ops are exercised.
"""
import torch
from torch import nn
from torch.nn import functional as F

from models.StyleCLIP.models.stylegan2.op import FusedLeakyReLU, fused_leaky_relu, upfirdn2d  # noqa: F401


class PixelNorm(nn.Module):
    def forward(self, input):
        return input / (input.pow(2).mean(1, keepdim=True) + 1e-8).sqrt()


class EqualLinear(nn.Module):
    def __init__(self, in_dim, out_dim, bias=True, bias_init=0, lr_mul=1, activation=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_dim,), float(bias_init))) if bias else None
        self.activation, self.lr_mul = activation, lr_mul
        self.gain = lr_mul / in_dim ** 0.5

    def forward(self, input):
        bias = None if self.bias is None else self.bias * self.lr_mul
        if not self.activation:
            return F.linear(input, self.weight * self.gain, bias)
        return fused_leaky_relu(F.linear(input, self.weight * self.gain), bias)
