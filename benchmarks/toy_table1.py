"""Part A of benchmarks/toy_dynamics.py: the DynODE paper's Table 1 on the toy world, with and
without the toy motion prior, beside every baseline, plus extrapolation past the last observation.

For each scene seed (none of them seen by the prior: asserted), a 48-frame clip is rendered and
every frame inverted on its own. For every ``--every`` k (4, 8) and both samplings (regular: every
k-th frame and the last; irregular: as many frames, seeded, ends included), each model is fitted on
the observed codes only; its predicted codes at all times are rendered and compared with the real
frames (MSE x1e-3, SSIM x100) at the unobserved times. Models: ``ode`` (DynamicsModel, its
defaults), ``ode+prior`` (the same with ``prior=``), ``linear``, ``spline`` (full latent),
``linear@sub``/``spline@sub`` (in the clip's PCA subspace, the ODE's default size), and
``ode+unobs``/``ode+prior+unobs``: the same fits with the toy host's loss at the unobserved frames
(``ToyHost.unobserved_loss``: the fit's predictions there rendered and compared with the real
frames, weight ``--unobserved-loss``, ``--unobserved-per-step`` frames per fit step; the host has
every frame's pixels, codes only at the observed ones).

Extrapolation (``--parts x``): the first ``--extrap-observed`` frames observed every 4th, the rest
predicted: DynODE's rollout from frame 0 (the paper's prediction, no anchors) and its anchored
prediction (from the last observation on) against the baselines' extrapolation (linear holds the
last observation; the spline continues its last cubic).
"""
from __future__ import annotations

import sys
import time

import torch

SUBSPACE = 12  # the ODE's default subspace_dim: the @sub baselines use the same


def masks(n: int, every: int, seed: int):
    """Regular (every ``every``-th frame + the last) and irregular (same count, seeded, ends included)."""
    regular = torch.zeros(n, dtype=torch.bool)
    regular[::every] = True
    regular[-1] = True
    k = int(regular.sum())
    g = torch.Generator().manual_seed(seed)
    irregular = torch.zeros(n, dtype=torch.bool)
    irregular[[0, n - 1]] = True
    irregular[1 + torch.randperm(n - 2, generator=g)[: k - 2]] = True
    return {"regular": regular, "irregular": irregular}


def image_scores(pred, truth, mask):
    """MSE x1e-3 and SSIM x100 of rendered ``pred`` against ``truth`` at observed (``mask``) and unobserved frames."""
    from dynode_plugin.metrics.frame import mse, ssim

    out = {}
    for tag, sel in (("obs", mask), ("unobs", ~mask)):
        if sel.any():
            out[f"mse_{tag}"] = float(mse(pred[sel], truth[sel]).mean()) * 1e3
            out[f"ssim_{tag}"] = float(ssim(pred[sel], truth[sel]).mean()) * 100
        else:
            out[f"mse_{tag}"] = out[f"ssim_{tag}"] = None
    return out


def make(name: str, ode_kwargs, prior):
    from dynode_plugin import DynamicsModel, LinearDynamics, SplineDynamics

    name = name.removesuffix(UNOBS)  # the same model; the fit gets the host's unobserved-frame loss (run_table)
    if name == "ode":
        return DynamicsModel(**ode_kwargs)
    if name == "ode+prior":
        return DynamicsModel(**{**ode_kwargs, "prior": prior})
    if name.startswith("ode-rollout"):  # the paper's prediction: integrate from frame 0 only
        return DynamicsModel(**{**ode_kwargs, "predict": "rollout", **({"prior": prior} if "prior" in name else {})})
    base, _, sub = name.partition("@")
    return {"linear": LinearDynamics, "spline": SplineDynamics}[base](subspace_dim=SUBSPACE if sub else None)


BASELINES = ("linear", "spline", "linear@sub", "spline@sub")
UNOBS = "+unobs"


def fit_options(name: str, host, args, frames, latents, mask) -> dict:
    """A ``+unobs`` model's fit gets ``ToyHost.unobserved_loss`` (weight ``args.unobserved_loss``)."""
    if not name.endswith(UNOBS):
        return {}
    from dynode_plugin.hosts import Clip

    host.unobserved_image_loss, host.unobserved_per_step = args.unobserved_loss, args.unobserved_per_step
    return {"unobserved_loss": host.unobserved_loss(Clip(latents, mask=mask, frames=frames))}


def check_unseen(prior_path, seeds) -> dict:
    """The prior's training scenes (its header) must not include a benchmark seed."""
    from dynode_plugin.dynamics.prior import load_prior
    from dynode_plugin.toy.prior import training_seeds

    prior = load_prior(prior_path)
    if "first_seed" not in prior.trained_against:  # not a toy prior from dynode_plugin.toy.prior: cannot be checked
        print(f"warning: {prior_path} does not record its training scenes; disjointness not checked", file=sys.stderr)
        return {"prior_training_seeds": None, "benchmark_seeds": list(seeds)}
    seen = training_seeds(prior)
    overlap = sorted(set(seeds) & set(seen))
    assert not overlap, f"benchmark seeds {overlap} were used to train the prior"
    return {"prior_training_seeds": [seen.start, seen.stop - 1], "benchmark_seeds": list(seeds)}


