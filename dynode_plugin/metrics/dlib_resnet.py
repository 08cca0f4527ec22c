"""dlib's face-recognition ResNet (``dlib_face_recognition_resnet_model_v1.dat``) run by PyTorch.

The same weights, read from dlib's own file (no pickle: a small reader of dlib's binary
format, which stores tensors as raw little-endian float32), and the same network as dlib's
``anet_type``: a 7x7 stem, 14 residual units (32 to 256 channels; downsampling units add an
average-pooled shortcut, zero-padded in channels as dlib's ``add_prev`` does), global
average pooling and a 256->128 linear map. Input: the 150x150 face chip dlib extracts
(``dlib.get_face_chip``, padding 0.25), minus dlib's mean colour, divided by 256. PyTorch's
convolutions are many times faster on CPU than dlib's own (built without BLAS); the
descriptors match dlib's to float round-off (tests/metrics/test_dlib_encoder.py).
"""
from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import DynodeInputError

_MARK = re.compile(rb"\x01([\x04-\x16])(input_rgb_image_sized|con_4|affine_|relu_|add_prev_|avg_pool_2|max_pool_2|fc_2)")


class _Reader:
    def __init__(self, data: bytes, pos: int):
        self.b, self.p = data, pos

    def int(self) -> int:  # dlib's packed integers: a size|sign byte, then little-endian bytes
        head = self.b[self.p]
        n, neg = head & 0x0F, head & 0x80
        v = int.from_bytes(self.b[self.p + 1:self.p + 1 + n], "little")
        self.p += 1 + n
        return -v if neg else v

    def float(self) -> float:  # dlib's portable floats: mantissa and exponent as packed integers
        m = self.int()
        return m * 2.0 ** self.int()

    def string(self) -> str:
        n = self.int()
        s = self.b[self.p:self.p + n].decode()
        self.p += n
        return s

    def tensor(self) -> np.ndarray:
        if self.int() != 2:
            raise ValueError("unknown dlib tensor version")
        shape = [self.int() for _ in range(4)]
        count = int(np.prod(shape))
        arr = np.frombuffer(self.b, dtype="<f4", count=count, offset=self.p).reshape(shape)
        self.p += 4 * count
        return arr.copy()


def read_layers(path: Path) -> List[Tuple[str, dict]]:
    """The layers of a dlib ``anet_type`` file, input first: [(kind, parameters)]."""
    data = Path(path).read_bytes()
    layers, pos = [], 0
    while True:
        m = _MARK.search(data, pos)
        if m is None:
            break
        if m.group(1)[0] != len(m.group(2)):
            pos = m.start() + 1
            continue
        r = _Reader(data, m.start())
        kind = r.string()
        p: dict = {}
        if kind == "input_rgb_image_sized":
            p["mean"] = [r.float(), r.float(), r.float()]
        elif kind == "con_4":
            params = r.tensor().reshape(-1)
            nf, nr, nc, sy, sx, py, px = (r.int() for _ in range(7))
            k = (len(params) - nf) // (nf * nr * nc)
            p.update(weight=params[:nf * k * nr * nc].reshape(nf, k, nr, nc), bias=params[nf * k * nr * nc:],
                     stride=(sy, sx), padding=(py, px))
        elif kind == "affine_":
            params = r.tensor().reshape(2, -1)
            p.update(gamma=params[0], beta=params[1])
        elif kind in ("avg_pool_2", "max_pool_2"):
            nr, nc, sy, sx, py, px = (r.int() for _ in range(6))
            p.update(size=(nr, nc), stride=(sy, sx), padding=(py, px))
        elif kind == "fc_2":
            n_out, n_in = r.int(), r.int()
            p["weight"] = r.tensor().reshape(n_in, n_out)
        layers.append((kind, p))
        pos = r.p
    return layers


