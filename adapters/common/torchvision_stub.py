"""A torchvision stand-in for host code that imports torchvision but does not need it for our step.

Latent Transformer's ``trainer.py`` and ``utils/functions.py`` import torchvision at module
level (the latter even builds a ``transforms.Compose([...])``) though editing and rendering
latents never use it. :func:`torchvision_stub` serves a stand-in while host code is imported
when torchvision is **not installed**, or is **installed but broken** (the common case: PyPI's
torchvision built for another torch fails with "operator torchvision::nms does not exist").
Building its objects works; *using* one raises an error that names the fix. A working
torchvision is always used as it is.

For a broken one the failed import is cleaned out of ``sys.modules`` and one note goes to
stderr (once per process) with the fix: :data:`~dynode_adapters.common.environment.RECIPE`.
Hosts whose own scripts really use torchvision (STIT's ``edit_video.py``) cannot run on a
stand-in: ``dynode doctor`` and their error hints name the same fix.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import types
from typing import Iterator, Optional

STUB_MODULES = ("torchvision", "torchvision.transforms", "torchvision.utils", "torchvision.models")
_broken: dict = {}  # cached result of trying the installed torchvision: {"reason": str or None}


class _NeedsTorchvision:
    """A placeholder for any torchvision object: can be built, not used."""

    _what = "torchvision"
    _reason = "torchvision is not installed"

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        from dynode_plugin.errors import DynodeInputError

        from .environment import RECIPE

        raise DynodeInputError(f"{self._what} is needed for this part of the host code and {self._reason}; "
                               f"fix: {RECIPE} (the dynode commands do not need it)")


def _stub_module(name: str, reason: str) -> types.ModuleType:
    mod = types.ModuleType(name, f"dynode stand-in: {reason}")
    mod.__dynode_stub__ = True

    def __getattr__(attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return type(attr, (_NeedsTorchvision,), {"_what": f"{name}.{attr}", "_reason": reason})

    mod.__getattr__ = __getattr__
    return mod


def _installed_version() -> str:
    try:
        from importlib.metadata import version

        return version("torchvision")
    except Exception:
        return ""


def broken_reason() -> Optional[str]:
    """Why the installed torchvision cannot be used here (None: it imports, or none is installed).

    Tries the import once per process; a failed import's half-loaded modules are removed."""
    if "reason" not in _broken:
        reason = None
        if "torchvision" not in sys.modules and importlib.util.find_spec("torchvision") is not None:
            before = set(sys.modules)
            try:
                importlib.import_module("torchvision")
            except Exception as exc:
                for name in [k for k in sys.modules if k not in before and k.split(".")[0] == "torchvision"]:
                    del sys.modules[name]
                import torch

                text = (str(exc).strip().splitlines() or [""])[-1]
                version = _installed_version()
                reason = (f"torchvision {version + ' ' if version else ''}is installed but does not import beside "
                          f"torch {torch.__version__} ({type(exc).__name__}: {text})")
        _broken["reason"] = reason
        if reason:
            from .environment import RECIPE

            print(f"note: {reason}; a stand-in is used (enough for dynode's commands). "
                  f"For the host's own scripts: {RECIPE}", file=sys.stderr)
    return _broken["reason"]


@contextlib.contextmanager
def torchvision_stub() -> Iterator[bool]:
    """Serve the stand-in while the block runs if torchvision is missing or broken. Yields
    whether the stand-in is in use."""
    if "torchvision" in sys.modules:  # the real one already loaded, or our stand-in (nested use)
        yield bool(getattr(sys.modules["torchvision"], "__dynode_stub__", False))
        return
    reason = broken_reason()
    if reason is None and importlib.util.find_spec("torchvision") is not None:
        yield False
        return
    reason = reason or "torchvision is not installed"
    stubs = {n: _stub_module(n, reason) for n in STUB_MODULES}
    for n in STUB_MODULES[1:]:
        setattr(stubs["torchvision"], n.rsplit(".", 1)[1], stubs[n])
    sys.modules.update(stubs)
    try:
        yield True
    finally:
        for n in STUB_MODULES:
            if sys.modules.get(n) is stubs[n]:
                del sys.modules[n]
