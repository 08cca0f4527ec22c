"""ArcFace IR-SE50 identity encoder (``arcface``): the paper-comparable identity features.

Weights are not shipped: ``--arcface-weights PATH``, ``$DYNODE_ARCFACE_WEIGHTS``, or the cache
folder (``model_ir_se50.pth`` from pSp, or ``recognition_arcface_ir_se50.pth`` from facexlib;
the two share one layout). Alignment: see :mod:`dynode_plugin.metrics.face_align`; the mode
in use is recorded with every number.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import torch

from ..errors import DynodeInputError
from .base import Embeddings, Encoder
from .weights import find_weights, sha256_file

FILENAMES = ("model_ir_se50.pth", "recognition_arcface_ir_se50.pth")
HOW_TO_GET = (
    "ArcFace IR-SE50 weights are not distributed with dynode-plugin. Use pSp's model_ir_se50.pth "
    "(linked from the pixel2style2pixel README) or facexlib's recognition_arcface_ir_se50.pth "
    "(its GitHub release v0.1.0), then pass --arcface-weights PATH, set DYNODE_ARCFACE_WEIGHTS, "
    "or put the file in ~/.cache/dynode/."
)


def load_irse50(path) -> "torch.nn.Module":
    from .arcface_net import IRSE50, clean_state_dict

    try:
        obj = torch.load(str(path), map_location="cpu", weights_only=True)
        sd = clean_state_dict(obj)
    except Exception as exc:
        raise DynodeInputError(f"cannot read ArcFace weights {path}: {type(exc).__name__}: {exc}") from None
    net = IRSE50()
    missing, unexpected = net.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise DynodeInputError(f"{path} is not an IR-SE50 state dict: {len(missing)} missing keys (e.g. {missing[:3]}), "
                               f"{len(unexpected)} unexpected (e.g. {unexpected[:3]})")
    return net.eval()


class ArcFaceEncoder(Encoder):
    id = "arcface"
    kind = "identity"
    summary = "ArcFace IR-SE50 512-d identity embedding (weights by path; facexlib/dlib/center-crop alignment)"

    def __init__(self, weights: Optional[str] = None, align: str = "auto", batch: int = 8, net: Optional[torch.nn.Module] = None):
        from .face_align import make_aligner, resolve_mode

        if net is None:
            self.path = find_weights("ArcFace IR-SE50 identity encoder", FILENAMES, weights, "DYNODE_ARCFACE_WEIGHTS", HOW_TO_GET)
            self.net = load_irse50(self.path)
        else:  # tests and callers with an in-memory network
            self.path, self.net = None, net.eval()
        self.align = resolve_mode(align)
        self.aligner = make_aligner(self.align)
        self.batch = batch

    def weights_sha256(self) -> Optional[str]:
        return sha256_file(self.path) if self.path is not None else None

    def describe(self) -> Dict[str, Any]:
        notes = {"center-crop": "no detection: frames are assumed to be FFHQ-aligned faces",
                 "dlib": "dlib eye centres -> FFHQ template eyes (similarity warp, 512px)",
                 "facexlib": "facexlib RetinaFace 5 points -> FFHQ template (512px)"}
        return {**super().describe(), "weights_file": self.path.name if self.path else None, "alignment": self.align,
                "alignment_note": notes[self.align], "crop": "256px face, rows 35:223 cols 32:220, avg-pool to 112", "dim": 512}

    @torch.no_grad()
    def embed(self, frames: torch.Tensor) -> Embeddings:
        from .face_align import arcface_input

        if frames.ndim != 4 or frames.shape[1] != 3:
            raise DynodeInputError(f"frames must be [N, 3, H, W] in [0, 1]; got {tuple(frames.shape)}")
        faces, found = self.aligner(frames)
        vecs = torch.full((len(frames), 512), float("nan"), dtype=torch.float64)
        idx = torch.nonzero(found).flatten()
        for i in range(0, len(idx), self.batch):
            sel = idx[i:i + self.batch]
            vecs[sel] = self.net(arcface_input(faces[sel])).double()
        return Embeddings(vecs, found)
