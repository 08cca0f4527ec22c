"""FVD video encoder from a user-supplied StyleGAN-V ``i3d_torchscript.pt`` (I3D Kinetics-400).

Looked for at ``--i3d-weights``, ``$DYNODE_I3D_WEIGHTS``, then ``~/.cache/dynode/i3d_torchscript.pt``.
Clips of 16 frames are resized (bilinear) to 224x224 and scaled to [-1, 1] before the network.
Not shipped: the file is distributed by the StyleGAN-V authors.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Optional

import torch

from ..errors import MissingWeightsError
from .base import Encoder

FILENAME = "i3d_torchscript.pt"


def find_weights(path: Optional[str] = None) -> Path:
    candidates = [Path(p) for p in (path, os.environ.get("DYNODE_I3D_WEIGHTS")) if p]
    candidates.append(Path.home() / ".cache" / "dynode" / FILENAME)
    for c in candidates:
        if c.is_file():
            return c
    raise MissingWeightsError("FVD (I3D)", FILENAME, candidates,
                              "Download i3d_torchscript.pt as StyleGAN-V's FVD code does and pass --i3d-weights PATH "
                              "or set DYNODE_I3D_WEIGHTS.")


class I3DTorchScript(Encoder):
    id = "i3d-torchscript"
    kind = "video"

    def __init__(self, weights: Optional[str] = None):
        self.path = find_weights(weights)
        self.net = torch.jit.load(str(self.path), map_location="cpu").eval()

    def weights_sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    @torch.no_grad()
    def embed_clips(self, clips: torch.Tensor) -> torch.Tensor:
        b, t = clips.shape[:2]
        x = torch.nn.functional.interpolate(clips.reshape(b * t, *clips.shape[2:]), size=(224, 224), mode="bilinear", align_corners=False)
        x = (x * 2 - 1).reshape(b, t, 3, 224, 224).permute(0, 2, 1, 3, 4)  # [B, 3, T, 224, 224]
        return self.net(x, rescale=False, resize=False, return_features=True)
