"""Plugin manager factory and the registries built from the hooks.

``get_registry()`` is the one entry point the rest of the package uses: it builds the
pluggy manager once (default plugins first, then the ``dynode`` entry points unless
``DYNODE_DISABLE_PLUGIN_AUTOLOAD`` is set), calls every registration hook, and keeps
the result. ``DYNODE_DISABLE_PLUGINS=name1,name2`` blocks individual plugins by name.
"""
from __future__ import annotations

import dataclasses
import importlib
import os
import warnings
from typing import Any, Callable, Dict, List, Optional

import pluggy

from . import hookspecs

PROJECT = "dynode"
ENTRY_POINT_GROUP = "dynode"
AUTOLOAD_ENV = "DYNODE_DISABLE_PLUGIN_AUTOLOAD"
BLOCK_ENV = "DYNODE_DISABLE_PLUGINS"

hookimpl = pluggy.HookimplMarker(PROJECT)

# Default plugins: ordinary plugin modules, registered before third-party ones.
DEFAULT_PLUGINS: List[str] = [
    "dynode_plugin.dynamics.plugin",
    "dynode_plugin.core_commands",
    "dynode_plugin.prior_commands",
    "dynode_plugin.doctor",
    "dynode_plugin.metrics.plugin",
    "dynode_plugin.toy.plugin",
    "dynode_plugin.batch.plugin",
    "dynode_adapters.latent_transformer.plugin",
    "dynode_adapters.tcsve.plugin",
    "dynode_adapters.stit.plugin",
]

KINDS = ("hosts", "dynamics", "metrics", "encoders", "doctors")


class PluginWarning(RuntimeWarning):
    """A plugin failed to load or register and was skipped."""


@dataclasses.dataclass(frozen=True)
class Lazy:
    """A registry entry whose class is imported only when used (``"pkg.mod:Class"``)."""

    id: str
    target: str
    summary: str = ""

    def load(self) -> Any:
        module, _, attr = self.target.partition(":")
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj


@dataclasses.dataclass
class Entry:
    id: str
    kind: str
    plugin: str
    summary: str
    ref: Any  # a class, or a Lazy

    def load(self) -> Any:
        """The registered class; a Lazy target must carry the id it was registered under."""
        if not isinstance(self.ref, Lazy):
            return self.ref
        obj = self.ref.load()
        if getattr(obj, "id", None) != self.id:
            from .errors import DynodeInputError

            raise DynodeInputError(f"plugin '{self.plugin}' registered {self.kind[:-1] if self.kind != 'dynamics' else 'dynamics model'} "
                                   f"'{self.id}' as {self.ref.target}, whose id is {getattr(obj, 'id', None)!r}; "
                                   "the plugin must register the class under its own id")
        return obj


def _true(value: Optional[str]) -> bool:
    return bool(value) and value.strip().lower() not in ("0", "false", "no", "off", "")


def _truthy_env(name: str) -> bool:
    return _true(os.environ.get(name))


