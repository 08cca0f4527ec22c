"""Pure-PyTorch stand-ins for the rosinality StyleGAN2 CUDA ops, injected per host.

The StyleGAN2 code the hosts ship (rosinality's ``stylegan2-pytorch``, copied into pSp,
StyleCLIP, e4e, ...) imports an ``op`` package whose ``fused_act.py``/``upfirdn2d.py``
compile CUDA kernels with ``torch.utils.cpp_extension.load`` *at import time* (or move
tensors to the GPU): on a CPU-only machine the host cannot even be imported.

:func:`install_cpu_ops` puts a ready-made module under the host's op package name into
``sys.modules`` (e.g. ``models.stylegan2.op`` with its ``fused_act``, ``upfirdn2d`` and
``conv2d_gradfix`` submodules) *before* the host imports it, so Python hands the host our
module and never reads the host's files. It is a context manager: on exit ``sys.modules``
is restored, so the ops are swapped only for the host that asked, only while it imports.
Modules built inside keep their references to these functions afterwards.

The ops are written from their definitions (not from the host code):

* ``fused_leaky_relu(x, b) = leaky_relu(x + b, slope) * scale`` with the bias on the
  channel axis 1 (default slope 0.2, scale sqrt 2).
* ``upfirdn2d(x, k, up, down, pad)``: upsample by inserting ``up - 1`` zeros after every
  sample, pad (negative pads crop), convolve with the FIR kernel ``k`` (a true convolution,
  i.e. correlation with the flipped kernel), keep every ``down``-th sample.
  Output size ``(in * up + pad0 + pad1 - k + down) // down`` per axis.
"""
from __future__ import annotations

import contextlib
import math
import sys
import types
from collections import abc
from typing import Iterable, Iterator, Optional, Sequence, Tuple, Union

import torch
from torch import nn
from torch.nn import functional as F

SQRT2 = math.sqrt(2.0)


# --------------------------------------------------------------------------- fused_act
def _bias_shape(input: torch.Tensor, bias: torch.Tensor, last_axis_3d: bool) -> Sequence[int]:
    """Where the bias goes: channel axis 1 (rosinality/pSp). StyleCLIP's copy of the op adds
    the bias of 3-D inputs ``[batch, rows, channels]`` (its latent mapper) on the last axis;
    we do the same when asked to, or when axis 1 cannot hold the bias but the last axis can."""
    c = bias.shape[0]
    if input.ndim == 3 and (last_axis_3d or (input.shape[1] != c and input.shape[2] == c)):
        return (1, 1, c)
    if input.ndim < 2 or input.shape[1] != c:
        raise ValueError(f"fused_leaky_relu: bias of length {c} does not match axis 1 of an input of shape {tuple(input.shape)}")
    return (1, c) + (1,) * (input.ndim - 2)


def fused_leaky_relu(input: torch.Tensor, bias: Optional[torch.Tensor] = None, negative_slope: float = 0.2,
                     scale: float = SQRT2, *, last_axis_3d: bool = False) -> torch.Tensor:
    """``leaky_relu(input + bias, negative_slope) * scale`` on the input's device."""
    if bias is not None:
        input = input + bias.to(input.dtype).view(*_bias_shape(input, bias, last_axis_3d))
    return F.leaky_relu(input, negative_slope=negative_slope) * scale


class FusedLeakyReLU(nn.Module):
    """Same constructor and parameter name (``bias``) as the host module, so checkpoints load."""

    last_axis_3d = False

    def __init__(self, channel: int, bias: bool = True, negative_slope: float = 0.2, scale: float = SQRT2):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channel)) if bias else None
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return fused_leaky_relu(input, self.bias, self.negative_slope, self.scale, last_axis_3d=self.last_axis_3d)


# --------------------------------------------------------------------------- upfirdn2d
def _pair(v) -> Tuple[int, int]:
    if isinstance(v, abc.Iterable):
        a, b = v
        return int(a), int(b)
    return int(v), int(v)


def upfirdn2d(input: torch.Tensor, kernel: torch.Tensor, up=1, down=1, pad=(0, 0)) -> torch.Tensor:
    """Upsample, pad, FIR-filter, downsample a ``[B, C, H, W]`` batch (rosinality signature).

    ``up``/``down``: int or ``(x, y)``; ``pad``: ``(p0, p1)`` for both axes or
    ``(x0, x1, y0, y1)``; ``kernel``: ``[kh, kw]``, applied to every channel separately.
    """
    up_x, up_y = _pair(up)
    down_x, down_y = _pair(down)
    if len(pad) == 2:
        pad = (pad[0], pad[1], pad[0], pad[1])
    px0, px1, py0, py1 = (int(p) for p in pad)
    b, c, h, w = input.shape
    kh, kw = kernel.shape
    x = input.reshape(b * c, 1, h, w)
    if up_x > 1 or up_y > 1:  # zero insertion: each sample followed by up-1 zeros
        z = x.new_zeros(b * c, 1, h, up_y, w, up_x)
        z[:, :, :, 0, :, 0] = x
        x = z.reshape(b * c, 1, h * up_y, w * up_x)
    # F.pad takes negative amounts as crops, which is what negative pads mean here.
    x = F.pad(x, [px0, px1, py0, py1])
    weight = torch.flip(kernel, [0, 1]).to(x.dtype).view(1, 1, kh, kw)  # conv2d correlates: flip = convolution
    x = F.conv2d(x, weight)
    x = x[:, :, ::down_y, ::down_x]
    return x.reshape(b, c, x.shape[-2], x.shape[-1])


