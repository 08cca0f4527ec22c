import json

import numpy as np
import pytest
import torch

from dynode_plugin import DynamicsModel, LinearDynamics, SplineDynamics, load_dynamics
from dynode_plugin.errors import DynodeInputError

from dyn_helpers import curved_clip


def test_save_load_round_trip(tmp_path):
    t, clean, noisy, _ = curved_clip(n=17, noise=0.05)
    model = DynamicsModel(steps=30, hidden=32).fit(noisy, progress=False)
    path = tmp_path / "clip.dynode"
    model.save(path)
    loaded = DynamicsModel.load(path)
    q = torch.linspace(-0.1, 1.1, 50)
    assert torch.equal(model.predict(q), loaded.predict(q))
    assert torch.allclose(model.propagate(noisy[0] + 1, mode="flow"), loaded.propagate(noisy[0] + 1, mode="flow"), atol=1e-5)
    assert loaded.report.steps == 30 and loaded.config.hidden == 32
    assert [p.name for p in tmp_path.iterdir()] == ["clip.dynode"]  # no temp files left behind


@pytest.mark.parametrize("cls", [LinearDynamics, SplineDynamics])
def test_baselines_round_trip_through_the_generic_loader(tmp_path, cls):
    t, clean, _, _ = curved_clip(n=9)
    m = cls().fit(clean, progress=False)
    m.save(tmp_path / "b.dynode")
    again = load_dynamics(tmp_path / "b.dynode")
    assert type(again) is cls
    assert torch.allclose(again.predict(torch.linspace(0, 1, 20)), m.predict(torch.linspace(0, 1, 20)))
    with pytest.raises(DynodeInputError, match="not 'ode'"):
        DynamicsModel.load(tmp_path / "b.dynode")


def test_corrupt_and_foreign_files_are_refused(tmp_path):
    bad = tmp_path / "bad.dynode"
    bad.write_bytes(b"\x00garbage" * 10)
    with pytest.raises(DynodeInputError, match="not a readable .dynode file"):
        load_dynamics(bad)
    with pytest.raises(DynodeInputError, match="not found"):
        load_dynamics(tmp_path / "missing.dynode")
    t, clean, _, _ = curved_clip(n=5)
    m = LinearDynamics().fit(clean, progress=False)
    m.save(tmp_path / "ok.dynode")
    raw = (tmp_path / "ok.dynode").read_bytes()
    (tmp_path / "trunc.dynode").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DynodeInputError):
        load_dynamics(tmp_path / "trunc.dynode")
    # a file from another format version
    from safetensors.torch import load_file, save_file
    from safetensors import safe_open

    with safe_open(str(tmp_path / "ok.dynode"), framework="pt") as f:
        header = json.loads(f.metadata()["dynode"])
    header["version"] = 99
    save_file(load_file(str(tmp_path / "ok.dynode")), str(tmp_path / "v99.dynode"), metadata={"dynode": json.dumps(header)})
    with pytest.raises(DynodeInputError, match="version 99"):
        load_dynamics(tmp_path / "v99.dynode")


def test_linear_baseline_known_answers():
    z = torch.tensor([[0.0, 0.0], [2.0, 4.0], [4.0, 0.0]])[:, :, None]
    m = LinearDynamics().fit(z, times=[0, 1, 3], progress=False)
    out = m.predict([0.5, 2.0, 3.0])
    assert torch.allclose(out[:, :, 0], torch.tensor([[1.0, 2.0], [3.0, 2.0], [4.0, 0.0]]))
    assert torch.allclose(m.propagate(z[0] + 1)[:, :, 0], z[:, :, 0] + 1)


def test_spline_beats_linear_on_a_smooth_curve_and_matches_scipy():
    from scipy.interpolate import CubicSpline

    t = np.linspace(0, 1, 9)
    vals = np.stack([np.sin(3 * t), np.cos(2 * t)], 1)[:, :, None].astype(np.float32)
    spline = SplineDynamics().fit(torch.from_numpy(vals), progress=False)
    q = np.linspace(0, 1, 33)
    ref = CubicSpline(t, vals[:, :, 0], axis=0, bc_type="natural")(q)
    assert np.allclose(spline.predict(torch.from_numpy(q))[:, :, 0].numpy(), ref, atol=1e-5)
    truth = np.stack([np.sin(3 * q), np.cos(2 * q)], 1)
    lin = LinearDynamics().fit(torch.from_numpy(vals), progress=False).predict(torch.from_numpy(q))[:, :, 0].numpy()
    assert np.abs(ref - truth).max() < np.abs(lin - truth).max()


def test_baselines_in_a_subspace_drop_out_of_subspace_noise():
    t, clean, noisy, basis = curved_clip(n=33, noise=0.3)
    full = LinearDynamics().fit(noisy, progress=False).predict()
    sub = LinearDynamics(subspace_dim=2).fit(noisy, progress=False).predict()
    assert ((sub - clean) ** 2).mean() < ((full - clean) ** 2).mean()
