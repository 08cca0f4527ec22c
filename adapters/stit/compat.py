"""Fixes for running STIT on current software, each optional (see settings.py) and undoable.

* torch_load: torch >= 2.6 loads with ``weights_only=True`` by default, which refuses
  ``model_<run>.pt`` (a whole pickled generator module). Only the ``torch`` name inside
  STIT's ``utils/models_utils.py`` is replaced, by a proxy whose ``load`` defaults to
  ``weights_only=False``: the checkpoint is the user's own file, and no other load changes.
* cpu: with no GPU, STIT's hard-coded ``.cuda()`` calls become no-ops, ``torch.load`` maps
  CUDA tensors to the CPU, ``global_config.device`` becomes ``'cpu'``, synthesis blocks
  run in fp32 (StyleGAN2-ADA's fp16 blocks are ~35x slower on a CPU) and e4e (train.py) puts
  its latent average on the CPU instead of the device saved in its checkpoint's opts ('cuda:0'). Applied only when
  ``torch.cuda.is_available()`` is False, where the originals could only fail.
* pillow: ``PIL.Image.ANTIALIAS`` (used by STIT's utils/alignment.py) was removed in
  Pillow 10; it is restored as an alias of ``LANCZOS``, the same filter.

Each fix records itself in a :class:`Fixes` object (the run's session holds it), which can
undo them all.
"""
from __future__ import annotations

import functools
from typing import Callable, List

import torch

class Fixes:
    """The fixes in force (``applied``: their names, for reports) and how to put everything back."""

    def __init__(self) -> None:
        self.applied: List[str] = []
        self._undo: List[Callable[[], None]] = []

    def setattr(self, obj, name, value) -> None:
        missing = object()
        old = getattr(obj, name, missing) if name in vars(obj) else missing
        setattr(obj, name, value)
        self._undo.append(lambda: delattr(obj, name) if old is missing else setattr(obj, name, old))

    def undo_all(self) -> None:
        """Put everything back (``dynode stit edit`` runs STIT in-process, then cleans up)."""
        while self._undo:
            self._undo.pop()()
        self.applied.clear()


def needs_torch_load_fix() -> bool:
    major, minor = (int(x) for x in torch.__version__.split(".")[:2])
    return (major, minor) >= (2, 6)


class _TorchWithTrustedLoad:
    """``torch`` for one host module: ``load`` defaults to weights_only=False. (CPU mapping, when
    needed, comes from the cpu fix's ``torch.load``, which this calls.)"""

    def __getattr__(self, name):
        return getattr(torch, name)

    def load(self, *args, **kwargs):
        kwargs.setdefault("weights_only", False)
        return torch.load(*args, **kwargs)


def fix_models_utils(fixes: Fixes, module) -> None:
    if getattr(module, "torch", None) is torch:
        fixes.setattr(module, "torch", _TorchWithTrustedLoad())
        fixes.applied.append("torch_load")


def _no_cuda(self, *args, **kwargs):
    return self


def fix_cpu_globals(fixes: Fixes) -> None:
    """Process-wide parts of the CPU fix (only without a GPU, once)."""
    if torch.cuda.is_available() or "cpu" in fixes.applied:
        return
    fixes.setattr(torch.Tensor, "cuda", _no_cuda)
    fixes.setattr(torch.nn.Module, "cuda", _no_cuda)
    original_load = torch.load

    @functools.wraps(original_load)
    def load_on_cpu(*args, **kwargs):
        kwargs.setdefault("map_location", "cpu")
        return original_load(*args, **kwargs)

    fixes.setattr(torch, "load", load_on_cpu)
    try:
        from configs import global_config

        if str(getattr(global_config, "device", "cpu")).startswith("cuda"):
            fixes.setattr(global_config, "device", "cpu")
    except ImportError:
        pass
    fixes.applied.append("cpu")


def fix_fp32_blocks(fixes: Fixes, networks_module) -> None:
    """SynthesisBlock.forward with force_fp32=True for CPU inputs (no GPU present)."""
    block = getattr(networks_module, "SynthesisBlock", None)
    if block is None or torch.cuda.is_available():
        return
    forward = block.forward

    @functools.wraps(forward)
    def forward_fp32_on_cpu(self, *args, **kwargs):
        kwargs["force_fp32"] = True
        return forward(self, *args, **kwargs)

    fixes.setattr(block, "forward", forward_fp32_on_cpu)
    fixes.applied.append("fp32_blocks")


def fix_e4e_device(fixes: Fixes, psp_module) -> None:
    """e4e's checkpoint carries the device it was trained on (``opts.device``, 'cuda:0' in the
    released file), where ``pSp`` moves its latent average: the CPU instead (no GPU present)."""
    psp = getattr(psp_module, "pSp", None)
    if psp is None or torch.cuda.is_available():
        return
    build = psp.__init__

    @functools.wraps(build)
    def __init__(self, opts, *args, **kwargs):
        if str(getattr(opts, "device", "cpu")).startswith("cuda"):
            opts.device = "cpu"
        build(self, opts, *args, **kwargs)

    fixes.setattr(psp, "__init__", __init__)
    fixes.applied.append("e4e_cpu")


def fix_pillow(fixes: Fixes) -> None:
    import PIL.Image

    if not hasattr(PIL.Image, "ANTIALIAS"):
        fixes.setattr(PIL.Image, "ANTIALIAS", PIL.Image.LANCZOS)
        fixes.applied.append("pillow")
