"""Issue 15: jitter, smoothing, the Gaussian baseline, the scores and the demo's rows (fast, random weights)."""
import json

import pytest
import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.toy import world
from dynode_plugin.toy.evaluation import edit_flicker, gaussian_smooth, jitter_stats


def test_gaussian_smooth_keeps_lines_and_removes_noise():
    t = torch.linspace(0, 1, 30)[:, None, None]
    line = t * torch.ones(30, 2, 3)
    assert torch.allclose(gaussian_smooth(line, 1.5)[5:-5], line[5:-5], atol=1e-6)  # interior of a line is kept
    g = torch.Generator().manual_seed(0)
    noise = torch.randn(200, 4, 5, generator=g)
    assert float(gaussian_smooth(noise, 2.0).var()) < 0.3 * float(noise.var())


def test_jitter_stats_and_edit_flicker_known_answers():
    line = torch.linspace(0, 1, 20)[:, None] * torch.ones(20, 8)
    assert jitter_stats(line)["jitter_index"] == pytest.approx(0, abs=1e-12)
    assert jitter_stats(line)["roughness"] == pytest.approx(0, abs=1e-12)
    noise = torch.randn(4000, 16, generator=torch.Generator().manual_seed(1))
    stats = jitter_stats(noise)
    assert stats["roughness"] == pytest.approx(3.0, rel=0.05) and stats["jitter_index"] == pytest.approx(1.5, rel=0.05)
    x = torch.rand(5, 3, 8, 8)
    assert edit_flicker(x, x + 0.2) == pytest.approx(0, abs=1e-7)  # a constant edit adds no flicker
    y = x.clone()
    y[2] += 0.1
    assert edit_flicker(x, y) == pytest.approx(2 * 0.1 / 4, rel=1e-5)  # frame 2 differs: two of four steps change by 0.1


def test_smooth_drops_the_out_of_subspace_jitter():
    from dynode_plugin.dynamics.model import DynamicsModel

    g = torch.Generator().manual_seed(0)
    t = torch.linspace(0, 1, 16)
    motion = torch.stack([torch.sin(3 * t), torch.cos(2 * t)], 1) @ torch.randn(2, 40, generator=g)
    jitter = 0.05 * torch.randn(16, 40, generator=g)
    z = (motion + jitter).reshape(16, 4, 10)
    kw = dict(subspace_dim=2, steps=10, seed=0)
    rough = DynamicsModel(**kw).fit(z, progress=False)
    smooth = DynamicsModel(**kw, smooth=True).fit(z, progress=False)
    assert torch.allclose(rough.predict(), z, atol=1e-4)  # default: the observed codes, jitter included
    out = smooth.predict()
    resid = (z - out).reshape(16, -1)
    assert float(resid.norm()) > 0.5 * float(jitter.norm())  # much of the jitter is gone
    assert jitter_stats(out)["roughness"] < jitter_stats(z)["roughness"]


@pytest.fixture(scope="module")
def full_assets(tmp_path_factory):
    from dynode_plugin.toy.assets import ToyAssets, save_assets
    from dynode_plugin.toy.attributes import AttributeNet
    from dynode_plugin.toy.directions import find_directions
    from dynode_plugin.toy.generator import build
    from dynode_plugin.toy.mappers import LatentMapper
    from dynode_plugin.toy.quality import ShapeClassifier

    torch.manual_seed(0)
    g, e = build()
    path = tmp_path_factory.mktemp("toyassets_full")
    save_assets(ToyAssets(g, e, find_directions(e, n=128), {"seed": 0}, {"colour": LatentMapper()}, AttributeNet(), ShapeClassifier()), path)
    return path


