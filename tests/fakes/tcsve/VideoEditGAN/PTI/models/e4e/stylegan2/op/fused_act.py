"""Our test double (our own code) of e4e's copy of rosinality's fused activation: like the real one it
sends its input
to the GPU, so the encoder imports on a CPU-only machine but its first forward pass fails."""
import torch
from torch.nn import functional as F


def fused_leaky_relu(input, bias, negative_slope=0.2, scale=2 ** 0.5):
    input = input.cuda()  # the hard-coded device of the real op
    return F.leaky_relu(input + bias.view(1, -1, *([1] * (input.ndim - 2))), negative_slope) * scale


class FusedLeakyReLU(torch.nn.Module):
    def __init__(self, channel, negative_slope=0.2, scale=2 ** 0.5):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.zeros(channel))
        self.negative_slope, self.scale = negative_slope, scale

    def forward(self, input):
        return fused_leaky_relu(input, self.bias, self.negative_slope, self.scale)
