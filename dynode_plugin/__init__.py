"""dynode-plugin: neural-ODE latent dynamics for GAN-inversion video editing.

Public API (imported lazily so that ``import dynode_plugin`` and plugin discovery stay cheap)::

    from dynode_plugin import DynamicsModel, load_latents, save_latents, edit_first_and_propagate
"""
from __future__ import annotations

import importlib
from typing import Any

from .plugins import Lazy, hookimpl, get_registry  # noqa: F401  (light: pluggy only)

__version__ = "0.1.0"

_LAZY = {
    "DynamicsModel": "dynode_plugin.dynamics.model:DynamicsModel",
    "ODEConfig": "dynode_plugin.dynamics.config:ODEConfig",
    "LinearDynamics": "dynode_plugin.dynamics.baselines:LinearDynamics",
    "SplineDynamics": "dynode_plugin.dynamics.baselines:SplineDynamics",
    "load_dynamics": "dynode_plugin.dynamics.io:load_dynamics",
    "FitReport": "dynode_plugin.dynamics.fitting:FitReport",
    "load_latents": "dynode_plugin.latent_io:load_latents",
    "save_latents": "dynode_plugin.latent_io:save_latents",
    "edit_first_and_propagate": "dynode_plugin.propagation:edit_first_and_propagate",
    "Host": "dynode_plugin.hosts:Host",
    "Clip": "dynode_plugin.hosts:Clip",
    "FrameSelection": "dynode_plugin.frame_selection:FrameSelection",
    "SelectionSpec": "dynode_plugin.frame_selection:SelectionSpec",
    "fit_or_load": "dynode_plugin.dynamics.settings:fit_or_load",
    "DynodeError": "dynode_plugin.errors:DynodeError",
    "DynodeInputError": "dynode_plugin.errors:DynodeInputError",
}

__all__ = ["Lazy", "hookimpl", "get_registry", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        target = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'dynode_plugin' has no attribute '{name}'") from None
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
