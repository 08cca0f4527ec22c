"""ArcFace IR-SE50 face-recognition network in plain torch (Deng et al. 2019; SE: Hu et al. 2018).

Architecture: 112x112 input; a 3x3 conv stem (BN, PReLU); 3 + 4 + 14 + 3 "improved residual"
units at 64/128/256/512 channels, the first unit of each stage striding by 2; every unit is
BN -> conv3x3 -> PReLU -> conv3x3(stride) -> BN -> squeeze-excitation (reduction 16), added
to a shortcut (1x1 conv + BN when the width changes, else plain subsampling); then BN,
dropout, flatten 512x7x7, linear to 512, BN1d, and L2 normalisation.

Parameter names follow the layout of the public IR-SE50 checkpoints (pSp's
``model_ir_se50.pth`` and facexlib's ``recognition_arcface_ir_se50.pth`` share it:
``input_layer.*``, ``body.<i>.shortcut_layer.*`` / ``body.<i>.res_layer.*`` with the SE
block at ``res_layer.5.fc1/fc2``, ``output_layer.*``), so they load without renaming.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

# (input width, output width, units) per stage
IR_SE50_STAGES: List[Tuple[int, int, int]] = [(64, 64, 3), (64, 128, 4), (128, 256, 14), (256, 512, 3)]


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        self.fc1 = nn.Conv2d(channels, channels // reduction, 1, bias=False)
        self.fc2 = nn.Conv2d(channels // reduction, channels, 1, bias=False)

    def forward(self, x):
        w = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean((2, 3), keepdim=True)))))
        return x * w


class Subsample(nn.Module):
    """Identity shortcut that keeps every ``stride``-th pixel (a 1x1 max pool; no parameters)."""

    def __init__(self, stride: int):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x[:, :, :: self.stride, :: self.stride]


class IRSEUnit(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        if cin == cout:
            self.shortcut_layer = Subsample(stride)
        else:
            self.shortcut_layer = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.res_layer = nn.Sequential(
            nn.BatchNorm2d(cin),
            nn.Conv2d(cin, cout, 3, 1, 1, bias=False),
            nn.PReLU(cout),
            nn.Conv2d(cout, cout, 3, stride, 1, bias=False),
            nn.BatchNorm2d(cout),
            SqueezeExcite(cout),
        )

    def forward(self, x):
        return self.res_layer(x) + self.shortcut_layer(x)


class IRSE50(nn.Module):
    """``[B, 3, 112, 112]`` in [-1, 1] -> L2-normalised identity embeddings ``[B, 512]``."""

    def __init__(self, drop_ratio: float = 0.6):
        super().__init__()
        self.input_layer = nn.Sequential(nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.PReLU(64))
        units = []
        for cin, cout, n in IR_SE50_STAGES:
            units.append(IRSEUnit(cin, cout, 2))
            units += [IRSEUnit(cout, cout, 1) for _ in range(n - 1)]
        self.body = nn.Sequential(*units)
        self.output_layer = nn.Sequential(nn.BatchNorm2d(512), nn.Dropout(drop_ratio), nn.Flatten(),
                                          nn.Linear(512 * 7 * 7, 512), nn.BatchNorm1d(512))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.output_layer(self.body(self.input_layer(x)))
        return F.normalize(x, dim=1)


def clean_state_dict(obj) -> Dict[str, torch.Tensor]:
    """Accept a bare state dict or one wrapped as {'state_dict'|'model'|'params': ...}, with or
    without a DataParallel 'module.' / 'facenet.' prefix -> the keys of :class:`IRSE50`."""
    for key in ("state_dict", "model", "params", "params_ema"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
    if not isinstance(obj, dict):
        raise TypeError(f"expected a state dict, got {type(obj).__name__}")
    out = {}
    for k, v in obj.items():
        for prefix in ("module.", "facenet."):
            if k.startswith(prefix):
                k = k[len(prefix):]
        out[k] = v
    return out
