"""Fake pSp StyleGAN2 generator: rosinality's constructor and forward signature, tiny network.

Uses the op package the way the real model does (FusedLeakyReLU, fused_leaky_relu,
upfirdn2d imported from ``models.stylegan2.op``), so importing it on a CPU-only machine
fails unless the op package is replaced. Every one of the n_latent = 2 log2(size) - 2 W+
rows modulates one layer; images are 32 px whatever ``size`` is.
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

from models.stylegan2.op import FusedLeakyReLU, fused_leaky_relu, upfirdn2d


class PixelNorm(nn.Module):
    def forward(self, input):
        return input * torch.rsqrt(torch.mean(input ** 2, dim=1, keepdim=True) + 1e-8)


def make_kernel(k):
    k = torch.tensor(k, dtype=torch.float32)
    k = k[None, :] * k[:, None]
    return k / k.sum()


class EqualLinear(nn.Module):
    def __init__(self, in_dim, out_dim, bias=True, bias_init=0, lr_mul=1, activation=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim).div_(lr_mul))
        self.bias = nn.Parameter(torch.zeros(out_dim).fill_(bias_init)) if bias else None
        self.activation = activation
        self.scale = (1 / math.sqrt(in_dim)) * lr_mul
        self.lr_mul = lr_mul

    def forward(self, input):
        if self.activation:
            return fused_leaky_relu(F.linear(input, self.weight * self.scale), self.bias * self.lr_mul)
        return F.linear(input, self.weight * self.scale, bias=self.bias * self.lr_mul)


class Upsample(nn.Module):
    def __init__(self, kernel=(1, 3, 3, 1), factor=2):
        super().__init__()
        self.factor = factor
        self.register_buffer('kernel', make_kernel(kernel) * factor ** 2)
        p = self.kernel.shape[0] - factor
        self.pad = ((p + 1) // 2 + factor - 1, p // 2)

    def forward(self, input):
        return upfirdn2d(input, self.kernel, up=self.factor, down=1, pad=self.pad)


class StyledLayer(nn.Module):
    def __init__(self, channels, style_dim, upsample=False):
        super().__init__()
        self.modulation = EqualLinear(style_dim, channels, bias_init=1)
        self.weight = nn.Parameter(torch.randn(channels, channels, 3, 3))
        self.up = Upsample() if upsample else None
        self.activate = FusedLeakyReLU(channels)

    def forward(self, x, style):
        x = x * self.modulation(style)[:, :, None, None]
        if self.up is not None:
            x = self.up(x)
        x = F.conv2d(x, self.weight / math.sqrt(9 * x.shape[1]), padding=1)
        return self.activate(x)


class Generator(nn.Module):
    def __init__(self, size, style_dim, n_mlp, channel_multiplier=2, blur_kernel=[1, 3, 3, 1], lr_mlp=0.01):
        super().__init__()
        self.size = size
        self.style_dim = style_dim
        self.log_size = int(math.log(size, 2))
        self.n_latent = self.log_size * 2 - 2
        self.style = nn.Sequential(PixelNorm(), *[EqualLinear(style_dim, style_dim, lr_mul=lr_mlp, activation='fused_lrelu')
                                                  for _ in range(n_mlp)])
        channels = 8
        self.input = nn.Parameter(torch.randn(1, channels, 4, 4))
        ups = {self.n_latent // 4, self.n_latent // 2, 3 * self.n_latent // 4}  # 4 -> 32 px
        self.layers = nn.ModuleList(StyledLayer(channels, style_dim, upsample=i in ups) for i in range(self.n_latent - 1))
        self.to_rgb = EqualLinear(style_dim, channels, bias_init=1)
        self.rgb_weight = nn.Parameter(torch.randn(3, channels, 1, 1) * 0.3)

    def forward(self, styles, return_latents=False, inject_index=None, truncation=1, truncation_latent=None,
                input_is_latent=False, noise=None, randomize_noise=True):
        if not input_is_latent:
            styles = [self.style(s) for s in styles]
        latent = styles[0]
        if latent.ndim < 3:
            latent = latent.unsqueeze(1).repeat(1, self.n_latent, 1)
        x = self.input.repeat(latent.shape[0], 1, 1, 1)
        for i, layer in enumerate(self.layers):
            x = layer(x, latent[:, i])
        x = x * self.to_rgb(latent[:, self.n_latent - 1])[:, :, None, None]
        image = torch.tanh(F.conv2d(x, self.rgb_weight / math.sqrt(x.shape[1])))
        return (image, latent) if return_latents else (image, None)
