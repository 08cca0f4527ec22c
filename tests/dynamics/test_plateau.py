"""The loss-plateau stop: a fit that has converged stops early and says how many steps it took;
one that is still improving runs on."""
import pytest
import torch

from dynode_plugin import DynamicsModel
from dynode_plugin.dynamics.config import ODEConfig
from dynode_plugin.dynamics.io import load_dynamics
from dynode_plugin.dynamics.plateau import PlateauStop
from dynode_plugin.errors import DynodeInputError

from dyn_helpers import curved_clip


def run(stop, losses):
    """The step count at which ``stop`` ends the sequence ``losses`` (len(losses) if it never does)."""
    for step, loss in enumerate(losses):
        if stop.update(step, loss):
            return step + 1
    return len(losses)


def test_flat_loss_stops_after_two_blocks_past_the_start():
    # first watched block sets the best, the second is no better: stop at start + 2 * patience
    assert run(PlateauStop(10, 0.05, start=30), [1.0] * 200) == 50


def test_steadily_improving_loss_never_stops():
    losses = [0.97 ** s for s in range(300)]  # 26% lower every block of 10 steps
    assert run(PlateauStop(10, 0.05, start=0), losses) == 300


def test_stops_once_improvement_falls_below_the_tolerance():
    # 20% per block of 10 for 100 steps, then 1% per block: the first slow block ends the fit
    losses = [0.8 ** (s // 10) for s in range(100)] + [0.8 ** 10 * 0.99 ** ((s // 10) + 1) for s in range(100)]
    assert run(PlateauStop(10, 0.05, start=0), losses) == 120


def test_the_curriculum_is_not_watched_and_patience_zero_never_stops():
    rising_then_flat = [0.1 * s for s in range(50)] + [5.0] * 10
    assert run(PlateauStop(10, 0.05, start=50), rising_then_flat) == 60  # only the flat part is watched
    assert run(PlateauStop(0, 0.05), [1.0] * 100) == 100
    assert run(PlateauStop(5, 0.05), [float("nan")] * 100) == 100  # a diverging loss is not a plateau


def test_converged_fit_stops_early_and_reports_the_steps_it_took(tmp_path):
    _, clean, _, _ = curved_clip(n=17)
    model = DynamicsModel(subspace_dim=2, hidden=32, steps=400, window=4, plateau_patience=10, plateau_anneal=0).fit(clean, progress=False)
    rep = model.report
    assert rep.steps_planned == 400 and rep.steps < 400 and len(rep.losses) == rep.steps
    assert rep.plateau_step == rep.steps  # no annealing tail: it stops where the plateau is found
    assert f"{rep.steps} of 400 (stopped on a loss plateau at step {rep.steps})" in str(rep)
    assert rep.to_dict()["steps"] == rep.steps and rep.steps_per_second == rep.steps / rep.seconds
    model.save(tmp_path / "m.dynode")  # the steps taken travel with the model file
    back = load_dynamics(tmp_path / "m.dynode").report
    assert (back.steps, back.plateau_step) == (rep.steps, rep.plateau_step)


def record_lrs(monkeypatch):
    """The learning rate of every optimiser step of the fits that follow."""
    from dynode_plugin.dynamics import fitting

    lrs, real_step = [], fitting.Adam.step

    def step(self, lr):
        lrs.append(lr)
        return real_step(self, lr)
    monkeypatch.setattr(fitting.Adam, "step", step)
    return lrs


def test_after_a_plateau_the_lr_anneals_to_lr_final_then_the_fit_stops(monkeypatch):
    from dynode_plugin.dynamics.fitting import cosine_lr

    lrs = record_lrs(monkeypatch)
    _, clean, _, _ = curved_clip(n=17)
    cfg = dict(subspace_dim=2, hidden=32, steps=400, window=4, plateau_patience=10, plateau_anneal=20, lr=1e-2, lr_final=1e-4)
    rep = DynamicsModel(**cfg).fit(clean, progress=False).report
    p = rep.plateau_step
    assert p is not None and rep.steps == p + 20 == len(lrs) < 400
    planned = [cosine_lr(ODEConfig(**cfg), s, 400) for s in range(p)]
    assert lrs[:p] == pytest.approx(planned)  # the planned cosine up to the plateau ...
    assert lrs[p - 1] > 10 * 1e-4  # ... where the lr is still far from lr_final (why the tail exists)
    tail = lrs[p:]
    assert tail[0] == pytest.approx(lrs[p - 1]) and all(b < a for a, b in zip(tail, tail[1:]))
    assert tail[-1] - 1e-4 < 0.01 * (lrs[p - 1] - 1e-4)  # ... and falls to lr_final by the last step
    assert f"{rep.steps} of 400 (stopped on a loss plateau at step {p}, then 20 steps annealing the lr)" in str(rep)


def test_the_tail_ends_at_the_planned_steps():
    # a tail longer than the steps left: the fit stops at its planned steps, and says where the plateau was
    _, clean, _, _ = curved_clip(n=17)
    rep = DynamicsModel(subspace_dim=2, hidden=32, steps=400, window=4, plateau_patience=10,
                        plateau_anneal=1000).fit(clean, progress=False).report
    assert rep.plateau_step is not None and rep.plateau_step < 400 == rep.steps == len(rep.losses)
    assert f"400 of 400 (stopped on a loss plateau at step {rep.plateau_step}, then {400 - rep.plateau_step} steps" in str(rep)


def test_a_report_saved_before_plateau_step_existed_still_says_why_it_stopped():
    from dynode_plugin.dynamics.fitting import FitReport

    rep = FitReport(model="ode", steps=225, seconds=1.0, losses=[1.0], n_frames=9, n_observed=9, steps_planned=300)
    assert "225 of 300 (stopped on a loss plateau)" in str(rep)
    assert "plateau" not in str(FitReport(model="ode", steps=300, seconds=1.0, losses=[1.0], n_frames=9, n_observed=9, steps_planned=300))


@pytest.mark.parametrize("bad", [dict(plateau_tol=1.0), dict(plateau_tol=-0.1), dict(plateau_patience=-1), dict(plateau_anneal=-1)])
def test_bad_plateau_settings_are_refused(bad):
    with pytest.raises(DynodeInputError, match="plateau"):
        ODEConfig(**bad).validate()
