"""Our test double of pSp's ``models/encoders/psp_encoders.py`` (no pSp code): ``GradualStyleEncoder(num_layers,
mode, opts)`` -> W+ codes [B, 18, 512] from a 256 px image; tiny and random."""
import torch
from torch import nn
from torch.nn import functional as F


class GradualStyleEncoder(nn.Module):
    def __init__(self, num_layers, mode='ir', opts=None):
        super().__init__()
        self.input_layer = nn.Conv2d(3, 8, 8, stride=8)
        self.styles = nn.Linear(8 * 4 * 4, 18 * 512)

    def forward(self, x):
        h = F.adaptive_avg_pool2d(F.leaky_relu(self.input_layer(x), 0.2), 4).flatten(1)
        return self.styles(h).view(-1, 18, 512)
