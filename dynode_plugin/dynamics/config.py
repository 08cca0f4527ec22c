"""Settings of the neural-ODE dynamics model, with the reasons behind the defaults.

Defaults come from measurements on a 2-core CPU (see ``benchmarks/fit.py`` and
``docs/benchmarks.md``): fitting in a centred PCA subspace of the clip (k ~ 8-16) is 15-50x
faster than the full 18x512 state and denoises; fixed-step RK4 matches dopri5's
accuracy at a fraction of the cost; at most 300 Adam steps from lr 1e-2 (cosine-decayed), ended
earlier on a loss plateau (200-275 steps on the benchmark clips), are 5-14x cheaper than the earlier
800 steps from 3e-3, with held-out error better or equal within the fit seed's spread on every clip of
benchmarks/fit.py (means over five fit seeds, benchmarks/results/fit_speed_fitseeds.json, issue 17); on
two of five other 9-observation clips 3% worse (fit_speed_sparse_clips.json; no schedule tried was
equal or better on all of them: docs/benchmarks.md).
Every field is also a command-line option and a STIT config name (``dynamics/settings.py``).
``paper_config()`` gives the paper-literal setting for comparison.
"""
from __future__ import annotations

import dataclasses
import importlib.util
from typing import Any, Dict, Optional

from ..errors import DynodeInputError

SOLVERS_FIXED = ("rk4", "euler", "midpoint", "explicit_adams", "implicit_adams")
SOLVERS_ADAPTIVE = ("dopri5", "dopri8", "bosh3", "fehlberg2", "adaptive_heun")
BACKENDS = ("tensor", "torchdiffeq")
# Inclusive bounds of the integer settings: they size tensors and loops, so a file or a command
# line cannot ask for absurd memory or time. One table for ODEConfig.validate, the .dynode loader
# and the command-line types (dynode_plugin.cli_types.ODE_FIELD_TYPES).
LIMITS = {"subspace_dim": (1, 100_000), "hidden": (1, 8192), "depth": (0, 64), "substeps": (1, 1000),
          "steps": (0, 1_000_000), "batch": (1, 1_000_000), "window": (1, 1_000_000), "seed": (0, 2**32 - 1),
          "threads": (1, 1024), "order": (1, 2), "context": (0, 4096),
          "plateau_patience": (0, 1_000_000), "plateau_anneal": (0, 1_000_000)}


