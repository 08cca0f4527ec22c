"""Image-space loss through the toy generator during the fit, and second-order dynamics, on the toy world.

    python benchmarks/image_loss.py [--seeds 0,1] [--every 4,8] [--weights 30] [--out benchmarks/results/image_loss.json]

The DynODE paper's Table-1 protocol on the toy world: a 48-frame clip (``toy.world.render_clip``) is inverted frame by frame the realistic way (one
encoder pass of each frame seen through pixel noise ``--jitter``, by default ``toy.inverter.REALISTIC_JITTER``:
jittery codes; the results in docs/benchmarks.md were measured at 0.16, the realistic setting then), every ``--every``-th
frame (and the last) is observed, each model is fitted on those codes only and its predictions
are rendered and compared with the real frames at the unobserved times (MSE x1e-3, SSIM x100).
Rows, all on the same clips in the same run: linear and spline interpolation of the codes, the
ODE with its defaults, the ODE with ``ToyHost.fit_loss`` (``toy/image_loss.py``: pixel MSE of the
rendered window predictions against the real observed frames, weight ``--weights``), and the ODE
with ``order=2``. ``fit_s`` is the fit's wall time; the machine is shared (load in the JSON).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table, write_json  # noqa: E402

def run(seed: int, every: int, weights, frames_n: int, steps: int, jitter: float):
    from dynode_plugin import DynamicsModel, LinearDynamics, SplineDynamics
    from dynode_plugin.hosts import Clip
    from dynode_plugin.metrics.frame import mse, ssim
    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.toy.world import render_clip

    host = ToyHost(inversion="encoder", jitter=jitter)
    frames = render_clip(frames_n, seed)
    latents = host.invert(frames, progress=False)
    mask = torch.zeros(frames_n, dtype=torch.bool)
    mask[::every] = True
    mask[-1] = True
    models = {"linear": (LinearDynamics(), None), "spline": (SplineDynamics(), None),
              "ode": (DynamicsModel(steps=steps), None), "ode order=2": (DynamicsModel(steps=steps, order=2), None)}
    for w in weights:
        models[f"ode +image w={w:g}"] = (DynamicsModel(steps=steps), w)
    rows = []
    for name, (model, weight) in models.items():
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        options = {}
        if weight is not None:
            host.image_loss = weight
            options["extra_loss"] = host.fit_loss(Clip(latents, mask=mask, frames=frames))
        model.fit(latents, mask=mask, progress=False, **options)
        fit_s = time.perf_counter() - t0
        pred = host.synthesize(model.predict())
        held = ~mask
        rows.append({"seed": seed, "every": every, "model": name, "fit_s": fit_s,
                     "steps_per_s": model.report.steps_per_second if model.report.steps else None,
                     "mse_unobs_x1e3": float(mse(pred[held], frames[held]).mean()) * 1e3,
                     "ssim_unobs_x100": float(ssim(pred[held], frames[held]).mean()) * 100,
                     "mse_obs_x1e3": float(mse(pred[mask], frames[mask]).mean()) * 1e3, "load_before": load0})
        print(f"  seed {seed} every {every} {name:<18} fit {fit_s:5.1f} s  MSE unobs {rows[-1]['mse_unobs_x1e3']:.3f}", file=sys.stderr)
    return rows


def summarise(rows):
    out = []
    for every in sorted({r["every"] for r in rows}):
        sel = [r for r in rows if r["every"] == every]
        for name in dict.fromkeys(r["model"] for r in sel):
            rs = [r for r in sel if r["model"] == name]
            mean = {k: sum(r[k] for r in rs) / len(rs) for k in ("fit_s", "mse_unobs_x1e3", "ssim_unobs_x100", "mse_obs_x1e3")}
            out.append({"every": every, "model": name, "seeds": len(rs), **mean})
        best = min((r for r in out if r["every"] == every and not r["model"].startswith("ode")), key=lambda r: r["mse_unobs_x1e3"])
        for r in out:
            if r["every"] == every:
                r["vs_best_baseline"] = r["mse_unobs_x1e3"] / best["mse_unobs_x1e3"]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="100,101", help="clip seeds of toy.world.render_clip")
    ap.add_argument("--every", default="4,8")
    ap.add_argument("--weights", default="30", help="image-loss weights to try (comma-separated)")
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--jitter", type=float, default=None, help="pixel noise of the realistic inversion (default: toy.inverter.REALISTIC_JITTER)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "image_loss.json"))
    args = ap.parse_args(argv)
    if args.jitter is None:
        from dynode_plugin.toy.inverter import REALISTIC_JITTER

        args.jitter = REALISTIC_JITTER
    torch.set_num_threads(1)
    rows = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        for every in [int(e) for e in args.every.split(",")]:
            rows += run(seed, every, [float(w) for w in args.weights.split(",")], args.frames, args.steps, args.jitter)
    summary = summarise(rows)
    print_table(summary, ["every", "model", "seeds", "fit_s", "mse_unobs_x1e3", "ssim_unobs_x100", "mse_obs_x1e3", "vs_best_baseline"])
    path = write_json(args.out, {"machine": machine(), "args": vars(args), "rows": rows, "summary": summary})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
