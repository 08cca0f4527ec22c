"""Dynamics settings defined once: ODEConfig's fields are the CLI options, STIT names and fit settings."""
import dataclasses

import click
import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.dynamics.config import ODEConfig
from dynode_plugin.dynamics.settings import all_settings, dynamics_options, fit_or_load, given, settings_for
from dynode_plugin.errors import DynodeInputError


def test_every_field_is_an_option_with_its_docstring_help_and_default():
    names = [f.name for f in dataclasses.fields(ODEConfig)]
    settings = {s.name: s for s in all_settings()}
    assert list(settings) == names
    for s in settings.values():
        assert s.help, f"ODEConfig.{s.name} has no line in the class docstring"

    @click.command()
    @dynamics_options
    def cmd(**kw):
        click.echo(repr(sorted(given(kw).items())) + f" {kw['model_id']} {kw['mode']}")

    r = CliRunner().invoke(cmd, ["--steps", "7", "--subspace-dim", "0", "--no-time-dependent", "--lr", "0.01", "--mode", "flow"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "[('lr', 0.01), ('steps', 7), ('subspace_dim', None), ('time_dependent', False)] ode flow"
    helptext = CliRunner().invoke(cmd, ["--help"]).output
    assert "--grad-clip" in helptext and f"(default: {ODEConfig().steps})" in helptext  # a default shows where it is set


def test_settings_for_gives_a_model_only_what_it_declares():
    assert settings_for("ode", {"steps": 5, "subspace_dim": None}) == {"steps": 5, "subspace_dim": None}
    assert settings_for("linear", {"steps": 5, "solver": "rk4", "subspace_dim": 3}) == {"subspace_dim": 3}
    with pytest.raises(DynodeInputError, match="unknown dynamics setting"):
        settings_for("ode", {"stepz": 5})


def test_fit_or_load_reuses_only_a_matching_file_and_refits_on_request(tmp_path):
    z = torch.randn(6, 2, 3)
    path = tmp_path / "m.dynode"
    m1, fitted1, _ = fit_or_load(z, "linear", {"subspace_dim": 2}, path, progress=False)
    m2, fitted2, secs = fit_or_load(z, "linear", {}, path, progress=False)
    assert fitted1 and not fitted2 and secs == 0.0 and path.is_file()
    torch.testing.assert_close(m2.predict(), m1.predict())
    _, fitted3, _ = fit_or_load(z, "linear", {}, path, refit=True, progress=False)
    mask = torch.tensor([True, False, True, True, False, True])
    _, fitted4, _ = fit_or_load(z, "linear", {}, path, mask=mask, progress=False)  # other observed frames: refit
    assert fitted3 and fitted4


def test_a_model_fitted_on_some_frames_is_reused_only_for_the_frames_it_filled(tmp_path):
    """Without a mask every given frame is data: a sparse model matches when the other frames hold its own
    predictions (STIT's sparse train fills its checkpoint so), not when they hold other codes."""
    from dynode_plugin.dynamics.settings import model_matches

    z = torch.randn(9, 2, 3)
    mask = torch.zeros(9, dtype=torch.bool)
    mask[::4] = True
    path = tmp_path / "sparse.dynode"
    sparse, fitted, _ = fit_or_load(z, "ode", {"steps": 3, "hidden": 8}, path, mask=mask, progress=False)
    assert fitted and path.is_file()
    filled = z.clone()
    filled[~mask] = sparse.predict(sparse.times[~mask])
    assert model_matches(sparse, filled) and not model_matches(sparse, z)
    assert model_matches(sparse, z, mask=mask)  # the same observed frames named: the others are not data
    nudged = filled.clone()
    nudged[1, 0, 0] += 1e-2
    assert not model_matches(sparse, nudged)
    again, fitted, secs = fit_or_load(filled, "ode", {"steps": 3, "hidden": 8}, path, progress=False)
    assert not fitted and secs == 0.0 and bool((~again.mask).any())  # reused: the file's sparse model
    dense, fitted, _ = fit_or_load(z, "ode", {"steps": 3, "hidden": 8}, path, progress=False)
    assert fitted and bool(dense.mask.all())  # other codes at the unobserved frames: fitted on all nine


def test_fit_or_load_hands_a_host_loss_to_models_that_take_one():
    z = torch.randn(6, 2, 3)
    calls = []

    def loss(latents, target_obs, step):
        calls.append(tuple(latents.shape))
        return 0.0 * latents.sum()

    fit_or_load(z, "ode", {"steps": 3, "hidden": 8}, extra_loss=loss, progress=False)
    assert len(calls) == 3 and calls[0][1:] == (2, 3)  # decoded full latents, one call per fit step
    model, fitted, _ = fit_or_load(z, "linear", {}, extra_loss=loss, progress=False)  # a baseline: left out
    assert fitted and len(calls) == 3


def test_a_plugin_dynamics_model_gets_the_users_settings_it_declares():
    import types

    from dynode_plugin import plugins as P

    @dataclasses.dataclass
    class PlugSettings:
        steps: int = 5
        smoothing: float = 0.0

    class PlugModel:
        id = "plug"
        settings_class = PlugSettings

        def __init__(self, **kw):
            self.kw = kw

        def fit(self, latents, times=None, mask=None, progress=True):
            self.n = len(latents)

    mod = types.ModuleType("plug_plugin")
    mod.dynode_register_dynamics = P.hookimpl(lambda register: register(PlugModel))
    P.reset_registry(P.make_plugin_manager(autoload=False, extra_plugins=[mod]))
    try:
        model, fitted, _ = fit_or_load(torch.zeros(4, 2), "plug", {"steps": 3, "lr": 0.1}, progress=False)
        assert fitted and model.kw == {"steps": 3} and model.n == 4  # --steps reaches it; --lr is not its setting
    finally:
        P.reset_registry()
