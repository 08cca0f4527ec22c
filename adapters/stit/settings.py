"""DynODE's settings for a STIT run, read from STIT's own config modules.

Sources, later wins: defaults < ``configs/hyperparameters.py`` < ``configs/dynode_config.py``
(optional, a file of its own so STIT's files stay untouched apart from one flag if you
prefer) < overrides from ``dynode stit edit``. Every name starts with ``dynode_`` except
the switch ``use_dynode``; a misspelt ``dynode_*`` name is an error, not silently ignored.
"""
from __future__ import annotations

import dataclasses
import importlib
import sys
from typing import Any, Dict, Optional

from dynode_plugin.errors import DynodeInputError

CONFIG_MODULES = ("configs.hyperparameters", "configs.dynode_config")
_OVERRIDES: Dict[str, Any] = {}  # set by `dynode stit edit` for the duration of a run


@dataclasses.dataclass(frozen=True)
class StitSettings:
    use_dynode: bool = False
    dynode_model: str = "ode"  # ode, linear, spline
    dynode_mode: str = "offset"  # offset, flow, reintegrate (StyleCLIP style edits: offset only)
    dynode_steps: Optional[int] = None  # ODE fit: optimisation steps (None: the library default)
    dynode_solver: Optional[str] = None
    dynode_subspace_dim: Optional[int] = None
    dynode_seed: Optional[int] = None
    dynode_straightness: Optional[float] = None  # path-energy penalty of the ODE fit (None: the library default)
    dynode_model_path: Optional[str] = None  # a .dynode file to reuse/write; default beside the run's checkpoint
    dynode_refit: bool = False  # ignore a saved model and fit again
    dynode_progress: bool = True
    dynode_compat: Optional[bool] = None  # all four fixes below; None: on exactly when use_dynode is on
    dynode_compat_torch_load: Optional[bool] = None  # torch.load(weights_only=False) for model_<run>.pt, torch >= 2.6
    dynode_compat_cpu: Optional[bool] = None  # .cuda() -> CPU and fp32 blocks when no GPU is present
    dynode_compat_pillow: Optional[bool] = None  # PIL.Image.ANTIALIAS (removed in Pillow 10) -> LANCZOS
    dynode_compat_offline: Optional[bool] = None  # face parser built from its checkpoint, no ResNet-18 download

    def compat(self, which: str) -> bool:
        value = getattr(self, f"dynode_compat_{which}")
        if value is None:
            value = self.dynode_compat
        return self.use_dynode if value is None else bool(value)

    def fit_kwargs(self) -> Dict[str, Any]:
        from dynode_plugin.dynamics.config import fit_settings

        return fit_settings(self.dynode_model, steps=self.dynode_steps, solver=self.dynode_solver, seed=self.dynode_seed,
                            subspace_dim=self.dynode_subspace_dim, straightness=self.dynode_straightness)


FIELDS = {f.name: f for f in dataclasses.fields(StitSettings)}
_TYPES = {"use_dynode": bool, "dynode_refit": bool, "dynode_progress": bool, "dynode_model": str, "dynode_mode": str,
          "dynode_steps": int, "dynode_solver": str, "dynode_subspace_dim": int, "dynode_seed": int,
          "dynode_straightness": (int, float),
          "dynode_model_path": str, "dynode_compat": bool, "dynode_compat_torch_load": bool,
          "dynode_compat_cpu": bool, "dynode_compat_pillow": bool, "dynode_compat_offline": bool}
MODES = ("offset", "flow", "reintegrate")


def _module_values(name: str) -> Dict[str, Any]:
    module = sys.modules.get(name)
    if module is None:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in (name, name.rpartition(".")[0]):
                return {}
            raise
    return values_of(module)


def values_of(module) -> Dict[str, Any]:
    """The ``use_dynode`` / ``dynode_*`` settings a config module defines, checked."""
    where = getattr(module, "__file__", None) or getattr(module, "__name__", "config")
    values = {}
    for key, value in vars(module).items():
        if key == "use_dynode" or key.startswith("dynode_"):
            if key not in FIELDS:
                known = ", ".join(sorted(FIELDS))
                raise DynodeInputError(f"{where}: unknown DynODE setting '{key}'; known settings: {known}")
            values[key] = value
    for key, value in values.items():
        _check_type(key, value, where)
    return values


def _check_type(key: str, value: Any, where: str) -> None:
    kind = _TYPES[key]
    numeric = kind in (int, (int, float))
    ok = value is None and FIELDS[key].default is None or isinstance(value, kind) and not (numeric and isinstance(value, bool))
    if not ok:
        name = "number" if isinstance(kind, tuple) else kind.__name__
        raise DynodeInputError(f"{where}: {key} = {value!r} must be a {name}" + (" or None" if FIELDS[key].default is None else ""))
    if key == "dynode_straightness" and value is not None and value < 0:
        raise DynodeInputError(f"{where}: dynode_straightness must be >= 0, got {value}")
    if key == "dynode_mode" and value not in MODES:
        raise DynodeInputError(f"{where}: dynode_mode = {value!r}; choose one of {', '.join(MODES)}")
    if key == "dynode_steps" and value is not None and value < 1:
        raise DynodeInputError(f"{where}: dynode_steps must be >= 1, got {value}")


def set_overrides(**values: Any) -> None:
    """Settings given on the command line; they win over STIT's config files."""
    for key, value in values.items():
        if key not in FIELDS:
            raise DynodeInputError(f"unknown DynODE setting '{key}'")
        _check_type(key, value, "dynode stit edit")
    _OVERRIDES.clear()
    _OVERRIDES.update(values)


def clear_overrides() -> None:
    _OVERRIDES.clear()


def read_settings() -> StitSettings:
    """The settings in force now (read at call time: a script may change its configs at run time)."""
    values: Dict[str, Any] = {}
    for name in CONFIG_MODULES:
        values.update(_module_values(name))
    values.update(_OVERRIDES)
    return StitSettings(**values)
