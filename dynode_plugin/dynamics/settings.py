"""Dynamics settings defined once: a model's settings dataclass is the single source.

Each dynamics model class names its settings dataclass (``settings_class``; ``ODEConfig``
for the neural ODE). From the dataclass fields this module generates

* the click options every command that fits takes (:func:`dynamics_options`: ``--steps``,
  ``--solver``, ``--subspace-dim``, ... one per field, plus ``--model`` and ``--mode``),
* the STIT config names (``dynode_<field>``, read in ``dynode_adapters.stit.settings``),

and :func:`fit_or_load` hands a model exactly the user's values for the fields *it* declares,
so a dynamics model from a third-party plugin gets them like the built-in one. Adding a
setting is one field (and its line in the class docstring, which becomes the help text).
"""
from __future__ import annotations

import dataclasses
import re
import time
import typing
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..errors import DynodeInputError
from .config import ODEConfig

PROPAGATION_MODES = ("offset", "flow", "reintegrate")
MODE_HELP = ("How the frame-0 edit is carried: offset = fitted trajectory + (edited frame 0 - frame 0); "
             "flow = the edit carried by the learned flow; reintegrate = the paper's integration from the edited frame 0.")
SETTINGS_CLASSES: Tuple[type, ...] = (ODEConfig,)  # the built-in models' settings (baselines: a subset of ODEConfig)


@dataclasses.dataclass(frozen=True)
class Setting:
    """One dynamics setting as the command line and STIT's configs see it."""

    name: str  # the dataclass field (``subspace_dim``)
    type: type  # int, float, str or bool
    optional: bool  # None is a valid value (for ints: 0 on the command line means None)
    default: Any
    help: str

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def stit_name(self) -> str:
        return "dynode_" + self.name

    def check(self, value: Any, where: str) -> Any:
        """``value`` if it fits this setting (None = the model's default), else a one-line error."""
        if value is None:
            return None
        ok = isinstance(value, bool) if self.type is bool else (
            isinstance(value, (int, float)) and not isinstance(value, bool) if self.type is float else
            isinstance(value, self.type) and not isinstance(value, bool))
        if not ok:
            raise DynodeInputError(f"{where}: {self.name} = {value!r} must be a {self.type.__name__} (or None for the default)")
        return value


def _docstring_help(cls: type) -> Dict[str, str]:
    """Per-field help from the class docstring's ``name: text`` / ``a, b: text`` entries."""
    out: Dict[str, str] = {}
    names: List[str] = []
    for line in (cls.__doc__ or "").splitlines():
        m = re.match(r"^\s{4}([a-z_][a-z_0-9]*(?:, [a-z_][a-z_0-9]*)*): (.*)$", line)
        if m:
            names = m.group(1).split(", ")
            for n in names:
                out[n] = m.group(2).strip()
        elif names and line.startswith(" " * 8) and line.strip():
            for n in names:
                out[n] += " " + line.strip()
        else:
            names = []
    return out


def settings_of(cls: type) -> List[Setting]:
    """The :class:`Setting` of every field of the dataclass ``cls``."""
    hints = typing.get_type_hints(cls)
    helps = _docstring_help(cls)
    out = []
    for f in dataclasses.fields(cls):
        kind = hints[f.name]
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        optional = len(args) < len(typing.get_args(kind))
        base = args[0] if optional else kind
        out.append(Setting(f.name, base, optional, f.default, helps.get(f.name, "")))
    return out


def all_settings() -> List[Setting]:
    seen: Dict[str, Setting] = {}
    for cls in SETTINGS_CLASSES:
        for s in settings_of(cls):
            seen.setdefault(s.name, s)
    return list(seen.values())


def _click_option(s: Setting):
    import click

    default_text = "full latent" if s.default is None and s.name == "subspace_dim" else s.default
    help_text = f"{s.help} (default: {default_text}" + ("; 0 = None" if s.optional and s.type is int else "") + ")"
    if s.type is bool:
        return click.option(f"{s.flag}/--no-{s.flag[2:]}", s.name, default=None, help=help_text)
    return click.option(s.flag, s.name, type=_param_type(s), default=None, help=help_text)


def _param_type(s: Setting):
    """The shared bounded click type of this setting (dynode_plugin.cli_types), else its plain type."""
    import click

    from ..cli_types import ODE_FIELD_TYPES

    ptype = ODE_FIELD_TYPES.get(s.name, s.type)
    if s.optional and s.type is int and isinstance(ptype, click.IntRange) and ptype.min == 1:
        ptype = click.IntRange(0, ptype.max)  # 0 = None on the command line
    return ptype


def fit_options(fn):
    """Add ``--model`` and one option per dynamics setting (kwargs ``model_id`` and the field names);
    :func:`given` collects the settings the user gave."""
    import click

    for s in reversed(all_settings()):
        fn = _click_option(s)(fn)
    return click.option("--model", "model_id", default="ode", show_default=True,
                        help="Dynamics model id: ode, linear, spline or a plugin's (see `dynode plugins`).")(fn)


def mode_option(fn):
    import click

    return click.option("--mode", type=click.Choice(PROPAGATION_MODES), default="offset", show_default=True, help=MODE_HELP)(fn)


