"""Fake of the StyleCLIP copy of rosinality's fused activation.

Like the real file it is "pure" PyTorch but forces its input onto the GPU, so importing
works on a CPU-only machine and the first forward pass fails there. 3-D inputs
([batch, layers, channels], the mapper's case) take the bias on the last axis.
"""
import torch
from torch import nn
from torch.nn import functional as F


class FusedLeakyReLU(nn.Module):
    def __init__(self, channel, negative_slope=0.2, scale=2 ** 0.5):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channel))
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, input):
        return fused_leaky_relu(input, self.bias, self.negative_slope, self.scale)


def fused_leaky_relu(input, bias, negative_slope=0.2, scale=2 ** 0.5):
    input = input.cuda()  # the hard-coded device of the real op
    if input.ndim == 3:
        shaped = bias.view(1, 1, -1)
    else:
        shaped = bias.view(1, -1, *([1] * (input.ndim - 2)))
    return F.leaky_relu(input + shaped, negative_slope=negative_slope) * scale
