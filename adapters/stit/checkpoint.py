"""STIT's files from outside STIT: the checkout, a run's checkpoint, its pivots.

``read_pivots`` reads ``checkpoints/model_<run>.pt`` without STIT's code: the pickled
generator (STIT's persistent classes, whose pickles carry source code to execute) is
replaced by inert stand-ins, so nothing from the file is run and no checkout is needed.
Tensors, numpy arrays and containers load as usual.
"""
from __future__ import annotations

import functools
import pickle
from pathlib import Path
from types import ModuleType
from typing import Optional

from dynode_plugin.errors import DynodeInputError

from ..common.checkout import validate_checkout
from .import_hook import STIT_MARKERS

URL = "https://github.com/rotemtzaban/STIT"
ROOT_ENV = "DYNODE_STIT_ROOT"
SCRIPTS = ("edit_video.py", "edit_video_stitching_tuning.py")


def find_root(root) -> Path:
    return validate_checkout(root, STIT_MARKERS, host="STIT", url=URL, option=f"--stit-root or ${ROOT_ENV}")


class _Inert:
    """Stands in for any non-library object in the pickle (STIT's generator and its parts)."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def __call__(self, *args, **kwargs):
        return _Inert()


def _allowed() -> frozenset:
    """Exactly the globals ``torch.load(weights_only=True)`` accepts (tensor and storage rebuilders,
    dtypes, plain containers) plus numpy's array rebuilders: none of them runs code. A module
    prefix would not do: ``builtins``/``torch``/``numpy`` also hold ``eval``, ``load``, ``system``-like
    entry points a crafted pickle could call."""
    from torch._weights_only_unpickler import _get_allowed_globals

    from dynode_plugin.latent_io import _numpy_globals

    names = set(_get_allowed_globals())
    names.update(f"{getattr(g, '__module__', '')}.{g.__qualname__}" for g in _numpy_globals())
    names.update(n.replace("numpy._core.", "numpy.core.") for n in list(names))  # pickles from numpy 1.x
    return frozenset(names)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if f"{module}.{name}" in _ALLOWED():
            return super().find_class(module, name)
        return _Inert  # anything else (STIT's generator, and any callable a crafted file names) stays inert


_ALLOWED = functools.lru_cache(maxsize=1)(_allowed)
_pickle = ModuleType("dynode_stit_pickle")
_pickle.Unpickler = _Unpickler
_pickle.load = lambda f, **kw: _Unpickler(f, **kw).load()
_pickle.__name__ = "pickle"  # torch.load checks the module's name for its own pickler settings


def checkpoint_path(root: Path, run: Optional[str], checkpoint=None) -> Path:
    if checkpoint is not None:
        path = Path(checkpoint).expanduser()
    else:
        if not run:
            raise DynodeInputError("give --run-name (STIT's --run_name) or --checkpoint")
        path = Path(root) / checkpoints_dir(root) / f"model_{run}.pt"
    if not path.is_file():
        folder = path.parent
        runs = sorted(p.stem[len("model_"):] for p in folder.glob("model_*.pt")) if folder.is_dir() else []
        have = f"runs in {folder}: {', '.join(runs)}" if runs else f"no model_<run>.pt in {folder}"
        raise DynodeInputError(f"no STIT checkpoint {path} ({have}); STIT's train.py writes it (train.py --run_name {run or 'NAME'})")
    return path


def config_value(root: Path, name: str, default: str) -> str:
    """A string setting of STIT's ``configs/paths_config.py``, read from the file (nothing imported)."""
    import ast

    text = (Path(root) / "configs" / "paths_config.py").read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    return default


def checkpoints_dir(root: Path) -> str:
    return config_value(root, "checkpoints_dir", "./checkpoints")


def read_pivots(path):
    """The ``pivots`` [N,18,512] of a STIT checkpoint, float32 on the CPU, checked."""
    return read_run(path)[0]


def read_run(path):
    """``(pivots [N,18,512] float32 CPU checked, quads)`` of a STIT checkpoint (quads: None if absent)."""
    import torch

    from .editing import check_pivots

    try:
        ckpt = torch.load(path, map_location="cpu", pickle_module=_pickle, weights_only=False)
    except Exception as exc:  # a truncated or foreign file: say which
        raise DynodeInputError(f"cannot read STIT checkpoint {path}: {type(exc).__name__}: {exc}") from None
    if not isinstance(ckpt, dict) or "pivots" not in ckpt:
        keys = list(ckpt) if isinstance(ckpt, dict) else type(ckpt).__name__
        raise DynodeInputError(f"{path} is not a STIT run checkpoint: expected a dict with 'generator', 'pivots', 'quads'; got {keys}")
    return check_pivots(ckpt["pivots"], where=str(path)), ckpt.get("quads")
