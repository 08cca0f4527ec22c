"""DynODE's settings for a STIT run, read from STIT's own config modules.

Sources, later wins: defaults < ``configs/hyperparameters.py`` < ``configs/dynode_config.py``
(optional, a file of its own so STIT's files stay untouched apart from one flag if you
prefer) < the overrides ``dynode stit edit`` passes (held by its :class:`~.session.StitSession`).
Every name starts with ``dynode_`` except the switch ``use_dynode``; a misspelt ``dynode_*`` name
is an error, not silently ignored. Besides the names below, every dynamics setting is a name:
``dynode_<field>`` for each field of the model's settings dataclass (``dynode_steps``,
``dynode_subspace_dim``, ... generated from ``ODEConfig``: see ``dynode_plugin.dynamics.settings``).
"""
from __future__ import annotations

import dataclasses
import importlib
import sys
from typing import Any, Dict, Mapping, Optional

from dynode_plugin.dynamics.settings import PROPAGATION_MODES, all_settings, validate
from dynode_plugin.errors import DynodeInputError

CONFIG_MODULES = ("configs.hyperparameters", "configs.dynode_config")


@dataclasses.dataclass(frozen=True)
class StitSettings:
    use_dynode: bool = False
    dynode_model: str = "ode"  # ode, linear, spline or a plugin's
    dynode_mode: str = "offset"  # offset, flow, reintegrate (StyleCLIP style edits: offset only)
    dynode_model_path: Optional[str] = None  # a .dynode file to reuse/write; default beside the run's checkpoint
    dynode_refit: bool = False  # ignore a saved model and fit again
    dynode_progress: bool = True
    dynode_compat: Optional[bool] = None  # all four fixes below; None: on exactly when use_dynode is on
    dynode_compat_torch_load: Optional[bool] = None  # torch.load(weights_only=False) for model_<run>.pt, torch >= 2.6
    dynode_compat_cpu: Optional[bool] = None  # .cuda() -> CPU and fp32 blocks when no GPU is present
    dynode_compat_pillow: Optional[bool] = None  # PIL.Image.ANTIALIAS (removed in Pillow 10) -> LANCZOS
    dynode_compat_offline: Optional[bool] = None  # face parser built from its checkpoint, no ResNet-18 download
    dynamics: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # the dynode_<field> values given, by field

    def compat(self, which: str) -> bool:
        value = getattr(self, f"dynode_compat_{which}")
        if value is None:
            value = self.dynode_compat
        return self.use_dynode if value is None else bool(value)


_FIXED = {f.name: f for f in dataclasses.fields(StitSettings) if f.name != "dynamics"}
_TYPES = {"use_dynode": bool, "dynode_refit": bool, "dynode_progress": bool, "dynode_model": str, "dynode_mode": str,
          "dynode_model_path": str, "dynode_compat": bool, "dynode_compat_torch_load": bool,
          "dynode_compat_cpu": bool, "dynode_compat_pillow": bool, "dynode_compat_offline": bool}


def dynamics_names() -> Dict[str, Any]:
    """``dynode_<field>`` -> its :class:`~dynode_plugin.dynamics.settings.Setting`."""
    return {s.stit_name: s for s in all_settings()}


def known_names():
    return sorted([*_FIXED, *dynamics_names()])


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
    values = {key: value for key, value in vars(module).items() if key == "use_dynode" or key.startswith("dynode_")}
    return check_values(values, where)


def check_values(values: Mapping[str, Any], where: str) -> Dict[str, Any]:
    """Each name known and each value of its type (``where``: the file or command, for the message)."""
    dyn = dynamics_names()
    for key, value in values.items():
        if key in dyn:
            dyn[key].check(value, where)
            continue
        if key not in _FIXED:
            raise DynodeInputError(f"{where}: unknown DynODE setting '{key}'; known settings: {', '.join(known_names())}")
        kind = _TYPES[key]
        if not (value is None and _FIXED[key].default is None or isinstance(value, kind)):
            raise DynodeInputError(f"{where}: {key} = {value!r} must be a {kind.__name__}" + (" or None" if _FIXED[key].default is None else ""))
        if key == "dynode_mode" and value not in PROPAGATION_MODES:
            raise DynodeInputError(f"{where}: dynode_mode = {value!r}; choose one of {', '.join(PROPAGATION_MODES)}")
    return dict(values)


def make_settings(values: Mapping[str, Any]) -> StitSettings:
    """Checked values -> :class:`StitSettings` (dynamics values gathered by field, 0 = None for optional ints)."""
    dyn = dynamics_names()
    fixed = {k: v for k, v in values.items() if k in _FIXED}
    dynamics = {}
    for key, value in values.items():
        if key in dyn and value is not None:
            s = dyn[key]
            dynamics[s.name] = None if (s.optional and s.type is int and value == 0) else value
    return StitSettings(**fixed, dynamics=dynamics)


def read_settings(overrides: Optional[Mapping[str, Any]] = None) -> StitSettings:
    """The settings in force now (read at call time: a script may change its configs at run time);
    ``overrides`` (already checked) win over the config files."""
    values: Dict[str, Any] = {}
    for name in CONFIG_MODULES:
        values.update(_module_values(name))
    values.update(overrides or {})
    settings = make_settings(values)
    try:
        validate(settings.dynode_model, settings.dynamics)
    except DynodeInputError as exc:  # ODEConfig names the field: say it as STIT's config name
        raise DynodeInputError(f"DynODE settings for STIT: dynode_{exc}" if str(exc).split(" ")[0] in settings.dynamics
                               else f"DynODE settings for STIT: {exc}") from None
    return settings