# --------------------------------------------------------------------------- conv2d_gradfix
# Newer rosinality code imports ``op.conv2d_gradfix`` (a double-backward fix for CUDA);
# on the CPU plain conv2d is correct, so it is the stand-in.
def _conv2d_gradfix_module(name: str) -> types.ModuleType:
    mod = types.ModuleType(name, "dynode pure-PyTorch stand-in for conv2d_gradfix")
    mod.enabled = False
    mod.weight_gradients_disabled = False
    mod.conv2d = F.conv2d
    mod.conv_transpose2d = F.conv_transpose2d

    @contextlib.contextmanager
    def no_weight_gradients():
        yield

    mod.no_weight_gradients = no_weight_gradients
    return mod


# --------------------------------------------------------------------------- injection
def _fused_act_module(name: str, last_axis_3d: bool) -> types.ModuleType:
    mod = types.ModuleType(name, "dynode pure-PyTorch stand-in for fused_act")

    def fused(input, bias=None, negative_slope=0.2, scale=SQRT2):
        return fused_leaky_relu(input, bias, negative_slope, scale, last_axis_3d=last_axis_3d)

    fused.__doc__ = fused_leaky_relu.__doc__
    cls = type("FusedLeakyReLU", (FusedLeakyReLU,), {"last_axis_3d": last_axis_3d, "__module__": name})
    mod.fused_leaky_relu = fused
    mod.FusedLeakyReLU = cls
    return mod


def build_op_package(name: str, *, last_axis_3d: bool = False) -> dict:
    """The modules to inject for op package ``name``: ``{module name: module}``."""
    fused_act = _fused_act_module(f"{name}.fused_act", last_axis_3d)
    up = types.ModuleType(f"{name}.upfirdn2d", "dynode pure-PyTorch stand-in for upfirdn2d")
    up.upfirdn2d = upfirdn2d
    gradfix = _conv2d_gradfix_module(f"{name}.conv2d_gradfix")
    pkg = types.ModuleType(name, "dynode pure-PyTorch stand-in for a StyleGAN2 CUDA op package")
    pkg.__path__ = []  # a package, so "from <name>.fused_act import x" works; nothing is found on disk
    pkg.__dynode_cpu_ops__ = True
    pkg.fused_act, pkg.upfirdn2d_module, pkg.conv2d_gradfix = fused_act, up, gradfix
    pkg.FusedLeakyReLU, pkg.fused_leaky_relu = fused_act.FusedLeakyReLU, fused_act.fused_leaky_relu
    pkg.upfirdn2d = upfirdn2d  # "from op import upfirdn2d" gets the function, as in the host
    return {name: pkg, fused_act.__name__: fused_act, up.__name__: up, gradfix.__name__: gradfix}


@contextlib.contextmanager
def install_cpu_ops(op_packages: Union[str, Iterable[str]], *, last_axis_3d: bool = False) -> Iterator[dict]:
    """Serve pure-PyTorch ops under each name in ``op_packages`` while the block runs.

    ``op_packages``: e.g. ``"models.stylegan2.op"`` (pSp's generator) or several names
    when one host imports the same package under two paths. ``last_axis_3d``: add the
    bias of every 3-D input on the last axis (StyleCLIP's copy of the op) instead of axis 1.
    Yields ``{module name: module}``. On exit every entry of ``sys.modules`` with those
    names is put back as it was (removed, or the previous module restored).
    """
    names = [op_packages] if isinstance(op_packages, str) else list(op_packages)
    injected: dict = {}
    for name in names:
        injected.update(build_op_package(name, last_axis_3d=last_axis_3d))
    # Everything at or below the op package names: host submodules imported earlier
    # (e.g. a real "op.fused_act") must not be mixed with ours.
    def covered(mod_name: str) -> bool:
        return any(mod_name == n or mod_name.startswith(n + ".") for n in names)

    saved = {k: v for k, v in sys.modules.items() if covered(k)}
    for k in saved:
        del sys.modules[k]
    sys.modules.update(injected)
    try:
        yield injected
    finally:
        for k in [k for k in sys.modules if covered(k)]:
            del sys.modules[k]
        sys.modules.update(saved)
