"""Scoped fixes that let Latent Transformer's 2021 code import on today's Python stack.

LT pins PyTorch 1.8 / NumPy 1.19 / PyYAML 5.4 / torchvision 0.9 on CUDA. Its code is
never edited; instead, *only while the adapter imports and runs it* (:func:`lt_compat`):

* ``np.float`` (removed in NumPy 1.24; ``utils/video_utils.py`` uses it) is aliased to
  ``float`` if missing, and removed again afterwards;
* ``yaml.load(stream)`` without a ``Loader`` (a TypeError since PyYAML 6;
  ``video_processing.py``/``test.py`` call it) gets ``Loader=yaml.SafeLoader``. The adapter
  itself reads ``configs/<config>.yaml`` with ``yaml.safe_load``;
* ``torchvision`` is imported at module level by ``trainer.py`` and ``utils/functions.py``
  (which even builds ``transforms.Compose([...])`` at import) but not needed to edit and
  render latents. When it is not installed, or installed but broken (built for another
  torch), a stand-in is served (:mod:`dynode_adapters.common.torchvision_stub`): constructing
  its objects works, *using* them raises an error naming the fix. A working torchvision is
  always used as is.

The hard-coded ``device = torch.device('cuda')`` lives in the scripts' module bodies
(``video_processing.py``, ``test.py``), which the adapter does not import; it moves every
network to ``--device`` (default cpu) and loads every file with ``map_location``. The CUDA
ops of pSp's generator are replaced by :mod:`dynode_adapters.common.cpu_ops`.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from ..common.torchvision_stub import torchvision_stub


@contextlib.contextmanager
def numpy_float_alias() -> Iterator[None]:
    import numpy as np

    added = "float" not in np.__dict__
    if added:
        np.float = float  # what np.float always was
    try:
        yield
    finally:
        if added:
            del np.float


@contextlib.contextmanager
def yaml_default_loader() -> Iterator[None]:
    import yaml

    original = yaml.load

    def load(stream, Loader=None, **kwargs):  # noqa: N803 (PyYAML's own argument name)
        return original(stream, Loader=Loader or yaml.SafeLoader, **kwargs)

    yaml.load = load
    try:
        yield
    finally:
        yaml.load = original


@contextlib.contextmanager
def lt_compat() -> Iterator[None]:
    """All the fixes above, for the duration of the block."""
    with numpy_float_alias(), yaml_default_loader(), torchvision_stub():
        yield
