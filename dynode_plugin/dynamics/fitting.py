"""The training loop: the paper's Eq. 6 on sampled windows of observed frames.

Each step samples ``batch`` windows of consecutive observed frames, starts each
window at its observed state and integrates through the window (all windows in one
batched solve per segment), then takes the latent MSE against the observations.
Window length grows from 2 to ``window`` over the first half (a short-horizon
curriculum keeps early steps stable). Optional ``extra_loss`` terms (image MSE,
LPIPS, identity through a generator) are added by the caller.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable, List, Optional, Tuple

import torch

from .config import ODEConfig
from .plateau import PlateauStop
from .solver import flow

ExtraLoss = Callable[[torch.Tensor, torch.Tensor, int], torch.Tensor]


@dataclasses.dataclass
class FitReport:
    """What a fit did and how well it fits (latent MSE per element, full latent space)."""

    model: str
    steps: int
    seconds: float
    losses: List[float]
    n_frames: int
    n_observed: int
    subspace_dim: Optional[int] = None
    explained_variance: Optional[float] = None
    observed_mse: Optional[float] = None
    rollout_mse: Optional[float] = None
    solver: Optional[str] = None
    subspace_requested: Optional[int] = None  # the subspace_dim asked for (the fit may use fewer: Subspace.fit)
    prior: Optional[dict] = None  # the motion prior the fit started from (path, checksum, clips it was trained on)
    steps_planned: Optional[int] = None  # the ``steps`` setting; ``steps`` is what the fit took (fewer: a loss plateau)
    plateau_step: Optional[int] = None  # steps taken when the loss plateau was found (the rest annealed the lr); None: none found

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds > 0 else float("inf")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["steps_per_second"] = self.steps_per_second
        return d

    def _planned(self) -> str:
        if self.steps_planned is None:
            return ""
        if self.plateau_step is not None:
            tail = self.steps - self.plateau_step
            return (f" of {self.steps_planned} (stopped on a loss plateau at step {self.plateau_step}"
                    + (f", then {tail} steps annealing the lr)" if tail else ")"))
        # a report saved before plateau_step existed: fewer steps than planned meant a plateau
        return "" if self.steps_planned == self.steps else f" of {self.steps_planned} (stopped on a loss plateau)"

    def __str__(self) -> str:
        lines = [f"model            {self.model}" + (f" (solver {self.solver})" if self.solver else ""),
                 f"frames           {self.n_observed} observed of {self.n_frames}",
                 f"steps            {self.steps}{self._planned()} in {self.seconds:.1f} s ({self.steps_per_second:.0f} steps/s)"]
        if self.subspace_dim is not None:
            ev = f", {100 * self.explained_variance:.1f}% of the observed motion" if self.explained_variance is not None else ""
            lines.append(f"subspace         {self.subspace_dim} dims{ev}")
            if self.subspace_requested is not None and self.subspace_requested > self.subspace_dim:
                lines.append(f"                 (asked for {self.subspace_requested}; capped at max(2, observed frames / 3) "
                             "and observed - 1: fewer frames per direction fit inversion noise)")
        if self.losses:
            lines.append(f"loss             {self.losses[0]:.4g} -> {self.losses[-1]:.4g}")
        if self.observed_mse is not None:
            lines.append(f"observed MSE     {self.observed_mse:.4g} (per latent element)")
        if self.prior is not None:
            lines.append(f"prior            {self.prior.get('path')} ({self.prior.get('clips')} clips, {self.prior.get('checksum', '')[:19]})")
        if self.rollout_mse is not None:
            lines.append(f"rollout MSE      {self.rollout_mse:.4g} (integrating from frame 0 only)")
        return "\n".join(lines)


class Adam:
    """Adam (torch.optim.Adam's single-tensor update) with the lr given at each step.

    Why not torch.optim: creating any torch.optim optimiser imports torch._dynamo, a one-off
    3.3 s on an idle 2-core Xeon and ~10 s under load (issue 17), more than a whole default
    fit now takes.
    """

    def __init__(self, params, betas=(0.9, 0.999), eps=1e-8):
        self.params = list(params)
        self.betas, self.eps, self.t = betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self, lr: float) -> None:
        self.t += 1
        b1, b2 = self.betas
        bc1, bc2 = 1 - b1**self.t, math.sqrt(1 - b2**self.t)
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        params, m, v = ([xs[i] for i in live] for xs in (self.params, self.m, self.v))
        grads = [p.grad for p in params]
        # one foreach call per update term for all tensors (torch.optim's foreach path): a loop
        # over the parameters dispatched ~8 small operations per tensor per step
        torch._foreach_mul_(m, b1)
        torch._foreach_add_(m, grads, alpha=1 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - b2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, bc2)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, m, denom, value=-lr / bc1)
        for p in params:
            p.grad = None


def sample_windows(count: int, batch: int, gen: torch.Generator) -> torch.Tensor:
    """Start indices of ``batch`` distinct windows out of ``count``; all of them when there are no more.

    Every window once on short clips gives the exact mean and no repeated work (drawing 16 with
    replacement out of 1-5 windows made each step up to 16x the work for the same gradient).
    """
    if count <= batch:
        return torch.arange(count)
    return torch.randperm(count, generator=gen)[:batch]


def cosine_lr(cfg: ODEConfig, step: int, steps: int, lr_start: Optional[float] = None) -> float:
    """Cosine from ``lr_start`` (default ``cfg.lr``) at step 0 to ``cfg.lr_final`` at ``steps``."""
    lr = cfg.lr if lr_start is None else lr_start
    return cfg.lr_final + 0.5 * (lr - cfg.lr_final) * (1 + math.cos(math.pi * min(step, steps) / steps))


def train_field(field, coords: torch.Tensor, tau: torch.Tensor, cfg: ODEConfig, max_step: float,
                extra_loss: Optional[ExtraLoss] = None, decode=None, progress: bool = True,
                on_step: Optional[Callable[[int, float], None]] = None, bidirectional: bool = False) -> Tuple[List[float], Optional[int]]:
    """Optimise ``field`` so integrating from each observed state reaches the next ones.

    The field maps observed coordinates to its states and back (``field.lift`` / ``field.position``:
    the identity for first order, position and velocity for :mod:`.second_order`).

    ``on_step(step, loss)`` is called after every step (benchmarks time the loss curve with it).
    The fit ends early on a loss plateau (:mod:`.plateau`) after annealing the lr for ``cfg.plateau_anneal``
    more steps. Returns ``(losses, plateau_step)``: ``len(losses)`` is the steps it took, ``plateau_step``
    the steps taken when the plateau was found (None: ran every planned step without finding one).
    """
    from tqdm.auto import tqdm

    n = len(coords)
    max_len = max(1, min(cfg.window, n - 1))
    gen = torch.Generator().manual_seed(cfg.seed)
    params = [p for p in field.parameters() if p.requires_grad]
    opt = Adam(params)
    steps = max(cfg.steps, 1)
    losses: List[float] = []
    plateau = PlateauStop(cfg.plateau_patience, cfg.plateau_tol, start=math.ceil(cfg.curriculum * steps))
    # The optional tail after a plateau (plateau_anneal > 0): the cosine is laid over the PLANNED
    # steps, so a fit stopped at step 200-275 of 300 still runs at 3-25% of the initial lr and never
    # anneals; the tail lowers the lr to lr_final over plateau_anneal more steps (a cosine from where it
    # was), then stops. Off by default because it was measured not to matter: 25 or 50 annealing steps
    # moved held-out error by at most 0.07% on every fit_speed clip (benchmarks/results/fit_tail_variants.json,
    # issue 17) for 10-20% more steps; what separates old and new fits there is how far they optimise.
    tail_from, tail_lr = None, 0.0
    bar = tqdm(range(cfg.steps), desc="fitting dynamics", unit="step", disable=not progress, leave=False)
    for step in bar:
        length = min(max_len, 1 + int(step * max_len / max(cfg.curriculum * steps, 1e-9)))
        starts = sample_windows(n - length, cfg.batch, gen)
        idx = starts[:, None] + torch.arange(length + 1)
        if bidirectional:  # every other window runs backwards in time (the anchored predictor integrates both ways)
            back = (torch.arange(len(idx)) + step) % 2 == 1
            idx = torch.where(back[:, None], idx.flip(1), idx)
        state = field.lift(coords[idx[:, 0]], idx[:, 0])
        preds, excess = [], []
        for seg in range(length):
            start = state
            state = flow(field, start, tau[idx[:, seg]], tau[idx[:, seg + 1]], cfg, max_step, energy=bool(cfg.straightness))
            if cfg.straightness:
                state, energy = state
                # >= 0 in exact arithmetic (0 for a straight, even-speed path); clamped so the optimiser
                # cannot earn credit from the solver's discretisation error
                excess.append(field.excess(energy, start, state, tau[idx[:, seg + 1]] - tau[idx[:, seg]]).clamp_min(0))
            preds.append(field.position(state))
        pred = torch.stack(preds, dim=1)
        loss = torch.mean((pred - coords[idx[:, 1:]]) ** 2)
        if excess:  # between sparse observations, prefer the plainest path that still hits them
            loss = loss + cfg.straightness * torch.stack(excess).mean() / coords.shape[1]
        if extra_loss is not None:
            target_idx = idx[:, 1:].reshape(-1)
            loss = loss + extra_loss(decode(pred.reshape(-1, pred.shape[-1]), target_idx), target_idx, step)
        loss.backward()
        if cfg.grad_clip:
            torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip)
        lr = cosine_lr(cfg, step, steps) if tail_from is None else cosine_lr(cfg, step - tail_from, cfg.plateau_anneal, tail_lr)
        opt.step(lr)
        losses.append(float(loss.detach()))
        if on_step is not None:
            on_step(step, losses[-1])
        if step % 50 == 0:
            bar.set_postfix(loss=f"{losses[-1]:.3g}")
        if tail_from is None and plateau.update(step, losses[-1]):
            tail_from, tail_lr = step + 1, lr
            if cfg.plateau_anneal <= 0:
                break
        elif tail_from is not None and step + 1 - tail_from >= cfg.plateau_anneal:
            break
    bar.close()
    return losses, tail_from
