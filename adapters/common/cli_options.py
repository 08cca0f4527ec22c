"""Click options every adapter command shares: which dynamics model, how to fit it, how to propagate."""
from __future__ import annotations

import click

from dynode_plugin import cli_types as T
from dynode_plugin.dynamics.config import SOLVERS_ADAPTIVE, SOLVERS_FIXED

_OPTIONS = [
    click.option("--model", "model_id", default="ode", show_default=True, help="Dynamics model: ode, linear, spline."),
    click.option("--mode", type=click.Choice(["offset", "flow", "reintegrate"]), default="offset", show_default=True,
                 help="How the frame-0 edit is carried (see `dynode propagate --help`)."),
    click.option("--steps", type=T.STEPS, default=None, help="Optimisation steps of the ODE fit."),
    click.option("--solver", type=click.Choice(SOLVERS_FIXED + SOLVERS_ADAPTIVE), default=None, help="torchdiffeq solver: rk4 (default), dopri5, ..."),
    click.option("--subspace-dim", type=T.SUBSPACE_DIM, default=None, help="PCA dimension of the ODE state; 0 = full latent."),
    click.option("--seed", type=T.SEED, default=None, help="Random seed of the fit."),
    click.option("--straightness", type=T.STRAIGHTNESS, default=None, help="Path-energy penalty of the ODE fit (default 0.1; 0 = off)."),
]


def dynamics_options(fn):
    """Add --model/--mode/--steps/--solver/--subspace-dim/--seed/--straightness
    (kwargs model_id, mode, steps, solver, subspace_dim, seed, straightness)."""
    for opt in reversed(_OPTIONS):
        fn = opt(fn)
    return fn


_RUN_OPTIONS = [
    click.option("--save-model", type=T.OUT, default=None,
                 help="A .dynode file: reused if it was fitted on these latents (any edit), written after fitting otherwise."),
    click.option("--report-json", type=T.OUT, default=None, help="Also write timings and edit consistency as JSON (an existing file needs --force)."),
    click.option("--quiet", "-q", is_flag=True, help="No progress bars."),
]


def run_options(fn):
    """Add --save-model/--report-json/--quiet (kwargs save_model, report_json, quiet)."""
    for opt in reversed(_RUN_OPTIONS):
        fn = opt(fn)
    return fn