@dataclasses.dataclass
class ODEConfig:
    """Hyper-parameters of :class:`~dynode_plugin.dynamics.model.DynamicsModel`.

    One entry per field: each line is also the help of the field's command-line option
    (``--subspace-dim``, ...) and of its STIT config name (``dynode_subspace_dim``).

    subspace_dim: PCA dimension of the ODE state (None = full latent, as in the paper; capped at a third of the observed frames).
    hidden: width of the vector field's MLP.
    depth: number of repeating (Linear, activation) modules of the MLP (the paper's DEPTH).
    activation: MLP activation: silu, tanh, elu or softplus.
    order: 1 = dz/dt = f(z, t) (the paper's); 2 = position and velocity with a learned acceleration (inertia: oscillating and accelerating motion from few observations; dynamics/second_order.py).
    velocity: order 2's velocity at each observed frame: learned (started from finite differences, fitted with the field) or fd (finite differences, fixed).
    context: size of the per-clip code of a prior's field f(c, t, code) (set by the prior: `dynode prior train --context`; 0 = none).
    time_dependent: non-autonomous field f(z, t) (the paper's Eq. 4); False gives f(z).
    solver: torchdiffeq method: rk4, euler, midpoint (fixed step) or dopri5, bosh3, ... (adaptive).
    substeps: fixed-step solvers take this many steps per median observed gap.
    min_step: shortest fixed solver step, in clip lengths (0 = no floor): dense clips need no finer steps than 1/50.
    rtol: relative tolerance of adaptive solvers.
    atol: absolute tolerance of adaptive solvers.
    steps: optimisation steps (Adam).
    lr: initial learning rate (cosine-decayed).
    lr_final: learning rate at the last step.
    batch: windows of consecutive observed frames per step (Eq. 6 on each; all of them when fewer).
    window: frames per window (at most).
    curriculum: fraction of the steps over which the window grows from 1 gap to ``window``.
    plateau_patience: loss-plateau stop: after the curriculum, the training loss is averaged over blocks of this many steps and the fit stops when a block is not ``plateau_tol`` better than the best before it (0 = always run ``steps``; the report gives the steps used).
    plateau_tol: relative improvement of a block's mean loss that counts as progress for the plateau stop.
    plateau_anneal: steps after a loss plateau over which the lr falls (cosine) from where it was to ``lr_final`` before the fit stops (0 = stop at the plateau at once).
    grad_clip: gradient-norm clip (0 = none).
    straightness: weight of the path-energy penalty (integral of ||dz/dt||^2 beyond that of the
        straight, even-speed path between the same end points, per state element): with sparse
        observations the field cannot route the trajectory through curves the data do not show.
        0.1 measured better than 0 in 7 of 9 clips and fixed a 4x failure (benchmarks/straightness.py);
        0 is the unregularised fit, and the paper's setting.
    predict: anchored (integrate from the nearest observed frames on both sides and blend; exact at
        observations) or rollout (integrate from frame 0 only, the paper's way).
    residual: the part of each observed latent outside the subspace: interp (linearly interpolated
        between observations) or none (dropped).
    zero_init: start the output layer at zero (the initial flow is the identity map).
    smooth: return the smooth trajectory, not the jittery observed codes (for encoder-like inversions): each time gets the Gaussian-weighted average (sigma ``smooth_sigma`` observed gaps) of nearby observations carried there by the learned flow, no out-of-subspace residual.
    smooth_sigma: width of the smooth trajectory's motion-compensated average, in median observed gaps (read only when predicting with smooth).
    prior: a motion prior (.dynode-prior file, `dynode prior train`): the fit works in its coordinates and starts from its field, with its architecture and recommended fit settings (docs/prior.md).
    prior_weight: pull of the fitted field towards the prior's (mean squared weight difference; 0 = only start there).
    seed: random seed of the fit (fits are reproducible).
    threads: torch threads while fitting (None = torch's default; tiny MLPs run fastest on one).
    backend: tensor (rk4/euler/midpoint as plain tensor code, torchdiffeq's formulas, several times faster) or torchdiffeq (for every solver; adaptive solvers always use it).
    """

    subspace_dim: Optional[int] = 12
    hidden: int = 128
    depth: int = 2
    activation: str = "silu"
    order: int = 1
    velocity: str = "learned"
    context: int = 0
    time_dependent: bool = True
    solver: str = "rk4"
    substeps: int = 2
    min_step: float = 0.02
    rtol: float = 1e-5
    atol: float = 1e-6
    steps: int = 300
    lr: float = 1e-2
    lr_final: float = 1e-4
    batch: int = 16
    window: int = 8
    curriculum: float = 0.5
    plateau_patience: int = 25
    plateau_tol: float = 0.05
    plateau_anneal: int = 0
    grad_clip: float = 1.0
    straightness: float = 0.1
    predict: str = "anchored"
    residual: str = "interp"
    zero_init: bool = True
    smooth: bool = False
    smooth_sigma: float = 1.5
    prior: Optional[str] = None
    prior_weight: float = 1.0
    seed: int = 0
    threads: Optional[int] = 1
    backend: str = "tensor"

    def validate(self) -> "ODEConfig":
        # torchdiffeq is found, not imported: the default (tensor rk4) path never imports it (1.3 s with scipy)
        if importlib.util.find_spec("torchdiffeq") is None:
            raise DynodeInputError("torchdiffeq is not installed; pip install torchdiffeq")

        if self.solver not in SOLVERS_FIXED + SOLVERS_ADAPTIVE:
            raise DynodeInputError(f"unknown solver '{self.solver}'; choose one of {', '.join(SOLVERS_FIXED + SOLVERS_ADAPTIVE)}")
        if self.subspace_dim is not None and self.subspace_dim < 1:
            raise DynodeInputError(f"subspace_dim must be >= 1 or None (full state); got {self.subspace_dim}")
        if self.predict not in ("anchored", "rollout"):
            raise DynodeInputError(f"predict must be 'anchored' or 'rollout'; got '{self.predict}'")
        if self.backend not in BACKENDS:
            raise DynodeInputError(f"backend must be one of {', '.join(BACKENDS)}; got '{self.backend}'")
        if self.residual not in ("interp", "none"):
            raise DynodeInputError(f"residual must be 'interp' or 'none'; got '{self.residual}'")
        if self.velocity not in ("learned", "fd"):
            raise DynodeInputError(f"velocity must be 'learned' or 'fd'; got '{self.velocity}'")
        if self.activation not in ACTIVATIONS:
            raise DynodeInputError(f"unknown activation '{self.activation}'; choose one of {', '.join(ACTIVATIONS)}")
        if not 0 <= self.min_step < 1:
            raise DynodeInputError(f"min_step must be in [0, 1); got {self.min_step}")
        if not 0 < self.curriculum <= 1:
            raise DynodeInputError(f"curriculum must be in (0, 1]; got {self.curriculum}")
        if not (isinstance(self.plateau_tol, (int, float)) and 0 <= self.plateau_tol < 1):
            raise DynodeInputError(f"plateau_tol must be a number in [0, 1) (relative loss improvement); got {self.plateau_tol!r}")
        if not self.straightness >= 0:
            raise DynodeInputError(f"straightness must be >= 0; got {self.straightness}")
        if not (isinstance(self.smooth_sigma, (int, float)) and 0 < self.smooth_sigma <= 100):
            raise DynodeInputError(f"smooth_sigma must be a number in (0, 100] (observed gaps); got {self.smooth_sigma!r}")
        for name, (lo, hi) in LIMITS.items():
            value = getattr(self, name)
            if value is None and name in ("subspace_dim", "threads"):
                continue
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise DynodeInputError(f"{name} must be an integer in {lo}..{hi}; got {value!r}")
        if self.prior is not None and (not isinstance(self.prior, str) or not self.prior):
            raise DynodeInputError(f"prior must be the path of a .dynode-prior file; got {self.prior!r}")
        for name in ("lr", "lr_final", "rtol", "atol", "grad_clip", "straightness", "prior_weight"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
                raise DynodeInputError(f"{name} must be a finite number >= 0; got {value!r}")
        return self

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Dict[str, Any]) -> "ODEConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise DynodeInputError(f"unknown DynamicsModel setting(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(names))}")
        return cls(**d)


ACTIVATIONS = ("silu", "tanh", "elu", "softplus")


def paper_config(**overrides: Any) -> ODEConfig:
    """The paper-literal setting: full latent state, dopri5 at torchdiffeq's default
    tolerances, Adam lr 0.01, 5000 steps, 512-wide MLP, rollout from frame 0."""
    base = dict(subspace_dim=None, hidden=512, depth=2, activation="elu", solver="dopri5", rtol=1e-7, atol=1e-9,
                steps=5000, lr=0.01, lr_final=0.01, predict="rollout", residual="none", grad_clip=0.0,
                zero_init=False, threads=None, straightness=0.0, min_step=0.0, plateau_patience=0)
    base.update(overrides)
    return ODEConfig(**base)
