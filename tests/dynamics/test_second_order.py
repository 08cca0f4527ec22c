"""Second-order dynamics (order=2: position + velocity): known answers, a sparse oscillation, save/load."""
import math

import pytest
import torch

from dynode_plugin import DynamicsModel, LinearDynamics, load_dynamics
from dynode_plugin.dynamics.second_order import SecondOrderField, finite_difference_velocity

FAST2 = dict(steps=120, batch=16, window=4, hidden=48, subspace_dim=2)


def oscillation(n=41, every=5):
    """Two damped oscillations of different frequencies along two directions of a 3x8 latent:
    each coordinate swings back and forth (a first-order autonomous field cannot turn back)."""
    g = torch.Generator().manual_seed(0)
    t = torch.linspace(0, 1, n)
    x = torch.stack([torch.exp(-2 * t) * torch.cos(2 * math.pi * 2.2 * t + 0.3),
                     0.5 * torch.exp(-t) * torch.cos(2 * math.pi * 1.3 * t + 1.0)], 1)
    basis = torch.linalg.qr(torch.randn(24, 2, generator=g))[0]
    z = (3 * x @ basis.T + torch.randn(24, generator=g)).reshape(n, 3, 8)
    mask = torch.zeros(n, dtype=torch.bool)
    mask[::every] = True
    mask[-1] = True
    return t, z, mask


@pytest.fixture(scope="module")
def fitted():
    t, z, mask = oscillation()
    return t, z, mask, DynamicsModel(order=2, **FAST2).fit(z, mask=mask, progress=False)


def test_finite_difference_velocity_is_exact_for_a_quadratic_on_an_uneven_grid():
    tau = torch.tensor([0.0, 0.1, 0.35, 0.5, 1.0], dtype=torch.float64)
    c = torch.stack([3 * tau**2 - tau + 2, -tau**2], 1)
    v = finite_difference_velocity(c, tau)
    true = torch.stack([6 * tau - 1, -2 * tau], 1)
    assert torch.allclose(v[1:-1], true[1:-1], atol=1e-9)  # the 3-point formula is exact for quadratics
    # the ends are one-sided first differences: the chord's slope
    assert torch.allclose(v[0], (c[1] - c[0]) / 0.1) and torch.allclose(v[-1], (c[-1] - c[-2]) / 0.5)


def test_second_order_field_is_position_and_velocity():
    f = SecondOrderField(3, n_obs=4, hidden=8, zero_init=True)
    state = torch.randn(5, 6)
    out = f(state, torch.zeros(5))
    assert torch.equal(out[:, :3], state[:, 3:])  # dc/dt = v
    assert torch.equal(out[:, 3:], torch.zeros(5, 3))  # zero-started acceleration: constant velocity


def test_sparse_oscillation_second_order_beats_first_order_and_interpolation(fitted):
    t, z, mask, model = fitted
    held = ~mask

    def err(m):
        return float(((m.predict(t)[held] - z[held]) ** 2).mean())

    first = DynamicsModel(order=1, **FAST2).fit(z, mask=mask, progress=False)
    linear = LinearDynamics().fit(z, mask=mask, progress=False)
    e2, e1, el = err(model), err(first), err(linear)
    assert e2 < 0.6 * el, (e2, el)
    assert e2 < 0.6 * e1, (e2, e1)
    # the anchored prediction stays exact at the observations
    assert torch.allclose(model.predict(t)[mask], z[mask], atol=1e-4)
    assert model.report.losses[-1] < model.report.losses[0]


def test_order_two_round_trips_through_a_dynode_file(fitted, tmp_path):
    t, z, mask, model = fitted
    path = tmp_path / "osc.dynode"
    model.save(path)
    back = load_dynamics(path)
    assert back.config.order == 2 and isinstance(back.field, SecondOrderField)
    assert torch.equal(back.field.velocity, model.field.velocity)
    dense = torch.linspace(0, 1, 57)
    assert torch.allclose(back.predict(dense), model.predict(dense), atol=1e-6)
    edited = z[0] + 0.5
    for mode in ("flow", "reintegrate"):
        assert torch.allclose(back.propagate(edited, mode=mode), model.propagate(edited, mode=mode), atol=1e-5)


def test_files_written_before_the_order_setting_still_load(tmp_path, monkeypatch):
    t, z, mask = oscillation(n=17, every=4)
    model = DynamicsModel(steps=5, hidden=8, subspace_dim=2).fit(z, mask=mask, progress=False)
    old = {k: v for k, v in model.config_dict().items() if k not in ("order", "velocity")}
    monkeypatch.setattr(model, "config_dict", lambda: old)  # the header an older dynode wrote
    model.save(tmp_path / "old.dynode")
    back = load_dynamics(tmp_path / "old.dynode")
    assert back.config.order == 1
    assert torch.allclose(back.predict(), model.predict(), atol=1e-6)


def test_order_is_checked():
    with pytest.raises(Exception, match="order must be an integer in 1..2"):
        DynamicsModel(order=3)
    with pytest.raises(Exception, match="velocity must be 'learned' or 'fd'"):
        DynamicsModel(order=2, velocity="spline")
