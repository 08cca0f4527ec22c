"""Contract tests of the plugin system: every hook documented and exercised, discovery, isolation."""
import inspect
import json
import sys
import types

import click
import pytest
from click.testing import CliRunner

from dynode_plugin import hookspecs
from dynode_plugin import plugins as P

HOOKS = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("dynode_")]


def test_every_hook_is_documented():
    assert set(HOOKS) == {"dynode_register_hosts", "dynode_register_dynamics", "dynode_register_metrics",
                          "dynode_register_encoders", "dynode_register_doctors", "dynode_register_commands"}
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name))
        assert doc and len(doc) > 80, f"{name} needs a real docstring"


def _test_plugin():
    """A plugin built inside the test, implementing every hook."""
    mod = types.ModuleType("my_test_plugin")

    class MyHost:
        id = "test-host"
        summary = "a host from a test"

    class MyMetric:
        id = "test-metric"

    @click.command("hello-test")
    def hello():
        click.echo("hello from a test plugin")

    mod.dynode_register_hosts = P.hookimpl(lambda register: register(MyHost))
    class MyDynamics:
        id = "test-dyn"

    class MyEncoder:
        id = "test-enc"

    target = types.ModuleType("my_test_plugin_targets")  # what a Lazy reference imports on first use
    target.MyDynamics, target.MyEncoder = MyDynamics, MyEncoder
    sys.modules[target.__name__] = target
    mod.dynode_register_dynamics = P.hookimpl(lambda register: register(P.Lazy("test-dyn", "my_test_plugin_targets:MyDynamics", "lazy")))
    mod.dynode_register_metrics = P.hookimpl(lambda register: register(MyMetric, summary="counts things"))
    mod.dynode_register_encoders = P.hookimpl(lambda register: register(P.Lazy("test-enc", "my_test_plugin_targets:MyEncoder")))
    mod.dynode_register_commands = P.hookimpl(lambda cli: cli.add_command(hello))
    return mod, MyHost


def test_a_plugin_registered_in_a_test_is_discovered_for_every_hook():
    mod, host_cls = _test_plugin()
    reg = P.make_plugin_manager(autoload=False, extra_plugins=[mod])
    assert reg.get("hosts", "test-host") is host_cls
    assert reg.get("dynamics", "test-dyn").id == "test-dyn"  # lazy entry loads on use
    assert reg.entries["metrics"]["test-metric"].summary == "counts things"
    assert reg.get("encoders", "test-enc").__name__ == "MyEncoder"
    group = click.Group("dynode")
    reg.add_commands(group)
    assert "hello-test" in group.commands
    assert "fit" in group.commands  # the defaults are ordinary plugins too


def test_a_plugin_replaces_a_default_with_the_same_id_and_says_so():
    """Registration follows discovery order (defaults, entry points, extras): the later plugin wins."""
    class MyLinear:
        id, summary = "linear", "my own linear"

    mod = types.ModuleType("my_linear_plugin")
    mod.dynode_register_dynamics = P.hookimpl(lambda register: register(MyLinear))
    with pytest.warns(P.PluginWarning, match="dynamics model 'linear' from plugin 'my_linear_plugin' replaces the one from 'dynode_plugin.dynamics.plugin'"):
        reg = P.make_plugin_manager(autoload=False, extra_plugins=[mod])
    assert reg.get("dynamics", "linear") is MyLinear
    assert reg.get("dynamics", "spline").id == "spline"  # the other defaults stay


def test_default_dynamics_are_registered_lazily():
    reg = P.make_plugin_manager(autoload=False)
    assert {"ode", "linear", "spline"} <= set(reg.ids("dynamics"))
    assert isinstance(reg.entries["dynamics"]["ode"].ref, P.Lazy)


def test_unknown_id_lists_the_known_ones():
    from dynode_plugin.errors import DynodeInputError

    reg = P.make_plugin_manager(autoload=False)
    with pytest.raises(DynodeInputError, match="unknown dynamics model 'nope'; known: .*linear.*ode"):
        reg.get("dynamics", "nope")


