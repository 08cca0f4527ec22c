"""Face alignment for the ArcFace encoder: frames -> FFHQ-style aligned faces -> 112x112 input.

Three ways to get an FFHQ-aligned face (what ArcFace IR-SE50 was used on by pSp and STIT):

* ``facexlib`` (optional, extra ``faces``): RetinaFace 5 landmarks warped to the FFHQ
  5-point template; facexlib fetches its own detector weights on first use.
* ``dlib``: dlib's eye centres mapped by a similarity transform onto the FFHQ template's
  eye centres (rotation, scale and shift are fixed by two points).
* ``center-crop``: the frames already are aligned faces (host pipelines' crops, the
  DynODE example frames); nothing is detected and every frame counts as found.

Then, for every mode: resize to 256x256, take the face region rows 35:223, columns 32:220
(the crop pSp's identity loss uses on FFHQ-aligned 256px faces), average-pool to 112x112
and scale to [-1, 1].
"""
from __future__ import annotations

import importlib.util
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F

# FFHQ 5-point template at 512x512 (image-left eye, image-right eye, nose, mouth corners)
FFHQ_TEMPLATE_512 = np.array([[192.98138, 239.94708], [318.90277, 240.1936], [256.63416, 314.01935],
                              [201.26117, 371.41043], [313.08905, 371.15118]])
MODES = ("auto", "facexlib", "dlib", "center-crop")


def arcface_input(faces: torch.Tensor) -> torch.Tensor:
    """FFHQ-aligned faces ``[N,3,H,W]`` in [0,1] (any square size) -> ``[N,3,112,112]`` in [-1,1]."""
    x = faces.float()
    if tuple(x.shape[2:]) != (256, 256):
        x = F.interpolate(x, size=(256, 256), mode="bilinear", align_corners=False, antialias=x.shape[2] > 256)
    x = F.adaptive_avg_pool2d(x[:, :, 35:223, 32:220], (112, 112))
    return x * 2 - 1


def warp_by_eyes(img: torch.Tensor, eyes: np.ndarray, size: int = 512) -> torch.Tensor:
    """Similarity-warp ``img`` [3,H,W] so that ``eyes`` (image-left, image-right; x,y in pixels)
    land on the FFHQ template's eye centres in a ``size`` x ``size`` output (bilinear, zero border)."""
    t = FFHQ_TEMPLATE_512[:2] * (size / 512.0)
    # complex-number similarity from output pixel p to input pixel q: q = e0 + z (p - t0)
    z = complex(*(eyes[1] - eyes[0])) / complex(*(t[1] - t[0]))
    h, w = img.shape[1:]
    ys, xs = torch.meshgrid(torch.arange(size, dtype=torch.float64), torch.arange(size, dtype=torch.float64), indexing="ij")
    px, py = xs - t[0, 0], ys - t[0, 1]
    qx = eyes[0, 0] + z.real * px - z.imag * py
    qy = eyes[0, 1] + z.imag * px + z.real * py
    grid = torch.stack([(2 * qx + 1) / w - 1, (2 * qy + 1) / h - 1], dim=-1)[None].float()  # align_corners=False
    return F.grid_sample(img[None].float(), grid, mode="bilinear", padding_mode="zeros", align_corners=False)[0]


def resolve_mode(mode: str) -> str:
    if mode not in MODES:
        from ..errors import DynodeInputError

        raise DynodeInputError(f"unknown ArcFace alignment {mode!r}; use one of {', '.join(MODES)}")
    if mode != "auto":
        return mode
    if importlib.util.find_spec("facexlib") is not None:
        return "facexlib"
    if importlib.util.find_spec("dlib") is not None:
        return "dlib"
    return "center-crop"


class DlibAligner:
    def __init__(self):
        from .enc_dlib import DlibFaceFinder

        self.finder = DlibFaceFinder()

    def __call__(self, frames: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        from ..video import to_uint8

        arr = to_uint8(frames)
        faces = torch.zeros(len(arr), 3, 512, 512)
        found = torch.zeros(len(arr), dtype=torch.bool)
        for i, img in enumerate(arr):
            shape = self.finder.find(img)
            if shape is not None:
                faces[i] = warp_by_eyes(frames[i], self.finder.eye_centres(shape))
                found[i] = True
        return faces, found


class FacexlibAligner:
    """RetinaFace + FFHQ 5-point warp through facexlib (not installed in the project's test env)."""

    def __init__(self):
        from facexlib.utils.face_restoration_helper import FaceRestoreHelper

        from .weights import cache_dir

        self.helper = FaceRestoreHelper(1, face_size=512, crop_ratio=(1, 1), det_model="retinaface_resnet50",
                                        save_ext="png", use_parse=False, device=torch.device("cpu"),
                                        model_rootpath=str(cache_dir() / "facexlib"))

    def __call__(self, frames: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        from ..video import to_uint8

        faces: List[torch.Tensor] = []
        found = torch.zeros(len(frames), dtype=torch.bool)
        for i, img in enumerate(to_uint8(frames)):
            self.helper.clean_all()
            self.helper.read_image(np.ascontiguousarray(img[..., ::-1]))  # facexlib works in BGR
            if self.helper.get_face_landmarks_5(only_keep_largest=True, eye_dist_threshold=5) == 0:
                faces.append(torch.zeros(3, 512, 512))
                continue
            self.helper.align_warp_face()
            face = np.ascontiguousarray(self.helper.cropped_faces[0][..., ::-1])
            faces.append(torch.from_numpy(face).permute(2, 0, 1).float() / 255)
            found[i] = True
        return torch.stack(faces), found


def make_aligner(mode: str):
    """-> callable frames -> (aligned faces [N,3,S,S] in [0,1], found [N] bool)."""
    if mode == "dlib":
        return DlibAligner()
    if mode == "facexlib":
        return FacexlibAligner()
    return lambda frames: (frames, torch.ones(len(frames), dtype=torch.bool))
