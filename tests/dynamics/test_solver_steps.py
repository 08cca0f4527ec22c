"""Solver step counts: a gap of exactly k max steps takes k steps, whatever float32 rounding does."""
import pytest
import torch

from dynode_plugin.dynamics.config import ODEConfig
from dynode_plugin.dynamics.solver import fixed_steps, flow
from dynode_plugin.dynamics.vector_field import VectorField


@pytest.mark.parametrize("frames, every", [(64, 4), (64, 8), (48, 4), (11, 2), (256, 8)])
def test_a_regularly_subsampled_gap_takes_substeps_solver_steps(frames, every):
    # the times as DynamicsModel sees them (float32); the median gap over 2 substeps is the max step
    tau = torch.linspace(0, 1, frames)[::every].float()
    gaps = torch.diff(tau)
    max_step = float(gaps.median()) / 2
    assert float(gaps.max()) / max_step > 2  # rounding puts the span just above 2 max steps ...
    assert fixed_steps(float(gaps.max()), max_step) == 2  # ... and it still takes 2 (it took 3)


def test_a_span_really_longer_than_k_steps_takes_one_more():
    assert fixed_steps(0.201, 0.1) == 3 and fixed_steps(0.2, 0.1) == 2 and fixed_steps(0.05, 0.1) == 1


def test_flow_over_one_gap_evaluates_the_field_four_times_per_rk4_step():
    tau = torch.linspace(0, 1, 64)[::4].float()
    field = VectorField(3, hidden=8)
    c = torch.randn(5, 3)
    flow(field, c, tau[:5], tau[1:6], ODEConfig(), max_step=float(torch.diff(tau).median()) / 2)
    assert field.nfe == 2 * 4
