"""Training a motion prior on many clips of one domain (``dynode prior train``).

1. The shared coordinate system: the mean and the top-``subspace_dim`` PCA directions of every
   frame of every clip (one basis for the domain; with many clips it holds both what differs
   between clips and how each clip moves).
2. The field, trained the way a new clip will use it: each step draws ``batch`` windows from
   random clips, each window a few observations at random gaps of 1..``max_gap`` frames (so the
   field learns to bridge the gaps sparse sampling leaves, regular or not), starts at the first
   observation, integrates through the rest and takes the MSE against them (the paper's Eq. 6).
   With ``context > 0`` every training clip also has its own learned code of that size (an
   auto-decoder): the field is f(c, t, code), and a new clip's fit finds its code from its own
   observations (what a per-clip first-order field cannot know from a position alone: which way
   and how fast each part is moving).

Clip times are normalised to [0, 1] like every fit's (``DynamicsModel.tau``).
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch

from ..errors import DynodeInputError
from .base import torch_threads
from .config import ODEConfig
from .fitting import Adam, cosine_lr
from .context_field import new_field
from .prior import ARCHITECTURE, MotionPrior
from .solver import flow
from .subspace import Subspace


@dataclasses.dataclass
class PriorTraining:
    """How a prior is trained (``dynode prior train`` options of the same names).

    steps: optimisation steps over all clips.
    batch: windows per step (drawn from random clips).
    segments: observations per window after the first (integrated in one go).
    max_gap: largest gap between a window's observations, in frames (sparse sampling up to every max_gap-th frame).
    lr: initial learning rate (cosine-decayed to lr / 100).
    context: size of each clip's learned code (0 = one field for all clips, no code).
    fit_steps: optimisation steps a new clip's fit takes with this prior (recorded in the prior).
    fit_lr: learning rate of that fit.
    seed: random seed (training is reproducible).
    """

    steps: int = 2500
    batch: int = 128
    segments: int = 2
    max_gap: int = 8
    lr: float = 3e-3
    context: int = 8
    fit_steps: int = 200
    fit_lr: float = 3e-3
    seed: int = 0


def check_clips(clips: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    if len(clips) < 2:
        raise DynodeInputError(f"a prior needs at least 2 clips; got {len(clips)}")
    shape = tuple(clips[0].shape[1:])
    out = []
    for i, z in enumerate(clips):
        if tuple(z.shape[1:]) != shape:
            raise DynodeInputError(f"clip {i} has latents of shape {list(z.shape[1:])}, clip 0 {list(shape)}; a prior is one latent space")
        if len(z) < 3:
            raise DynodeInputError(f"clip {i} has {len(z)} frames; a prior needs clips of at least 3")
        if not torch.isfinite(z).all():
            raise DynodeInputError(f"clip {i} holds NaN or inf")
        out.append(z.reshape(len(z), -1).float())
    return out


def train_prior(clips: Sequence[torch.Tensor], config: Optional[ODEConfig] = None, training: Optional[PriorTraining] = None,
                progress: bool = True, on_step: Optional[Callable[[int, float], None]] = None,
                trained_against: Optional[Dict[str, Any]] = None) -> MotionPrior:
    """A :class:`MotionPrior` from ``clips`` (each ``[N_i, *shape]``, all the same shape).

    ``config``: the field's architecture and subspace size (ODEConfig; its solver settings are used
    for integration); ``training``: :class:`PriorTraining`.
    """
    from tqdm.auto import tqdm

    cfg = (config or ODEConfig()).validate()
    if cfg.order != 1:
        raise DynodeInputError(f"prior training supports order 1 fields; got order {cfg.order}")
    tr = training or PriorTraining()
    shape = tuple(clips[0].shape[1:])
    flat = check_clips(clips)
    t_start = time.perf_counter()
    with torch_threads(cfg.threads), torch.random.fork_rng(), torch.enable_grad():
        torch.manual_seed(tr.seed)
        sub = Subspace.fit(torch.cat(flat), cfg.subspace_dim)
        coords = [sub.encode(z).detach() for z in flat]
        lengths = torch.tensor([len(c) for c in coords])
        padded = torch.zeros(len(coords), int(lengths.max()), sub.dim)
        for i, c in enumerate(coords):
            padded[i, : len(c)] = c
        cfg = dataclasses.replace(cfg, subspace_dim=sub.dim, context=tr.context, prior=None)
        field = new_field(cfg, sub.dim)
        codes = torch.nn.Parameter(torch.zeros(len(coords), tr.context)) if tr.context else None
        params = list(field.parameters()) + ([codes] if codes is not None else [])
        opt = Adam(params)
        schedule = ODEConfig(lr=tr.lr, lr_final=tr.lr / 100)
        gen = torch.Generator().manual_seed(tr.seed)
        max_step = cfg.min_step * 2 if cfg.min_step else 0.04
        losses: List[float] = []
        for step in tqdm(range(tr.steps), desc="training the prior", unit="step", disable=not progress, leave=False):
            clip = torch.randint(0, len(coords), (tr.batch,), generator=gen)
            n = lengths[clip]
            gaps = torch.randint(1, tr.max_gap + 1, (tr.batch, tr.segments), generator=gen)
            span = gaps.sum(1).clamp(max=n - 1)
            start = (torch.rand(tr.batch, generator=gen) * (n - span).float()).long()
            idx = torch.minimum(torch.cat([start[:, None], start[:, None] + gaps.cumsum(1)], 1), (n - 1)[:, None])
            tau = idx.float() / (n - 1).float()[:, None]
            if codes is not None:
                field.rows = codes[clip]
            state, preds = padded[clip, idx[:, 0]], []
            for s in range(tr.segments):
                state = flow(field, state, tau[:, s], tau[:, s + 1], cfg, max_step)
                preds.append(state)
            loss = ((torch.stack(preds, 1) - padded[clip[:, None], idx[:, 1:]]) ** 2).mean()
            if codes is not None:  # codes near zero: a new clip's code starts at zero
                loss = loss + 1e-3 * codes[clip].pow(2).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip or float("inf"))
            opt.step(cosine_lr(schedule, step, max(tr.steps, 1)))
            losses.append(float(loss.detach()))
            if on_step is not None:
                on_step(step, losses[-1])
        field.rows = None
    seconds = time.perf_counter() - t_start
    state = {k: v.detach().clone() for k, v in field.state_dict().items() if k != "context"}
    arch = {k: v for k, v in cfg.to_dict().items() if k in ARCHITECTURE + ("solver", "min_step", "subspace_dim", "zero_init")}
    tail = losses[-max(1, len(losses) // 10):]
    report = {"clips": len(coords), "frames": int(lengths.sum()), "steps": tr.steps, "seconds": seconds,
              "steps_per_second": tr.steps / seconds if seconds > 0 else None, "loss_first": losses[0] if losses else None,
              "loss_final": sum(tail) / len(tail) if tail else None, "training": dataclasses.asdict(tr),
              "explained_variance": getattr(sub, "explained", None)}
    fit = {"steps": tr.fit_steps, "lr": tr.fit_lr, "lr_final": tr.fit_lr / 100, "straightness": 0.0}
    return MotionPrior(shape, sub, state, arch, fit, report, dict(trained_against or {}))
