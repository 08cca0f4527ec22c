"""Our test double of STIT's ``models/seg_model_2.py`` (no STIT code): ``BiSeNet(n_classes)``, a
tiny random face parser returning three [B, n_classes, H, W] maps (no ResNet download here)."""
import torch
from torch.nn import functional as F


class BiSeNet(torch.nn.Module):
    def __init__(self, n_classes, *args, **kwargs):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, n_classes, 3, padding=1)

    def forward(self, x):
        out = self.conv(F.avg_pool2d(x, 4))
        out = F.interpolate(out, size=x.shape[-2:], mode='bilinear', align_corners=True)
        return out, out, out
