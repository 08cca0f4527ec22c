"""The fast fit path (issue 17): plain-tensor fixed-step solvers and the optimiser agree with
torchdiffeq and torch.optim to float rounding, and the fit never imports torch._dynamo."""
import subprocess
import sys

import pytest
import torch

from dynode_plugin.dynamics.config import ODEConfig
from dynode_plugin.dynamics.solver import flow
from dynode_plugin.dynamics.vector_field import VectorField
from dynode_plugin.errors import DynodeInputError


@pytest.mark.parametrize("solver", ["rk4", "euler", "midpoint"])
def test_plain_solvers_match_torchdiffeq_forwards_backwards_and_energy(solver):
    torch.manual_seed(0)
    field = VectorField(5, hidden=16, zero_init=False)
    c = torch.randn(7, 5)
    t0 = torch.rand(7)
    t1 = t0 + torch.linspace(-0.3, 0.3, 7)  # forwards and backwards in time, different spans per row
    fast = flow(field, c, t0, t1, ODEConfig(solver=solver), 0.04, energy=True)
    ref = flow(field, c, t0, t1, ODEConfig(solver=solver, backend="torchdiffeq"), 0.04, energy=True)
    torch.testing.assert_close(fast[0], ref[0], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(fast[1], ref[1], atol=1e-6, rtol=1e-5)
    assert (fast[0] - c).abs().max() > 1e-2  # the field really moved the states


def test_adam_matches_torch_optim_adam():
    from dynode_plugin.dynamics.fitting import Adam

    torch.manual_seed(0)
    a = torch.nn.Linear(4, 3)
    b = torch.nn.Linear(4, 3)
    b.load_state_dict(a.state_dict())
    mine, ref = Adam(a.parameters()), torch.optim.Adam(b.parameters(), lr=0.01)
    x = torch.randn(8, 4)
    for _ in range(5):
        a(x).pow(2).sum().backward()
        mine.step(0.01)
        ref.zero_grad()
        b(x).pow(2).sum().backward()
        ref.step()
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q)
    assert all(p.grad is None for p in a.parameters())  # gradients are cleared for the next step


@pytest.mark.parametrize("solver", ["rk4", "euler", "midpoint"])
def test_plain_rollout_matches_torchdiffeq_cubic_interp(solver):
    from dynode_plugin.dynamics.solver import rollout

    torch.manual_seed(0)
    field = VectorField(5, hidden=16, zero_init=False)
    c0 = torch.randn(5)
    # query times off the solver grid (Hermite interpolation), two in one grid step, forwards and backwards
    for times in (torch.tensor([0.0, 0.013, 0.3, 0.31, 0.5, 1.0]), torch.tensor([0.7, 0.5, 0.49, 0.1, 0.0])):
        fast = rollout(field, c0, times, ODEConfig(solver=solver), 0.02)
        ref = rollout(field, c0, times, ODEConfig(solver=solver, backend="torchdiffeq"), 0.02)
        torch.testing.assert_close(fast, ref, atol=1e-6, rtol=1e-5)
        assert (fast[-1] - c0).abs().max() > 1e-2


def test_default_fit_imports_neither_torch_dynamo_nor_torchdiffeq():
    # torch._dynamo: 3.3 s once per process (torch.optim); torchdiffeq pulls in scipy: 1.3 s
    code = ("import sys, torch\nfrom dynode_plugin import DynamicsModel\n"
            "m = DynamicsModel(steps=3).fit(torch.randn(9, 2, 4), progress=False)\n"
            "m.predict(); m.propagate(torch.randn(2, 4))\n"
            "print('torch._dynamo' in sys.modules, 'torchdiffeq' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False False"


def test_backend_is_validated():
    with pytest.raises(DynodeInputError, match="backend must be one of"):
        ODEConfig(backend="jax").validate()
