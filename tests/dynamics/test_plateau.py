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
    model = DynamicsModel(subspace_dim=2, hidden=32, steps=400, window=4, plateau_patience=10).fit(clean, progress=False)
    rep = model.report
    assert rep.steps_planned == 400 and rep.steps < 400 and len(rep.losses) == rep.steps
    assert f"{rep.steps} of 400 (stopped on a loss plateau)" in str(rep)
    assert rep.to_dict()["steps"] == rep.steps and rep.steps_per_second == rep.steps / rep.seconds
    model.save(tmp_path / "m.dynode")  # the steps taken travel with the model file
    assert load_dynamics(tmp_path / "m.dynode").report.steps == rep.steps


def test_fit_without_the_plateau_stop_runs_every_step():
    _, clean, _, _ = curved_clip(n=17)
    rep = DynamicsModel(subspace_dim=2, hidden=32, steps=120, window=4, plateau_patience=0).fit(clean, progress=False).report
    assert rep.steps == 120 == len(rep.losses) and "plateau" not in str(rep)


def test_a_fit_still_improving_is_not_stopped():
    # a tolerance no block can miss while the loss still falls fast: with lr decaying slowly the fit
    # keeps improving by more than 1e-6 per block and runs all its steps
    _, clean, _, _ = curved_clip(n=17)
    rep = DynamicsModel(subspace_dim=2, hidden=32, steps=120, window=4, lr=3e-3, lr_final=3e-3,
                        plateau_patience=10, plateau_tol=1e-6).fit(clean, progress=False).report
    losses = rep.losses
    blocks = [sum(losses[i:i + 10]) / 10 for i in range(60, 120, 10)]
    assert all(b < a for a, b in zip(blocks, blocks[1:])), blocks  # it really is still improving
    assert rep.steps == 120


@pytest.mark.parametrize("bad", [dict(plateau_tol=1.0), dict(plateau_tol=-0.1), dict(plateau_patience=-1)])
def test_bad_plateau_settings_are_refused(bad):
    with pytest.raises(DynodeInputError, match="plateau"):
        ODEConfig(**bad).validate()
