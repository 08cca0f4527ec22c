"""DynamicsModel: the paper's neural ODE over a clip's latents, made fast and usable.

``DynamicsModel(**settings).fit(latents, times, mask)`` learns dz/dt = f(z, t) in the
clip's PCA motion subspace (see :mod:`.subspace`), then

* ``predict(times)`` gives latents at any time (interpolation, irregular or missing frames);
* ``propagate(edited_first, mode=...)`` carries an edit of frame 0 to every frame.

The part of each latent outside the subspace is never lost: observed frames keep
their own residual (interpolated in between) and an edit's out-of-subspace part is
carried as a constant.
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional

import torch

from .base import BaseDynamics, interp_rows, torch_threads
from .config import ODEConfig
from .settings import PROPAGATION_MODES
from .fitting import ExtraLoss, FitReport, train_field
from .solver import flow, rollout
from .anchored import anchored
from .context_field import new_field
from .subspace import Subspace


class DynamicsModel(BaseDynamics):
    """Neural-ODE latent dynamics (``id = "ode"``). Settings: see :class:`ODEConfig`."""

    id = "ode"
    summary = "neural ODE dz/dt = f(z, t) in the clip's motion subspace (DynODE)"
    modes = PROPAGATION_MODES
    settings_class = ODEConfig  # its fields are the CLI options and STIT's dynode_* names (dynamics/settings.py)

    def __init__(self, config: Optional[ODEConfig] = None, **settings: Any):
        super().__init__()
        if config is not None and settings:
            config = ODEConfig.from_dict({**config.to_dict(), **settings})
        self.config = (config or ODEConfig.from_dict(settings)).validate()
        self.subspace: Optional[Subspace] = None
        # VectorField (order 1), SecondOrderField (order 2) or ContextField (a prior's, with a per-clip code)
        self.field: Optional[torch.nn.Module] = None
        self.guarded = 0  # queries of the last prediction replaced by the chord (see _subspace_coords)

    # -- fitting --------------------------------------------------------------------------
    def _fit(self, progress: bool = True, extra_loss: Optional[ExtraLoss] = None, unobserved_loss=None) -> None:
        """extra_loss: added to each step's loss (:data:`.fitting.ExtraLoss`); unobserved_loss: a host's
        :class:`~.unobserved_loss.FrameLoss`, scored at frames with pixels but no observed code."""
        prior = self._load_prior()
        cfg = self.config
        t_start = time.perf_counter()
        with torch_threads(cfg.threads), torch.random.fork_rng(), torch.enable_grad():
            torch.manual_seed(cfg.seed)
            # with a prior: the domain's coordinates (every clip's in the same frame), else the clip's own PCA
            self.subspace = prior.subspace if prior else Subspace.fit(self.observed, cfg.subspace_dim)
            coords = self.subspace.encode(self.observed)
            tau = self.obs_tau.float()
            self.field = new_field(cfg, self.subspace.dim, len(coords), coords, tau)
            if prior:
                prior.start(self.field)
                extra_loss = prior.with_pull(self.field, cfg.prior_weight, extra_loss)
            if unobserved_loss is not None:
                from .unobserved_loss import with_unobserved

                extra_loss = with_unobserved(self, self.field, coords, unobserved_loss, extra_loss)
            residuals = self.subspace.residual(self.observed)
            obs_index = torch.full((len(self.mask),), -1, dtype=torch.long)
            obs_index[self.mask] = torch.arange(int(self.mask.sum()))

            def decode(c, target_obs):  # full latents of predicted states, for caller-supplied losses
                return (self.subspace.decode(c) + residuals[target_obs]).reshape(len(c), *self.shape)

            losses, plateau_step = train_field(self.field, coords, tau, cfg, self._max_step(), extra_loss,
                                 decode if extra_loss is not None else None, progress, bidirectional=cfg.order == 2)
            self.field.eval()
        seconds = time.perf_counter() - t_start
        with torch_threads(cfg.threads), torch.no_grad():
            obs_mse = float(((self._predict_flat(self.obs_tau) - self.observed) ** 2).mean())
            roll = self._rollout_at(self.subspace.encode(self.first_latent()), self.obs_tau)
            roll_mse = float(((self.subspace.decode(roll) + self._residual_at(self.obs_tau) - self.observed) ** 2).mean())
        self.report = FitReport(model=self.id, steps=len(losses), steps_planned=cfg.steps, plateau_step=plateau_step, seconds=seconds, losses=losses, n_frames=len(self.mask),
                                n_observed=len(self.observed), subspace_dim=self.subspace.dim if self.subspace.basis is not None else None,
                                explained_variance=getattr(self.subspace, "explained", None), observed_mse=obs_mse,
                                rollout_mse=roll_mse, solver=cfg.solver, subspace_requested=cfg.subspace_dim,
                                prior=prior.describe() if prior else None)

    def _load_prior(self):
        """The ``prior`` setting's :class:`~.prior.MotionPrior` (None without one); the config becomes the
        one the fit runs (the prior's architecture and fit settings), which the saved model records."""
        if not self.config.prior:
            return None
        from .prior import load_prior

        prior = load_prior(self.config.prior)
        prior.check_latents(self.shape)
        self.config = prior.fit_config(self.config)
        return prior

    def _max_step(self) -> float:
        # the median gap, not the smallest: one short gap in irregular sampling made every
        # solve take (longest gap / shortest gap) times more steps (6.5x slower fits measured
        # in benchmarks/toy_dynamics.py); for regular sampling the two are equal
        # ... and never shorter than min_step: densely observed clips do not need finer steps than
        # sparse ones (one RK4 step per frame of a 64-frame clip, 1/63 < 0.02; issue 17, benchmarks/fit_speed.py)
        return max(float(torch.diff(self.obs_tau).median()) / self.config.substeps, self.config.min_step)

    # -- prediction -----------------------------------------------------------------------
    def _rollout_at(self, c0: torch.Tensor, tau: torch.Tensor, t0: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Positions at ``tau`` (any order) integrating ``c0`` from ``t0`` (default frame 0's time), forwards and
        backwards; a second-order state starts with the first observation's velocity."""
        t0 = (self.tau(self.times[:1]) if t0 is None else t0.reshape(1)).float()
        c0 = self.field.lift(c0.reshape(1, -1), torch.zeros(1, dtype=torch.long))[0]
        tq = tau.float()
        out = torch.empty(len(tq), self.subspace.dim)
        for sign in (1, -1):
            sel = (tq >= t0) if sign == 1 else (tq < t0)
            if not sel.any():
                continue
            uniq, inv = torch.unique(tq[sel], sorted=True, return_inverse=True)
            at_t0 = uniq == t0
            rest = uniq[~at_t0] if sign == 1 else uniq[~at_t0].flip(0)
            states = self.field.position(rollout(self.field, c0, torch.cat([t0, rest]), self.config, self._max_step())[1:])
            if sign == -1:
                states = states.flip(0)
            if at_t0.any():  # the query at t0 itself is the starting state
                states = torch.cat([self.field.position(c0.reshape(1, -1)), states])
            out[sel] = states[inv]
        return out

    def _consensus(self, tq: torch.Tensor) -> torch.Tensor:
        """The smooth trajectory (``smooth=True``): every observation within 3 sigma of a query time
        (sigma = ``smooth_sigma`` median observed gaps; the nearest one always) is carried by the learned
        flow to that time and the arrivals are averaged with Gaussian weights. Motion-compensated
        averaging: each code's independent jitter averages out while the motion is followed, where a
        Gaussian filter over the codes would also average the motion away."""
        coords = self.subspace.encode(self.observed)
        tk = self.obs_tau.float()
        sigma = self.config.smooth_sigma * (float(torch.diff(tk).median()) if len(tk) > 1 else 1.0)
        d = tq[:, None] - tk[None, :]
        near = (d.abs() <= 3 * sigma) | (d.abs() == d.abs().min(1, keepdim=True).values)
        qi, ki = torch.nonzero(near, as_tuple=True)
        ends = self.field.position(flow(self.field, self.field.lift(coords[ki], ki), tk[ki], tq[qi], self.config, self._max_step()))
        w = torch.exp(-0.5 * (d[qi, ki] / sigma) ** 2)
        total = torch.zeros(len(tq), coords.shape[1]).index_add_(0, qi, ends * w[:, None])
        return total / torch.zeros(len(tq)).index_add_(0, qi, w)[:, None]

    def _subspace_coords(self, tau: torch.Tensor) -> torch.Tensor:
        tq = tau.float()
        coords = self.subspace.encode(self.observed)
        if self.config.smooth and self.config.predict == "anchored":
            return self._consensus(tq)
        if self.config.predict == "rollout":
            return self._rollout_at(coords[0], tq, self.obs_tau[:1])  # the paper: from the first observation only
        out, chord = anchored(self.field, coords, self.obs_tau.float(), tq, self.config, self._max_step())
        # Guard: a field learned from sparse frames can blow up in the gaps it never saw (seen on a
        # 16-frame gap). A state far outside the observed coordinates' range (or non-finite) is
        # replaced by the chord between its two anchors, and counted.
        bound = 3.0 * float(coords.norm(dim=1).max()) + 1e-6
        bad = ~torch.isfinite(out).all(1) | (out.norm(dim=1) > bound)
        self.guarded = int(bad.sum())
        return torch.where(bad[:, None], chord, out)

    def _residual_at(self, tau: torch.Tensor) -> torch.Tensor:
        if self.config.residual == "none" or self.config.smooth or self.subspace.basis is None:
            return torch.zeros(len(tau), self.observed.shape[1])
        return interp_rows(tau, self.obs_tau, self.subspace.residual(self.observed))

    def _predict_flat(self, tau: torch.Tensor) -> torch.Tensor:
        with torch_threads(self.config.threads):
            return self.subspace.decode(self._subspace_coords(tau)) + self._residual_at(tau)

    def _propagate_flat(self, z0p: torch.Tensor, tau: torch.Tensor, mode: str) -> torch.Tensor:
        sub = self.subspace
        z0 = self.first_latent()
        with torch_threads(self.config.threads):
            edited = self._rollout_at(sub.encode(z0p[None])[0], tau)
            if mode == "reintegrate":  # the paper: integrate from the edited frame 0; its residual carried as is
                return sub.decode(edited) + sub.residual(z0p[None])
            # flow: the fitted trajectory plus the difference of the two flows, plus the out-of-subspace edit
            original = self._rollout_at(sub.encode(z0[None])[0], tau)
            delta_in = (edited - original) * sub.scale
            delta_in = delta_in if sub.basis is None else delta_in @ sub.basis.T
            delta_out = sub.residual(z0p[None]) - sub.residual(z0[None])
            return self._predict_flat(tau) + delta_in + delta_out

    # -- save / load -------------------------------------------------------------------------
    def config_dict(self) -> Dict[str, Any]:
        return self.config.to_dict()

    def _state(self) -> Dict[str, torch.Tensor]:
        state = {f"field.{k}": v for k, v in self.field.state_dict().items()}
        state.update(self.subspace.state_dict())
        return state

    def _set_state(self, tensors: Dict[str, torch.Tensor], meta: Dict[str, Any]) -> None:
        self.subspace = Subspace.from_state_dict(tensors)
        self.field = new_field(self.config, self.subspace.dim, len(self.observed))
        self.field.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("field.")})
        self.field.eval()