class Registry:
    """What the loaded plugins provide, by kind and id."""

    def __init__(self, pm: pluggy.PluginManager):
        self.pm = pm
        self.entries: Dict[str, Dict[str, Entry]] = {k: {} for k in KINDS}
        self.failed: List[Dict[str, str]] = []

    # -- lookup -----------------------------------------------------------------
    def ids(self, kind: str) -> List[str]:
        return sorted(self.entries[kind])

    def get(self, kind: str, id: str) -> Any:
        """Return the class registered as ``id``; unknown ids raise a clear error."""
        from .errors import DynodeInputError

        try:
            entry = self.entries[kind][id]
        except KeyError:
            known = ", ".join(self.ids(kind)) or "none"
            raise DynodeInputError(f"unknown {kind[:-1] if kind != 'dynamics' else 'dynamics model'} '{id}'; known: {known}") from None
        return entry.load()

    def as_dict(self) -> Dict[str, Any]:
        return {
            "plugins": [name for name, _ in self.pm.list_name_plugin()],
            **{kind: [dataclasses.asdict(e) | {"ref": _ref_text(e.ref)} for e in sorted(v.values(), key=lambda e: e.id)] for kind, v in self.entries.items()},
            "failed": self.failed,
        }

    # -- building -----------------------------------------------------------------
    def _register_fn(self, kind: str, plugin: str) -> Callable[..., None]:
        def register(ref: Any, summary: Optional[str] = None) -> None:
            id = getattr(ref, "id", None)
            if not isinstance(id, str) or not id:
                raise TypeError(f"{kind} registered by plugin '{plugin}' has no string 'id': {ref!r}")
            text = summary or getattr(ref, "summary", "") or (ref.__doc__ or "").strip().split("\n")[0]
            if id in self.entries[kind]:
                prev = self.entries[kind][id].plugin
                what = "dynamics model" if kind == "dynamics" else kind[:-1]
                warnings.warn(f"dynode: {what} '{id}' from plugin '{plugin}' replaces the one from '{prev}'", PluginWarning, stacklevel=2)
            self.entries[kind][id] = Entry(id=id, kind=kind, plugin=plugin, summary=text, ref=ref)

        return register

    def collect(self) -> None:
        """Call every registration hook, one plugin at a time, so one broken plugin cannot break the rest."""
        for kind in KINDS:
            caller = getattr(self.pm.hook, f"dynode_register_{kind}")
            # get_hookimpls() is in registration order (pluggy *calls* them last-registered first):
            # registering in this order lets a later plugin replace a default with the same id
            for impl in caller.get_hookimpls():
                name = self.pm.get_name(impl.plugin) or repr(impl.plugin)
                try:
                    impl.function(self._register_fn(kind, name))
                except Exception as exc:  # a broken third-party plugin must not crash the CLI
                    self._fail(name, f"dynode_register_{kind}", exc)

    def add_commands(self, cli: Any) -> None:
        for impl in self.pm.hook.dynode_register_commands.get_hookimpls():  # registration order, as collect()
            name = self.pm.get_name(impl.plugin) or repr(impl.plugin)
            try:
                impl.function(cli)
            except Exception as exc:
                self._fail(name, "dynode_register_commands", exc)

    def _fail(self, plugin: str, where: str, exc: BaseException) -> None:
        msg = f"{type(exc).__name__}: {exc}"
        self.failed.append({"plugin": plugin, "where": where, "error": msg})
        warnings.warn(f"dynode: plugin '{plugin}' failed in {where} and was skipped ({msg})", PluginWarning, stacklevel=2)


def _ref_text(ref: Any) -> str:
    return ref.target if isinstance(ref, Lazy) else f"{ref.__module__}:{ref.__qualname__}"


def _entry_points():
    from importlib.metadata import entry_points

    eps = entry_points()
    return eps.select(group=ENTRY_POINT_GROUP) if hasattr(eps, "select") else eps.get(ENTRY_POINT_GROUP, [])


def make_plugin_manager(autoload: Optional[bool] = None, extra_plugins: Optional[List[Any]] = None) -> Registry:
    """Build a fresh registry: defaults, then entry points (unless disabled), then ``extra_plugins``."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    reg = Registry(pm)
    blocked = {n.strip() for n in os.environ.get(BLOCK_ENV, "").split(",") if n.strip()}
    for name in DEFAULT_PLUGINS:
        if name in blocked:
            continue
        try:
            pm.register(importlib.import_module(name), name=name)
        except Exception as exc:
            reg._fail(name, "import", exc)
    if autoload is None:
        autoload = not _truthy_env(AUTOLOAD_ENV)
    if autoload:
        for ep in _entry_points():
            if ep.name in blocked or pm.has_plugin(ep.name):
                continue
            try:
                pm.register(ep.load(), name=ep.name)
            except Exception as exc:
                reg._fail(ep.name, "import", exc)
    for i, plugin in enumerate(extra_plugins or []):
        pm.register(plugin, name=getattr(plugin, "__name__", f"extra-{i}"))
    _drop_unknown_hooks(reg)
    reg.collect()
    return reg


def _drop_unknown_hooks(reg: Registry) -> None:
    """pluggy's ``check_pending``: a plugin implementing a hook dynode does not define (a typo such as
    ``dynode_register_host``) is reported and unregistered instead of being silently never called."""
    while True:
        try:
            reg.pm.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = reg.pm.get_name(exc.plugin) or repr(exc.plugin)
            reg.pm.unregister(exc.plugin)
            reg._fail(name, "check_pending", exc)


_REGISTRY: Optional[Registry] = None


def get_registry() -> Registry:
    """The process-wide registry, built on first use and then reused."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = make_plugin_manager()
    return _REGISTRY


def reset_registry(registry: Optional[Registry] = None) -> None:
    """Drop (or replace) the cached registry; tests use this after registering plugins."""
    global _REGISTRY
    _REGISTRY = registry