def _fold_affine(layers: List[Tuple[str, dict]]) -> List[Tuple[str, dict]]:
    """Each convolution followed by an affine layer (dlib's frozen batch norm) as one convolution.

    conv(x; w, b) * g + beta = conv(x; w * g, b * g + beta): one pass over the activations
    instead of three (a fifth of the network's time on CPU); the descriptors move by float
    round-off only (tests/metrics/test_dlib_encoder.py compares them with dlib's own).
    """
    out: List[Tuple[str, dict]] = []
    for kind, p in layers:
        if kind == "affine_" and out and out[-1][0] == "con_4" and not out[-1][1].get("folded"):
            conv = out[-1][1]
            g, beta = p["gamma"], p["beta"]
            out[-1] = ("con_4", {**conv, "weight": (conv["weight"] * g.view(-1, 1, 1, 1)).contiguous(),
                                 "bias": conv["bias"] * g + beta, "folded": True})
        else:
            out.append((kind, p))
    return out


def _add_prev(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """dlib's add_prev: tensors of different sizes are added where both exist, zero elsewhere."""
    if a.shape == b.shape:
        return a + b
    shape = [max(x, y) for x, y in zip(a.shape, b.shape)]
    out = a.new_zeros(shape)
    out[:, :a.shape[1], :a.shape[2], :a.shape[3]] += a
    out[:, :b.shape[1], :b.shape[2], :b.shape[3]] += b
    return out


class DlibResNet(torch.nn.Module):
    def __init__(self, path: Path):
        super().__init__()
        try:
            layers = read_layers(path)
        except (ValueError, IndexError, UnicodeDecodeError) as exc:
            raise DynodeInputError(f"cannot read dlib network {path}: {exc}") from None
        kinds = [k for k, _ in layers]
        if kinds[:1] != ["input_rgb_image_sized"] or kinds[-2:] != ["avg_pool_2", "fc_2"] or kinds.count("con_4") != 29:
            raise DynodeInputError(f"{path} is not dlib's face-recognition ResNet (layers {kinds[:4]}...)")
        self.register_buffer("mean", torch.tensor(layers[0][1]["mean"], dtype=torch.float32).view(1, 3, 1, 1))
        self.layers = _fold_affine([(k, {n: (torch.from_numpy(v) if isinstance(v, np.ndarray) else v) for n, v in p.items()})
                                    for k, p in layers[1:]])

    @torch.no_grad()
    def forward(self, chips: torch.Tensor) -> torch.Tensor:
        """Face chips ``[N, 150, 150, 3]`` uint8 RGB -> descriptors ``[N, 128]``."""
        x = (chips.permute(0, 3, 1, 2).float() - self.mean) / 256.0
        block_in = None
        pooled_shortcut = None
        for kind, p in self.layers:
            if kind == "con_4":
                if block_in is None:
                    block_in = x
                x = F.conv2d(x, p["weight"], p["bias"], stride=p["stride"], padding=p["padding"])
            elif kind == "affine_":  # only an affine layer without a convolution before it (none in dlib's file)
                x = x * p["gamma"].view(1, -1, 1, 1) + p["beta"].view(1, -1, 1, 1)
            elif kind == "relu_":
                x = F.relu_(x)  # in place: a relu always follows a convolution or an add, whose output nothing else holds
            elif kind == "max_pool_2":
                x = F.max_pool2d(x, p["size"], p["stride"], p["padding"])
                block_in = None
            elif kind == "avg_pool_2" and p["size"] == (0, 0):  # avg_pool_everything
                x = x.mean((2, 3))
            elif kind == "avg_pool_2":  # the shortcut of a downsampling unit: pool the unit's input
                pooled_shortcut = F.avg_pool2d(block_in, p["size"], p["stride"], p["padding"])
            elif kind == "add_prev_":
                x = _add_prev(x, pooled_shortcut if pooled_shortcut is not None else block_in)
                block_in = pooled_shortcut = None
            elif kind == "fc_2":
                x = x @ p["weight"]
        return x.double()
