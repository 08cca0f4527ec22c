import pytest
import torch

from dynode_plugin import DynamicsModel, LinearDynamics
from dynode_plugin.errors import DynodeInputError

from dyn_helpers import curved_clip

FAST = dict(steps=250, batch=16, window=4, hidden=64)


@pytest.fixture(scope="module")
def fitted_sparse():
    t, clean, noisy, basis = curved_clip(n=33)
    mask = torch.zeros(33, dtype=torch.bool)
    mask[::4] = True
    return t, clean, mask, DynamicsModel(subspace_dim=4, **FAST).fit(clean, mask=mask, progress=False)


def test_predicts_unobserved_frames_of_a_curved_trajectory(fitted_sparse):
    t, clean, mask, model = fitted_sparse
    pred = model.predict(t)
    var = clean.var(0).mean()
    held = ((pred[~mask] - clean[~mask]) ** 2).mean()
    assert held < 0.02 * var, f"held-out MSE {held:.4f} vs variance {var:.4f}"
    # exact at observations (anchored prediction)
    assert torch.allclose(pred[mask], clean[mask], atol=1e-4)


def test_rollout_from_frame_zero_follows_the_curve(fitted_sparse):
    t, clean, mask, model = fitted_sparse
    var = float(clean.var(0).mean())
    assert model.report.rollout_mse < 0.1 * var
    assert model.report.losses[-1] < model.report.losses[0]


def test_predict_any_time_including_between_frames(fitted_sparse):
    t, clean, mask, model = fitted_sparse
    dense = model.predict(torch.linspace(0, 1, 129))
    assert dense.shape == (129, 4, 8)
    assert torch.allclose(dense[::4], model.predict(t), atol=1e-4)


def test_offset_propagation_adds_the_frame0_edit_to_every_frame(fitted_sparse):
    t, clean, mask, model = fitted_sparse
    delta = torch.randn(4, 8)
    edited = model.propagate(clean[0] + delta, mode="offset")
    assert torch.allclose(edited - model.predict(), delta.expand(33, 4, 8), atol=1e-5)


@pytest.mark.parametrize("mode", ["flow", "reintegrate"])
def test_edit_outside_the_subspace_is_not_lost(fitted_sparse, mode):
    t, clean, mask, model = fitted_sparse
    basis = model.subspace.basis
    delta = torch.randn(32)
    delta = delta - basis @ (basis.T @ delta)  # purely outside the motion subspace
    edited = model.propagate((clean[0].reshape(-1) + delta).reshape(1, 4, 8), mode=mode)
    carried = (edited.reshape(33, -1) - model.predict().reshape(33, -1))
    out_part = carried - (carried @ basis) @ basis.T
    if mode == "flow":
        assert torch.allclose(out_part, delta.expand(33, 32), atol=1e-4)
    else:  # reintegrate keeps frame 0's own residual too; the edit's part still reaches every frame
        assert float(torch.nn.functional.cosine_similarity(out_part, delta.expand(33, 32)).min()) > 0.5


def test_flow_mode_with_no_edit_is_the_fitted_trajectory(fitted_sparse):
    t, clean, mask, model = fitted_sparse
    same = model.propagate(clean[0], mode="flow")
    assert torch.allclose(same, model.predict(), atol=1e-4)


def test_same_seed_same_model_different_seed_differs():
    t, clean, noisy, _ = curved_clip(n=17, noise=0.05)
    a = DynamicsModel(seed=3, **{**FAST, "steps": 60}).fit(noisy, progress=False).predict(torch.linspace(0, 1, 40))
    b = DynamicsModel(seed=3, **{**FAST, "steps": 60}).fit(noisy, progress=False).predict(torch.linspace(0, 1, 40))
    c = DynamicsModel(seed=4, **{**FAST, "steps": 60}).fit(noisy, progress=False).predict(torch.linspace(0, 1, 40))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_irregular_times_and_dopri5():
    t, clean, _, _ = curved_clip(n=33)
    idx = torch.tensor([0, 1, 3, 7, 8, 15, 20, 21, 30, 32])
    times = t[idx] * 10 + 5  # any unit and origin
    model = DynamicsModel(solver="dopri5", subspace_dim=3, **{**FAST, "steps": 40}).fit(clean[idx], times=times, progress=False)
    pred = model.predict(t * 10 + 5)
    assert pred.shape == (33, 4, 8)
    assert torch.allclose(pred[idx], clean[idx], atol=1e-4)
    assert ((pred - clean) ** 2).mean() < 0.1 * clean.var(0).mean()


def test_extra_loss_callback_gets_full_latents_and_indices():
    t, clean, _, _ = curved_clip(n=9)
    seen = []

    def extra(pred, target_idx, step):
        seen.append((pred.shape, int(target_idx.max())))
        return 0.0 * pred.sum()

    DynamicsModel(**{**FAST, "steps": 3}).fit(clean, extra_loss=extra, progress=False)
    assert len(seen) == 3 and seen[0][0][1:] == (4, 8) and seen[0][1] <= 8


def test_missing_frames_marked_unobserved_may_be_nan():
    t, clean, _, _ = curved_clip(n=9)
    z = clean.clone()
    z[4] = float("nan")
    mask = torch.ones(9, dtype=torch.bool)
    mask[4] = False
    pred = DynamicsModel(**{**FAST, "steps": 50}).fit(z, mask=mask, progress=False).predict()
    assert torch.isfinite(pred).all()


