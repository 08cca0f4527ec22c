"""Fit speed and accuracy of DynamicsModel vs the paper-literal setting and the baselines.

    python benchmarks/fit.py [--quick] [--out benchmarks/results/fit.json]

Rows: DynamicsModel defaults, the paper-literal configuration (full 18x512 state, dopri5
at torchdiffeq's default tolerances, Adam lr 0.01; a few steps timed, extrapolated to 5000),
and the linear / spline baselines (full space and in the ODE's subspace). Clips: realistic
synthetic W+ trajectories (curved, uneven speed, per-frame jitter) of N = 64 and 256 frames
observed every 1st, 4th, 8th frame, and the real inversions in
../shared/data/dynode_example/dynode_all_latents.pth with every other sample held out.
Every row runs in a fresh process so peak RSS is its own.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, machine, print_table, realistic_clip, write_json  # noqa: E402

PAPER_STEPS = 5000


def _clip(spec):
    import torch

    if spec["clip"] == "real":
        z = torch.load(SHARED / "dynode_example" / "dynode_all_latents.pth", map_location="cpu")[:, 0].float()
        return torch.linspace(0, 1, len(z)), z, z
    return realistic_clip(spec["n"], seed=spec.get("seed", 0))


def clip_and_mask(spec):
    """(clean, noisy, mask): the spec's clip observed every ``spec["every"]``-th frame and the last."""
    import torch

    _, clean, noisy = _clip(spec)
    mask = torch.zeros(len(noisy), dtype=torch.bool)
    mask[:: spec["every"]] = True
    mask[-1] = True
    return clean, noisy, mask


def run_row(spec):
    """One (clip, sampling, model) cell; returns a result dict. Runs in its own process."""
    from dynode_plugin import DynamicsModel, LinearDynamics, SplineDynamics
    from dynode_plugin.dynamics.config import paper_config

    clean, noisy, mask = clip_and_mask(spec)
    n = len(noisy)
    name = spec["model"]
    t0 = time.perf_counter()
    if name == "ode":
        model = DynamicsModel().fit(noisy, mask=mask, progress=False)
    elif name == "ode-denoise":  # in-between frames without the (jittery) out-of-subspace residual
        model = DynamicsModel(residual="none").fit(noisy, mask=mask, progress=False)
    elif name == "paper":
        model = DynamicsModel(paper_config(steps=spec["paper_steps"])).fit(noisy, mask=mask, progress=False)
    else:
        cls = {"linear": LinearDynamics, "spline": SplineDynamics}[name.split("@")[0]]
        model = cls(subspace_dim=12 if "@sub" in name else None).fit(noisy, mask=mask, progress=False)
    wall = time.perf_counter() - t0
    pred = model.predict()
    held = ~mask
    out = dict(clip=spec["clip"] if spec["clip"] == "real" else f"synthetic N={n}", every=spec["every"], model=name,
               fit_s=wall, steps=model.report.steps, steps_per_s=model.report.steps_per_second if model.report.steps else None,
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               mse_observed=float(((pred[mask] - noisy[mask]) ** 2).mean()),
               mse_heldout=float(((pred[held] - noisy[held]) ** 2).mean()) if held.any() else None,
               mse_heldout_clean=float(((pred[held] - clean[held]) ** 2).mean()) if held.any() and spec["clip"] != "real" else None,
               mse_rollout=model.report.rollout_mse)
    if name == "paper":
        per_step = wall / spec["paper_steps"]
        out.update(fit_s=per_step * PAPER_STEPS, measured_steps=spec["paper_steps"], s_per_step=per_step, extrapolated=True)
        out["mse_observed"] = out["mse_heldout"] = out["mse_heldout_clean"] = out["mse_rollout"] = None  # not trained to 5000 steps
    return out


def specs(quick: bool):
    sizes = [64] if quick else [64, 256]
    rows = []
    for n in sizes:
        for every in (1, 4, 8):
            for model in ("ode", "ode-denoise", "linear", "spline", "linear@sub", "spline@sub"):
                rows.append(dict(clip="synthetic", n=n, every=every, model=model))
        rows.append(dict(clip="synthetic", n=n, every=1, model="paper", paper_steps=2 if quick else 3))
    if (SHARED / "dynode_example" / "dynode_all_latents.pth").exists():
        for model in ("ode", "ode-denoise", "linear", "spline", "linear@sub", "spline@sub"):
            rows.append(dict(clip="real", n=11, every=2, model=model))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="N=64 only")
    ap.add_argument("--models", default=None, help="comma-separated subset of rows, e.g. ode,linear")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "fit.json"))
    args = ap.parse_args(argv)
    results = []
    ctx = mp.get_context("spawn")
    wanted = set(args.models.split(",")) if args.models else None
    for spec in [s for s in specs(args.quick) if wanted is None or s["model"] in wanted]:
        with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            r = pool.submit(run_row, spec).result()
        results.append(r)
        print(f"  {r['clip']:<18} every {r['every']}  {r['model']:<11} {r['fit_s']:.1f} s", file=sys.stderr)
    # ratios against the paper-literal fit time of the same clip size
    for r in results:
        paper = next((p for p in results if p["model"] == "paper" and p["clip"] == r["clip"]), None)
        if paper and r["model"].startswith("ode"):
            r["speedup_vs_paper"] = paper["fit_s"] / r["fit_s"]
    cols = ["clip", "every", "model", "fit_s", "steps_per_s", "peak_rss_mb", "mse_observed", "mse_heldout",
            "mse_heldout_clean", "mse_rollout", "speedup_vs_paper"]
    print_table(results, cols)
    path = write_json(args.out, {"machine": machine(), "results": results})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