def clip(host, frames_n, seed):
    from dynode_plugin.toy.world import render_clip

    frames = render_clip(frames_n, seed)
    return frames, host.invert(frames, progress=False)


def run_table(host, args, ode_kwargs, prior):
    """Rows per (seed, every, sampling, model): unobserved-frame scores, fit seconds."""
    rows = []
    for seed in args.seeds:
        frames, latents = clip(host, args.frames, seed)
        recon = host.synthesize(latents)
        for every in args.everies:
            for sampling, mask in masks(len(frames), every, seed).items():
                inv = image_scores(recon, frames, mask)
                rows.append({"seed": seed, "every": every, "sampling": sampling, "model": "inversion (upper bound)",
                             "mse_unobs": inv["mse_unobs"], "ssim_unobs": inv["ssim_unobs"]})
                for name in args.models:
                    t0 = time.perf_counter()
                    model = make(name, ode_kwargs, prior).fit(latents, mask=mask, progress=False,
                                                              **fit_options(name, host, args, frames, latents, mask))
                    fit_s = time.perf_counter() - t0
                    codes = model.predict()
                    sc = image_scores(host.synthesize(codes), frames, mask)
                    m, s = sc["mse_unobs"], sc["ssim_unobs"]
                    rows.append({"seed": seed, "every": every, "sampling": sampling, "model": name, "mse_unobs": m,
                                 "ssim_unobs": s, "mse_obs": sc["mse_obs"], "fit_s": fit_s, "steps_per_s": getattr(model.report, "steps_per_second", None),
                                 "latent_mse_unobs": float(((codes[~mask] - latents[~mask]) ** 2).mean())})
                    print(f"  A seed {seed} every {every} {sampling:<9} {name:<15} fit {fit_s:5.1f} s  MSE {m:.4f}  SSIM {s:.2f}",
                          file=sys.stderr)
    return rows


def run_extrapolation(host, args, ode_kwargs, prior):
    """Rows per (seed, model): scores on the frames after the last observation."""
    rows = []
    for seed in args.seeds:
        frames, latents = clip(host, args.frames, seed)
        mask = torch.zeros(len(frames), dtype=torch.bool)
        mask[: args.extrap_observed: 4] = True
        future = torch.arange(len(frames)) > int(torch.nonzero(mask).max())
        for name in args.extrap_models:
            model = make(name, ode_kwargs, prior).fit(latents, mask=mask, progress=False)
            sc = image_scores(host.synthesize(model.predict()), frames, ~future)
            m, s = sc["mse_unobs"], sc["ssim_unobs"]
            rows.append({"seed": seed, "model": name, "mse_future": m, "ssim_future": s, "n_obs": int(mask.sum()),
                         "n_future": int(future.sum())})
            print(f"  X seed {seed} {name:<18} MSE {m:.4f}  SSIM {s:.2f}", file=sys.stderr)
    return rows


def means(rows, keys, cols):
    out = []
    for k in dict.fromkeys(tuple(r[c] for c in keys) for r in rows):
        group = [r for r in rows if tuple(r[c] for c in keys) == k]
        row = dict(zip(keys, k), seeds=len(group))
        for c in cols:
            vals = [g[c] for g in group if g.get(c) is not None]
            row[c] = sum(vals) / len(vals) if vals else None
        out.append(row)
    return out


def targets(mean_rows, model="ode+prior", without_prior="ode"):
    """Per setting: the model's unobserved MSE against the best baseline's (target: >= 10% lower) and SSIM."""
    out = []
    for every, sampling in dict.fromkeys((r["every"], r["sampling"]) for r in mean_rows):
        rows = {r["model"]: r for r in mean_rows if (r["every"], r["sampling"]) == (every, sampling)}
        base = [rows[b] for b in BASELINES if b in rows]
        if model not in rows or not base:
            continue
        best = min(base, key=lambda r: r["mse_unobs"])
        m = rows[model]
        out.append({"every": every, "sampling": sampling, "best_baseline": best["model"],
                    "mse_ratio": m["mse_unobs"] / best["mse_unobs"], "mse_10pct_lower": m["mse_unobs"] <= 0.9 * best["mse_unobs"],
                    "ssim_higher": m["ssim_unobs"] > max(r["ssim_unobs"] for r in base),
                    "ssim": m["ssim_unobs"], "best_baseline_ssim": max(r["ssim_unobs"] for r in base),
                    "ode_mse_ratio": rows[without_prior]["mse_unobs"] / best["mse_unobs"] if without_prior in rows else None})
    return out
