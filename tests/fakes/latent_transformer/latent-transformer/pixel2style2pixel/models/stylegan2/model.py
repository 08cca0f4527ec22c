"""Our test double of pSp's ``models/stylegan2/model.py`` (rosinality's StyleGAN2); no pSp code.

Reproduces ``Generator(size, style_dim, n_mlp, channel_multiplier=2, blur_kernel=[1, 3, 3, 1],
lr_mlp=0.01)`` with ``n_latent`` = 2 log2(size) - 2 W+ rows (18 at 1024 px), every row used, and
its forward signature ``(styles, return_latents, inject_index, truncation, truncation_latent,
input_is_latent, noise, randomize_noise) -> (image, latent or None)``. Like the real module it
imports ``FusedLeakyReLU``, ``fused_leaky_relu`` and ``upfirdn2d`` from ``models.stylegan2.op``
(whose CUDA build fails on a CPU-only machine until the adapter serves CPU ops) and uses them.
Tiny and random: 8 channels, 32 px images whatever ``size`` is; the tests read ``input`` (the
constant 4x4 input) and ``layers[i].activate``.
"""
import torch
from torch import nn
from torch.nn import functional as F

from models.stylegan2.op import FusedLeakyReLU, fused_leaky_relu, upfirdn2d

WIDTH = 8
UPSAMPLED_LAYERS = 3  # 4 px -> 32 px
BOX = torch.ones(2, 2)  # nearest-neighbour upsampling as an FIR filter (zero-stuffed by upfirdn2d)


class MappingLayer(nn.Module):
    def __init__(self, dim, lr_mul):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(dim, dim) / lr_mul)
        self.bias = nn.Parameter(torch.zeros(dim))
        self.gain, self.lr_mul = lr_mul / dim ** 0.5, lr_mul  # equalised learning rate

    def forward(self, x):
        return fused_leaky_relu(x @ (self.weight * self.gain).t(), self.bias * self.lr_mul)


class ModulatedConv(nn.Module):
    """3x3 convolution of (features x style); optionally doubles the resolution first."""

    def __init__(self, style_dim, upsample):
        super().__init__()
        self.to_style = nn.Linear(style_dim, WIDTH)
        nn.init.ones_(self.to_style.bias)
        self.kernel = nn.Parameter(torch.randn(WIDTH, WIDTH, 3, 3) / (3 * WIDTH ** 0.5))
        self.upsample = upsample
        self.activate = FusedLeakyReLU(WIDTH)

    def forward(self, x, w):
        if self.upsample:
            x = upfirdn2d(x, BOX.to(x), up=2, pad=(1, 0))
        return self.activate(F.conv2d(x * self.to_style(w)[:, :, None, None], self.kernel, padding=1))


class Generator(nn.Module):
    def __init__(self, size, style_dim, n_mlp, channel_multiplier=2, blur_kernel=[1, 3, 3, 1], lr_mlp=0.01):
        super().__init__()
        self.size, self.style_dim = size, style_dim
        self.n_latent = 2 * (size.bit_length() - 1) - 2
        self.style = nn.Sequential(*[MappingLayer(style_dim, lr_mlp) for _ in range(n_mlp)])
        self.input = nn.Parameter(torch.randn(1, WIDTH, 4, 4))
        grow_at = {round(self.n_latent * k / (UPSAMPLED_LAYERS + 1)) for k in range(1, UPSAMPLED_LAYERS + 1)}
        self.layers = nn.ModuleList([ModulatedConv(style_dim, i in grow_at) for i in range(self.n_latent - 1)])
        self.to_rgb_style = nn.Linear(style_dim, WIDTH)
        self.to_rgb = nn.Parameter(torch.randn(3, WIDTH, 1, 1) / WIDTH ** 0.5)

    def forward(self, styles, return_latents=False, inject_index=None, truncation=1, truncation_latent=None,
                input_is_latent=False, noise=None, randomize_noise=True):
        w = styles[0]
        if not input_is_latent:  # z -> w (normalised first, as StyleGAN2's mapping does)
            w = self.style(w * (w.pow(2).mean(-1, keepdim=True) + 1e-8).rsqrt())
        if w.dim() == 2:
            w = w[:, None].expand(-1, self.n_latent, -1)
        x = self.input.expand(len(w), -1, -1, -1)
        for row, conv in enumerate(self.layers):
            x = conv(x, w[:, row])
        image = torch.tanh(F.conv2d(x * self.to_rgb_style(w[:, -1])[:, :, None, None], self.to_rgb))
        return image, (w if return_latents else None)