def test_jitter_is_seeded_noise_on_what_the_encoder_sees(full_assets, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_ASSETS", str(full_assets))
    from dynode_plugin.toy.host import ToyHost

    frames = world.render_clip(3, seed=2)
    clean = ToyHost().invert(frames, progress=False)
    a, b = (ToyHost(jitter=0.1).invert(frames, progress=False) for _ in range(2))
    assert torch.equal(a, b) and not torch.allclose(a, clean, atol=1e-4)
    with pytest.raises(DynodeInputError, match="jitter"):
        ToyHost(jitter=-1)


def test_demo_writes_every_row_and_file(full_assets, monkeypatch, tmp_path):
    monkeypatch.setenv("DYNODE_TOY_ASSETS", str(full_assets))
    from dynode_plugin.demo import run_demo
    from dynode_plugin.toy.inverter import REALISTIC_JITTER

    files = run_demo(tmp_path / "demo", n_frames=6, edit_spec="colour-mapper=+1", steps=5)
    for name in files:
        assert (tmp_path / "demo" / name).stat().st_size > 0, name
    m = json.loads((tmp_path / "demo" / "metrics.json").read_text())
    assert m["inversion"] == {"mode": "encoder", "steps": 0, "jitter": REALISTIC_JITTER}  # the calibrated setting by default
    methods = [r["method"] for r in m["rows"]]
    # the Gaussian filter at the smoothing fit's window (SMOOTH_FIT's smooth_sigma, 3 gaps)
    assert m["fits"]["edit"]["settings"]["smooth_sigma"] == 3.0
    assert methods == ["per-frame", "gaussian sigma=3", "dynode offset", "dynode smooth", "dynode flow", "dynode reintegrate"]
    for r in m["rows"]:
        for k in ("tl_id", "tg_id", "identity_preservation", "attribute_strength", "edit_flicker_x1e3", "flicker_x1e3"):
            assert isinstance(r[k], float), (r["method"], k)
    assert m["dynode"]["method"] == "dynode smooth"
    assert (tmp_path / "demo" / "trajectory.png").read_bytes()[:4] == b"\x89PNG"


def test_smooth_sigma_widens_the_window_and_is_validated():
    """``smooth_sigma`` (observed gaps) sets the width of the smooth trajectory's average: on codes of a
    straight, even-speed motion plus independent jitter, a wider window leaves less of the jitter
    (the motion itself is carried by the flow, not averaged away)."""
    from dynode_plugin.dynamics.model import DynamicsModel
    from dynode_plugin.toy.evaluation import smooth_view

    g = torch.Generator().manual_seed(0)
    t = torch.linspace(0, 1, 24)
    motion = t[:, None] * torch.randn(1, 30, generator=g)
    jitter = 0.05 * torch.randn(24, 30, generator=g)
    z = (motion + jitter).reshape(24, 3, 10)
    model = DynamicsModel(subspace_dim=None, steps=60, seed=0).fit(z, progress=False)
    err = {s: float((smooth_view(model, s).predict().reshape(24, -1) - motion)[3:-3].pow(2).mean()) for s in (0.5, 2.0)}
    assert err[2.0] < 0.6 * err[0.5] < 0.6 * float(jitter[3:-3].pow(2).mean()), err
    assert model.config.smooth_sigma == 1.5 and smooth_view(model, 2.0).config.smooth_sigma == 2.0
    with pytest.raises(DynodeInputError, match="smooth_sigma must be a number in"):
        DynamicsModel(smooth_sigma=0)


def test_edit_rows_score_against_the_jitter_free_edit(full_assets, monkeypatch):
    """Extra Gaussian and DynODE windows become rows, and every row is scored against the per-frame
    edit of the clean codes (0 for the per-frame edit when the codes are the clean ones)."""
    monkeypatch.setenv("DYNODE_TOY_ASSETS", str(full_assets))
    from dynode_plugin.dynamics.model import DynamicsModel
    from dynode_plugin.toy.evaluation import edit_rows
    from dynode_plugin.toy.host import ToyAppearanceEncoder, ToyHost

    host = ToyHost()
    frames = world.render_clip(6, seed=0)
    z = host.invert(frames, progress=False)
    model = DynamicsModel(steps=5).fit(z, progress=False)
    rows, rendered = edit_rows(host, frames, z, ("colour", 1.0), model, ToyAppearanceEncoder(), sigmas=(3.0,),
                               smooth_sigmas=(2.0,), clean=z)
    by = {r["method"]: r for r in rows}
    assert list(by) == ["per-frame", "gaussian sigma=1.5", "gaussian sigma=3", "dynode offset", "dynode smooth",
                        "dynode smooth sigma=2", "dynode flow", "dynode reintegrate"]
    assert by["per-frame"]["clean_edit_mse_x1e3"] == pytest.approx(0, abs=1e-9)
    assert by["gaussian sigma=3"]["clean_edit_mse_x1e3"] > 0
    reference = host.synthesize(host.edit(z, "colour", 1.0))
    assert by["dynode smooth"]["clean_edit_mse_x1e3"] == pytest.approx(
        float((rendered["dynode smooth"] - reference).pow(2).mean()) * 1e3, rel=1e-5)


def test_smooth_edit_on_the_toy_host_uses_the_smoothing_fit_unless_the_user_chose_one():
    """``--smooth`` on the toy host fits ``SMOOTH_FIT`` (hidden 32, window 32, smooth_sigma 3) when neither
    ``--hidden`` nor ``--window`` was given; a user's choice is kept, and without ``--smooth`` the default fit runs."""
    from dynode_plugin.dynamics.config import ODEConfig
    from dynode_plugin.hosts import Clip
    from dynode_plugin.pipeline import DynamicsChoice, edit_clip
    from dynode_plugin.toy.evaluation import SMOOTH_FIT
    from dynode_plugin.toy.host import ToyHost

    host = ToyHost()
    z = torch.linspace(0, 1, 20)[:, None, None] * torch.randn(1, 10, 64) + 0.05 * torch.randn(20, 10, 64)

    def fitted(**settings):
        res = edit_clip(host, Clip(z.clone()), [("colour", 1.0)], dynamics=DynamicsChoice(settings={"steps": 2, **settings}),
                        progress=False)
        return res.model.config.hidden, res.model.config.window, res.model.config.smooth_sigma

    default = ODEConfig()
    assert SMOOTH_FIT == {"hidden": 32, "window": 32, "smooth_sigma": 3.0} and fitted(smooth=True) == (32, 32, 3.0)
    assert fitted(smooth=True, smooth_sigma=2.0) == (32, 32, 2.0)  # the user's window wins
    assert fitted(smooth=True, hidden=24) == (24, default.window, default.smooth_sigma)
    assert fitted(smooth=True, window=4) == (default.hidden, 4, default.smooth_sigma)
    assert fitted() == (default.hidden, default.window, default.smooth_sigma)


def test_the_realistic_jitter_named_in_help_and_errors_is_the_constant():
    """The command lines cannot import the constant (the toy inverter loads torch; bad input answers before
    torch), so their help texts spell its value out: kept in step with it here."""
    from click.testing import CliRunner

    from dynode_plugin.cli import build_cli
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.toy.inverter import REALISTIC_JITTER

    value = str(REALISTIC_JITTER)
    demo_help = CliRunner().invoke(build_cli(), ["demo", "--help"]).output
    assert f"default: {value}" in demo_help
    host_help = next(o.help for o in ToyHost.cli_options() if o.name == "jitter")
    assert f"({value}, the demo's realistic setting" in host_help
    with pytest.raises(DynodeInputError, match=f"realistic: {value}"):
        ToyHost(jitter=2.0)