@pytest.mark.parametrize("bad, match", [
    (torch.randn(10), "shape \\[N, \\*shape\\]"),
    (torch.randn(1, 4, 8), "at least 2 frames"),
    (torch.full((5, 4, 8), float("nan")), "NaN or inf"),
    (torch.zeros(5, 4, 8, dtype=torch.int64), "floating point"),
    ("latents.pt", "torch tensor or numpy array"),
])
def test_bad_latents_are_refused_clearly(bad, match):
    with pytest.raises(DynodeInputError, match=match):
        DynamicsModel(steps=1).fit(bad, progress=False)


def test_bad_times_masks_and_settings():
    z = torch.randn(5, 4, 8)
    with pytest.raises(DynodeInputError, match="duplicate"):
        DynamicsModel(steps=1).fit(z, times=[0, 1, 1, 2, 3], progress=False)
    with pytest.raises(DynodeInputError, match="decreasing"):
        DynamicsModel(steps=1).fit(z, times=[0, 2, 1, 3, 4], progress=False)
    with pytest.raises(DynodeInputError, match="one time per frame"):
        DynamicsModel(steps=1).fit(z, times=[0, 1], progress=False)
    with pytest.raises(DynodeInputError, match="at least 2 observed"):
        DynamicsModel(steps=1).fit(z, mask=[True, False, False, False, False], progress=False)
    with pytest.raises(DynodeInputError, match="unknown solver"):
        DynamicsModel(solver="magic")
    with pytest.raises(DynodeInputError, match="unknown DynamicsModel setting"):
        DynamicsModel(stepz=3)
    with pytest.raises(DynodeInputError, match="not fitted"):
        DynamicsModel().predict([0.5])


def test_edited_frame_of_wrong_shape(fitted_sparse):
    model = fitted_sparse[3]
    with pytest.raises(DynodeInputError, match="edited frame 0 must have shape"):
        model.propagate(torch.randn(4, 9))
    with pytest.raises(DynodeInputError, match="mode 'sideways'"):
        model.propagate(torch.randn(4, 8), mode="sideways")


def test_path_energy_of_a_straight_even_speed_flow_is_the_squared_displacement():
    from dynode_plugin.dynamics.config import ODEConfig
    from dynode_plugin.dynamics.solver import flow

    v = torch.tensor([[1.0, -2.0, 0.5]])
    field = lambda c, t: v.expand(len(c), -1)  # noqa: E731  constant velocity: a straight, even-speed path
    c0 = torch.zeros(2, 3)
    t0, t1 = torch.tensor([0.0, 0.2]), torch.tensor([0.5, 0.6])
    end, energy = flow(field, c0, t0, t1, ODEConfig(), max_step=0.05, energy=True)
    disp = (t1 - t0)[:, None] * v
    torch.testing.assert_close(end, disp)
    torch.testing.assert_close(energy, disp.pow(2).sum(1))  # the excess the regulariser penalises is 0

    bent = lambda c, t: torch.cat([torch.cos(6 * t)[:, None], torch.sin(6 * t)[:, None], 0 * t[:, None]], 1)  # noqa: E731
    end, energy = flow(bent, c0, t0, t1, ODEConfig(), max_step=0.01, energy=True)
    assert (energy > end.pow(2).sum(1) + 1e-4).all()  # a curved path costs more than its chord


def test_straightness_fit_runs_and_is_validated():
    t, clean, noisy, _ = curved_clip(n=17, noise=0.02)
    mask = torch.zeros(17, dtype=torch.bool)
    mask[::4] = True
    m = DynamicsModel(steps=40, straightness=0.1).fit(noisy, mask=mask, progress=False)
    assert torch.isfinite(m.predict()).all() and m.config.straightness == 0.1
    with pytest.raises(DynodeInputError, match="straightness must be >= 0"):
        DynamicsModel(straightness=-1)


def test_a_field_that_blows_up_in_a_gap_falls_back_to_the_chord():
    t, clean, noisy, _ = curved_clip(n=17)
    mask = torch.zeros(17, dtype=torch.bool)
    mask[::8] = True
    m = DynamicsModel(steps=20).fit(noisy, mask=mask, progress=False)
    with torch.no_grad():  # sabotage: an exploding field
        last = [p for p in m.field.parameters()][-2]
        last.fill_(1e4)
    pred = m.predict().detach()
    assert torch.isfinite(pred).all() and m.guarded > 0
    chord = LinearDynamics().fit(noisy, mask=mask, progress=False).predict()
    held = ~mask
    torch.testing.assert_close(pred[held], chord[held], atol=1e-4, rtol=1e-4)  # the chord, in and out of the subspace
    torch.testing.assert_close(pred[mask], noisy[mask], atol=1e-4, rtol=1e-4)


def test_a_saved_model_is_reused_only_for_the_same_latents_and_model_id(tmp_path):
    from dynode_plugin import edit_first_and_propagate

    t, clean, noisy, _ = curved_clip(n=9)
    path = tmp_path / "m.dynode"
    first = edit_first_and_propagate(noisy, lambda z: z + 1, model_path=path, settings={"steps": 10}, progress=False)
    again = edit_first_and_propagate(noisy, lambda z: z + 1, model_path=path, settings={"steps": 10}, progress=False)
    assert first.fitted and not again.fitted and "fit" not in again.seconds
    other_model = edit_first_and_propagate(noisy, lambda z: z + 1, model_path=path, model_id="linear", progress=False)
    assert other_model.fitted and other_model.model.id == "linear"  # an 'ode' file is not reused for --model linear
    other_clip = edit_first_and_propagate(noisy + 0.5, lambda z: z + 1, model_path=path, model_id="linear", progress=False)
    assert other_clip.fitted
