"""Our test double (our own code) of the StyleGAN2-ADA generator PTI tunes and pickles whole (tiny: 16x16
output).

Only the interface the TCSVE scripts use: ``G.synthesis(ws [N,18,512], noise_mode='const',
force_fp32=True) -> images [N,3,H,W] in about [-1, 1]``, plus ``z_dim``/``w_dim``/``num_ws``.
"""
import torch
from torch import nn


class SynthesisNetwork(nn.Module):
    def __init__(self, w_dim=512, num_ws=18, img_resolution=16, img_channels=3):
        super().__init__()
        self.w_dim, self.num_ws, self.img_resolution = w_dim, num_ws, img_resolution
        self.affine = nn.Linear(num_ws * w_dim, img_channels * img_resolution * img_resolution)

    def forward(self, ws, noise_mode='random', force_fp32=False):
        assert ws.shape[1:] == (self.num_ws, self.w_dim), ws.shape
        x = self.affine(ws.reshape(len(ws), -1) / 10.0)
        return torch.tanh(x).reshape(len(ws), -1, self.img_resolution, self.img_resolution)


class Generator(nn.Module):
    def __init__(self, z_dim=512, w_dim=512, num_ws=18, img_resolution=16, img_channels=3):
        super().__init__()
        self.z_dim, self.w_dim, self.num_ws = z_dim, w_dim, num_ws
        self.synthesis = SynthesisNetwork(w_dim, num_ws, img_resolution, img_channels)

    def forward(self, ws, noise_mode='const', force_fp32=True):
        return self.synthesis(ws, noise_mode=noise_mode, force_fp32=force_fp32)
