"""Our test double of StyleCLIP's copy of rosinality's ``op/fused_act.py``; no host code.

Reproduces the names and signatures, the maths (leaky ReLU of input + bias, times ``scale``; a 3-D
input [batch, rows, channels], the mapper's case, takes the bias on its last axis) and the pitfall
the adapter's CPU ops replace: the input is sent to the GPU (``.cuda()``), so importing works on a
CPU-only machine and the first forward pass fails.
"""
import torch
from torch import nn
from torch.nn import functional as F


class FusedLeakyReLU(nn.Module):
    def __init__(self, channel, negative_slope=0.2, scale=2 ** 0.5):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channel))
        self.slope, self.gain = negative_slope, scale

    def forward(self, input):
        return fused_leaky_relu(input, self.bias, self.slope, self.gain)


def fused_leaky_relu(input, bias, negative_slope=0.2, scale=2 ** 0.5):
    x = input.cuda()
    if x.dim() != 3:  # channels on axis 1
        bias = bias.reshape(-1, *[1] * (x.dim() - 2))
    return scale * F.leaky_relu(x + bias, negative_slope)