def test_broken_third_party_plugin_warns_and_the_rest_still_work(monkeypatch):
    class EP:
        def __init__(self, name, fn):
            self.name, self.load = name, fn

    def boom():
        raise ImportError("no module named 'half_installed'")

    bad_register = types.ModuleType("bad_register")
    bad_register.dynode_register_hosts = P.hookimpl(lambda register: 1 / 0)
    monkeypatch.setattr(P, "_entry_points", lambda: [EP("broken", boom), EP("badreg", lambda: bad_register)])
    with pytest.warns(P.PluginWarning) as record:
        reg = P.make_plugin_manager(autoload=True)
    messages = " ".join(str(w.message) for w in record)
    assert "broken" in messages and "badreg" in messages
    assert {f["plugin"] for f in reg.failed} >= {"broken", "badreg"}
    assert "ode" in reg.ids("dynamics")


def test_env_var_disables_entry_point_autoload(monkeypatch):
    loaded = []
    plugin = types.ModuleType("third_party")
    plugin.dynode_register_hosts = P.hookimpl(lambda register: loaded.append(1))

    class EP:
        name = "third"

        @staticmethod
        def load():
            return plugin

    monkeypatch.setattr(P, "_entry_points", lambda: [EP()])
    monkeypatch.setenv(P.AUTOLOAD_ENV, "1")
    P.make_plugin_manager()
    assert loaded == []
    monkeypatch.setenv(P.AUTOLOAD_ENV, "0")
    reg = P.make_plugin_manager()
    assert loaded == [1] and "third" in reg.as_dict()["plugins"]


def test_block_list_env_var(monkeypatch):
    monkeypatch.setenv(P.BLOCK_ENV, "dynode_plugin.dynamics.plugin")
    reg = P.make_plugin_manager(autoload=False)
    assert reg.ids("dynamics") == []


def test_plugins_command_json(monkeypatch):
    from dynode_plugin.cli import build_cli

    result = CliRunner().invoke(build_cli(), ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{"):])
    assert {e["id"] for e in data["dynamics"]} >= {"ode", "linear", "spline"}
    assert "dynode_plugin.core_commands" in data["plugins"]


def test_a_lazy_entry_must_load_a_class_with_its_id():
    mod = types.ModuleType("mislabelled")
    mod.dynode_register_dynamics = P.hookimpl(lambda register: register(P.Lazy("fancy", "dynode_plugin.dynamics.baselines:LinearDynamics")))
    reg = P.make_plugin_manager(autoload=False, extra_plugins=[mod])
    from dynode_plugin.errors import DynodeInputError

    with pytest.raises(DynodeInputError, match="registered dynamics model 'fancy' as .*LinearDynamics, whose id is 'linear'"):
        reg.get("dynamics", "fancy")


def test_a_misspelt_hook_is_reported_not_silently_ignored():
    mod = types.ModuleType("typo_plugin")
    mod.dynode_register_host = P.hookimpl(lambda register: None)  # 'host', not 'hosts'
    with pytest.warns(P.PluginWarning, match="typo_plugin.*check_pending.*dynode_register_host"):
        reg = P.make_plugin_manager(autoload=False, extra_plugins=[mod])
    assert [f["plugin"] for f in reg.failed] == ["typo_plugin"] and "toy" in reg.ids("hosts")


def test_plugin_docs_are_generated_from_the_hookspecs_and_current():
    from dynode_plugin.plugin_docs import hooks, render

    assert hooks() == sorted(HOOKS)
    text = render()
    for name in HOOKS:
        assert f"### `{name}(" in text and inspect.getdoc(getattr(hookspecs, name)).splitlines()[0] in text
    current = (P.__file__ and __import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text()
    assert current == text, "docs/plugins.md is stale: python -m dynode_plugin.plugin_docs > docs/plugins.md"


def test_every_register_argument_is_typed():
    for name in HOOKS:
        param = next(iter(inspect.signature(getattr(hookspecs, name)).parameters.values()))
        assert param.annotation not in (inspect.Parameter.empty, "Register"), name


def test_every_default_entry_loads_under_its_own_id():
    """Aliases included: `dynode doctor --host latent-transformer` once failed because its Lazy target's id was 'lt'."""
    reg = P.make_plugin_manager(autoload=False)
    assert not reg.failed
    for kind, entries in reg.entries.items():
        for id in entries:
            assert reg.get(kind, id).id == id, (kind, id)