def dynamics_options(fn):
    """:func:`fit_options` and ``--mode`` (kwarg ``mode``): every command that edits."""
    return fit_options(mode_option(fn))


def given(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """Pop the dynamics settings out of a command's kwargs: only the ones the user gave (not None).

    Optional integer settings take 0 for None on the command line (``--subspace-dim 0`` = full latent).
    """
    out = {}
    for s in all_settings():
        value = kwargs.pop(s.name, None)
        if value is not None:
            out[s.name] = None if (s.optional and s.type is int and value == 0) else value
    return out


def settings_for(model_id: str, values: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Constructor settings for ``model_id``: the values its ``settings_class`` declares (others are
    not this model's and are left out, so ``--steps`` with ``--model linear`` changes nothing)."""
    from ..plugins import get_registry

    cls = get_registry().get("dynamics", model_id)
    declared = {f.name for f in dataclasses.fields(cls.settings_class)} if getattr(cls, "settings_class", None) else set()
    unknown = set(values or {}) - declared - {s.name for s in all_settings()}
    if unknown:
        raise DynodeInputError(f"unknown dynamics setting(s) {', '.join(sorted(unknown))} for model '{model_id}'; "
                               f"it takes: {', '.join(sorted(declared)) or 'none'}")
    return {k: v for k, v in (values or {}).items() if k in declared}


def validate(model_id: str, values: Optional[Mapping[str, Any]] = None) -> None:
    """Check the user's values against the model's settings class now (its ``validate()``, if it has
    one), so a bad value in a config file fails before anything is loaded or fitted."""
    from ..plugins import get_registry

    cls = getattr(get_registry().get("dynamics", model_id), "settings_class", None)
    built = cls(**settings_for(model_id, values)) if cls is not None else None
    if hasattr(built, "validate"):
        built.validate()


def model_matches(model, latents, mask=None) -> bool:
    """Was ``model`` fitted on these latents (its observed rows equal them, same frame count)?

    With ``mask`` the model must have observed the same frames. Without one every given frame is data:
    a model fitted on some of them only matches when the others are what it predicts there (latents
    it filled itself, as STIT's sparse train writes them); reusing it for frames that hold other codes
    would silently drop them from the fit.
    """
    import torch

    if tuple(model.shape) != tuple(latents.shape[1:]) or len(model.times) != len(latents):
        return False
    if mask is not None and not torch.equal(model.mask, torch.as_tensor(mask, dtype=torch.bool)):
        return False
    if not torch.allclose(model.observed, latents[model.mask].reshape(len(model.observed), -1), atol=1e-5):
        return False
    unseen = ~model.mask
    if mask is not None or not bool(unseen.any()):
        return True
    # atol 1e-4: the same prediction recomputed may differ in the last bits (thread count, batch shape)
    return torch.allclose(model.predict(model.times[unseen]).float(), latents[unseen].to("cpu", torch.float32), atol=1e-4)


def fit_or_load(latents, model_id: str = "ode", settings: Optional[Mapping[str, Any]] = None, path=None, *,
                times=None, mask=None, refit: bool = False, progress: bool = True, extra_loss=None,
                replace: bool = True, unobserved_loss=None) -> Tuple[Any, bool, float]:
    """The one "construct, fit, save" of the package: returns ``(model, fitted, fit seconds)``.

    path: a ``.dynode`` file, reused when it holds a ``model_id`` model fitted on these latents (and
    ``refit`` is False), written after fitting otherwise. settings: the user's values (see :func:`given`).
    extra_loss: a host's loss for the fit (:meth:`dynode_plugin.hosts.Host.fit_loss`), given to models whose
    ``_fit`` takes one (the neural ODE) and left out for the others; unobserved_loss likewise
    (:meth:`dynode_plugin.hosts.Host.unobserved_loss`).
    replace: whether an existing ``path`` that is not reused may be replaced (the command line's
    ``--force``); False refuses before fitting.
    """
    import inspect

    from ..plugins import get_registry

    if path is not None and Path(path).exists() and not refit:
        from .io import load_dynamics

        candidate = load_dynamics(path)
        if candidate.id == model_id and model_matches(candidate, latents, mask=mask):
            return candidate, False, 0.0
    if path is not None and not replace and (Path(path).exists() or Path(path).is_symlink()):
        from ..errors import DynodeInputError

        why = "--refit fits again" if refit else "it holds a model of other latents or settings"
        raise DynodeInputError(f"{path} exists and {why}; pass --force to replace it, or choose another --save-model file")
    t0 = time.perf_counter()
    model = get_registry().get("dynamics", model_id)(**settings_for(model_id, settings))
    losses = {k: v for k, v in (("extra_loss", extra_loss), ("unobserved_loss", unobserved_loss)) if v is not None}
    # only a model whose _fit takes a loss gets it (a plugin's model may have no _fit at all)
    options = {k: v for k, v in losses.items() if k in inspect.signature(model._fit).parameters} if losses else {}
    model.fit(latents, times=times, mask=mask, progress=progress, **options)
    seconds = time.perf_counter() - t0
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
    return model, True, seconds
