"""Importing the user's VideoEditGAN checkout, for this host only.

PTI's scripts run from ``<tcsve_root>/PTI`` and import top-level packages with generic
names (``configs``, ``models``, ``utils``, ``training``, ``torch_utils``, ``dnnlib``) that
other hosts (STIT, Latent Transformer) also use. :func:`host_modules` puts ``PTI/`` on
``sys.path`` only while the host code is imported and used, with the CPU ops injected
for the StyleCLIP op package, and removes every module it brought in afterwards, so
two hosts can be used in one process. Objects built inside keep working after exit.
Nested use (per-frame reloading) re-uses the open context.
"""
from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from typing import Iterator, List

from dynode_plugin.errors import DynodeInputError

# What the adapter needs from the checkout (relative to its root).
REQUIRED_FILES = [
    "PTI/models/StyleCLIP/mapper/styleclip_mapper.py",
    "PTI/models/StyleCLIP/mapper/latent_mappers.py",
    "PTI/models/StyleCLIP/models/stylegan2/model.py",
    "PTI/models/StyleCLIP/models/stylegan2/op/__init__.py",
]
# fused_act.py in this package calls input.cuda(): replaced by pure-PyTorch ops
# (dynode_adapters.common.cpu_ops) while the checkout is imported.
OP_PACKAGE = "models.StyleCLIP.models.stylegan2.op"
HOST_PACKAGES = ["configs", "models", "utils", "training", "torch_utils", "dnnlib", "criteria", "editings"]


class HostModules:
    def __init__(self, pti_dir: Path):
        self.pti_dir = pti_dir

    def import_module(self, name: str):
        try:
            return importlib.import_module(name)
        except ImportError as exc:
            raise DynodeInputError(f"cannot import {name} from the VideoEditGAN checkout at {self.pti_dir.parent} ({exc}); "
                                   "is it a complete clone of github.com/Twizwei/VideoEditGAN?") from None


def validate_checkout(root) -> Path:
    from dynode_adapters.common.checkout import validate_checkout as _validate

    return Path(_validate(root, REQUIRED_FILES, host="VideoEditGAN (TCSVE)", url="https://github.com/Twizwei/VideoEditGAN",
                          option="--tcsve-root or $DYNODE_TCSVE_ROOT"))


_active: List[HostModules] = []


@contextlib.contextmanager
def host_modules(tcsve_root) -> Iterator[HostModules]:
    if _active:
        yield _active[-1]
        return
    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.common.cpu_ops import install_cpu_ops

    pti = validate_checkout(tcsve_root) / "PTI"
    # order matters: checkout_on_path sets aside modules under the host's names on entry, so the
    # ops go in after it; StyleCLIP's op adds the bias of 3-D (mapper) inputs on the last axis.
    with checkout_on_path(pti, HOST_PACKAGES), install_cpu_ops(OP_PACKAGE, last_axis_3d=True):
        modules = HostModules(pti)
        _active.append(modules)
        try:
            yield modules
        finally:
            _active.pop()
