"""Fit speed: today's default fit path beside the pre-issue-17 one, same clips, same run.

    python benchmarks/fit_speed.py [--quick] [--out benchmarks/results/fit_speed.json]

OLD is the default of commit ac0a4f6 (before issue 17): torchdiffeq's odeint once per
window segment (``backend="torchdiffeq"``), 800 steps at lr 3e-3, 16 windows drawn with
replacement per step, 2 solver steps per observed gap however dense (3 on regularly subsampled clips:
the float32 rounding fixed in ``solver.fixed_steps``), no loss-plateau stop, and the one-off
``torch._dynamo`` import that creating ``torch.optim.Adam`` triggered (timed here as
``import torch._dynamo`` at the start of the old fit: it is part of what a user waited for).
NEW is ``DynamicsModel()`` with today's defaults. Both run on the clips of benchmarks/fit.py
(synthetic N = 64 and 256 observed every 1st, 4th, 8th frame; the real inversions with every
other sample held out), each fit in its own fresh process, alternating old and new so both
see the same machine load.

Columns: wall s and CPU s (fit call, imports after torch excluded except the old path's dynamo import;
CPU seconds of the fitting process are the fairer figure on a shared machine), steps taken (the new
default stops on a loss plateau; ``plateau_step`` in the runs: where), steps/s, held-out MSE (per latent element, unobserved frames), rollout MSE,
``t_old_loss_s``: seconds until the new fit's model first scores the old default's final
loss on the old training objective (every window of 8 observed gaps, RK4 with 2 substeps,
straightness 0.1: evaluated every few steps without the gradient, outside the clock),
and the ``uptime`` load average before and after each fit (the machine is shared).
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import math
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table, write_json  # noqa: E402
from fit import clip_and_mask  # noqa: E402  (the same clips as benchmarks/fit.py)

# the defaults before issue 17 (commit ac0a4f6), with the pre-17 integration path
OLD = dict(backend="torchdiffeq", steps=800, batch=16, window=8, substeps=2, min_step=0.0, lr=3e-3, lr_final=1e-4,
           straightness=0.1, curriculum=0.5, plateau_patience=0)


def objective(field, coords, tau, cfg, length: int):
    """The old training loss on EVERY window of ``length`` observed gaps (no sampling noise)."""
    import torch

    from dynode_plugin.dynamics.solver import flow

    n = len(coords)
    length = max(1, min(length, n - 1))
    idx = torch.arange(n - length)[:, None] + torch.arange(length + 1)
    max_step = max(float(torch.diff(tau).median()) / cfg.substeps, cfg.min_step)
    state, preds, excess = coords[idx[:, 0]], [], []
    with torch.no_grad():
        for seg in range(length):
            start = state
            state, energy = flow(field, start, tau[idx[:, seg]], tau[idx[:, seg + 1]], cfg, max_step, energy=True)
            excess.append((energy - (state - start).pow(2).sum(1)).clamp_min(0))
            preds.append(state)
        loss = torch.mean((torch.stack(preds, 1) - coords[idx[:, 1:]]) ** 2)
        return float(loss + cfg.straightness * torch.stack(excess).mean() / coords.shape[1])


def run_fit(spec):
    """One fit (old or new) on one clip, in its own process; returns a result dict."""
    import torch

    from dynode_plugin import DynamicsModel
    from dynode_plugin.dynamics import model as model_mod
    from dynode_plugin.dynamics.config import ODEConfig

    _, noisy, mask = clip_and_mask(spec)
    n = len(noisy)
    fit_seed = spec.get("fit_seed", spec.get("seed", 0))  # the clip's seed unless given apart (--fit-seeds)
    old_cfg = ODEConfig(**OLD)
    curve, clock = [], {"excluded": 0.0, "excluded_cpu": 0.0}
    every_eval = spec.get("eval_every", 0)

    def train_field(field, coords, tau, cfg, max_step, *args, **kwargs):
        start = time.perf_counter()

        def on_step(step, loss):
            if every_eval and (step % every_eval == every_eval - 1 or step == cfg.steps - 1):
                t0, c0 = time.perf_counter(), time.process_time()
                elapsed = t0 - start - clock["excluded"]
                curve.append((step + 1, elapsed, objective(field, coords, tau, old_cfg, old_cfg.window)))
                clock["excluded"] += time.perf_counter() - t0
                clock["excluded_cpu"] += time.process_time() - c0
        clock["field"] = (field, coords, tau)
        return real_train_field(field, coords, tau, cfg, max_step, *args, on_step=on_step, **kwargs)

    from dynode_plugin.dynamics.fitting import train_field as real_train_field
    model_mod.train_field = train_field
    load_before = os.getloadavg()[0]
    t0, cpu0 = time.perf_counter(), time.process_time()
    dynamo_s = 0.0
    if spec["path"] == "old":
        import torch._dynamo  # noqa: F401  (what creating torch.optim.Adam cost the old path)

        from dynode_plugin.dynamics import fitting

        # the old loop drew `batch` windows with replacement, however few there were
        fitting.sample_windows = lambda count, batch, gen: torch.randint(0, count, (batch,), generator=gen)
        # ... and counted solver steps with an absolute tolerance (3 steps per gap where 2 were meant)
        from dynode_plugin.dynamics import solver

        solver.fixed_steps = lambda span, max_step: max(1, math.ceil(span / max_step - 1e-9))

        dynamo_s = time.perf_counter() - t0
        model = DynamicsModel(**OLD, seed=fit_seed)
    else:
        model = DynamicsModel(seed=fit_seed)
    model.fit(noisy, mask=mask, progress=False)
    wall = time.perf_counter() - t0 - clock["excluded"]
    cpu = time.process_time() - cpu0 - clock["excluded_cpu"]
    field, coords, tau = clock["field"]
    pred = model.predict()
    held = ~mask
    return dict(clip=spec["clip"] if spec["clip"] == "real" else f"synthetic N={n}", every=spec["every"], path=spec["path"],
                seed=spec.get("seed", 0), fit_seed=fit_seed, wall_s=wall, cpu_s=cpu, dynamo_import_s=dynamo_s, steps=model.report.steps, steps_planned=model.config.steps,
                plateau_step=getattr(model.report, "plateau_step", None),
                steps_per_s=model.report.steps_per_second,
                final_objective=objective(field, coords, tau, old_cfg, old_cfg.window), curve=curve,
                mse_heldout=float(((pred[held] - noisy[held]) ** 2).mean()) if held.any() else None,
                mse_rollout=model.report.rollout_mse, load_before=load_before, load_after=os.getloadavg()[0])


def specs(quick: bool):
    clips = [dict(clip="synthetic", n=64, every=1)]
    if not quick:
        clips += [dict(clip="synthetic", n=n, every=e) for n, e in ((64, 4), (64, 8), (256, 1), (256, 4), (256, 8))]
    from common import SHARED

    if (SHARED / "dynode_example" / "dynode_all_latents.pth").exists():
        clips.append(dict(clip="real", n=11, every=2))
    return clips


def summarise(rows):
    out = []
    for new in (r for r in rows if r["path"] == "new"):
        key = (new["clip"], new["every"], new["seed"], new["fit_seed"])
        old = next(r for r in rows if r["path"] == "old" and (r["clip"], r["every"], r["seed"], r["fit_seed"]) == key)
        reach = next((s for _, s, v in new["curve"] if v <= old["final_objective"]), None)
        out.append(dict(clip=new["clip"], every=new["every"], seed=new["seed"], fit_seed=new["fit_seed"], old_wall_s=old["wall_s"], new_wall_s=new["wall_s"],
                        speedup=old["wall_s"] / new["wall_s"], old_cpu_s=old["cpu_s"], new_cpu_s=new["cpu_s"],
                        speedup_cpu=old["cpu_s"] / new["cpu_s"], old_steps=old["steps"], new_steps=new["steps"],
                        old_steps_per_s=old["steps_per_s"], new_steps_per_s=new["steps_per_s"],
                        old_objective=old["final_objective"], new_objective=new["final_objective"], t_old_loss_s=reach,
                        old_heldout=old["mse_heldout"], new_heldout=new["mse_heldout"],
                        heldout_ratio=new["mse_heldout"] / old["mse_heldout"] if old["mse_heldout"] else None,
                        old_rollout=old["mse_rollout"], new_rollout=new["mse_rollout"],
                        load=max(old["load_before"], old["load_after"], new["load_before"], new["load_after"])))
    return out


def seed_means(table):
    """Per clip: the means over seeds (held-out error of a sparse clip moves by about 1% with the fit seed)."""
    out = []
    for key in dict.fromkeys((r["clip"], r["every"]) for r in table):
        rs = [r for r in table if (r["clip"], r["every"]) == key]
        mean = {k: (sum(r[k] for r in rs) / len(rs) if all(r[k] is not None for r in rs) else None)
                for k in ("old_cpu_s", "new_cpu_s", "old_heldout", "new_heldout", "new_steps")}
        out.append(dict(clip=key[0], every=key[1], seeds=len(rs), speedup_cpu=mean["old_cpu_s"] / mean["new_cpu_s"],
                        old_heldout=mean["old_heldout"], new_heldout=mean["new_heldout"], new_steps=mean["new_steps"],
                        heldout_ratio=mean["new_heldout"] / mean["old_heldout"] if mean["old_heldout"] else None))
    return out


def clip_verdicts(table):
    """Per clip (clip and clip seed): held-out error of old and new as mean and standard deviation over the
    fit seeds, the ratio of the means, the difference in standard errors (Welch) and a verdict: ``better``
    (new mean <= old mean), ``equal`` (worse by less than two standard errors: not told apart from the
    fit seed's own spread) or ``worse``. One fit per path cannot say which: a sparse clip's held-out error
    moves by up to 5% with the fit seed alone."""
    import statistics as st

    out = []
    for key in dict.fromkeys((r["clip"], r["every"], r["seed"]) for r in table if r["old_heldout"] is not None):
        rs = [r for r in table if (r["clip"], r["every"], r["seed"]) == key]
        old, new = [r["old_heldout"] for r in rs], [r["new_heldout"] for r in rs]
        mo, mn = st.mean(old), st.mean(new)
        se = math.sqrt((st.variance(old) + st.variance(new)) / len(rs)) if len(rs) > 1 else None
        z = (mn - mo) / se if se else None
        verdict = "better" if mn <= mo else ("equal" if z is not None and z < 2 else "worse")
        out.append(dict(clip=key[0], every=key[1], seed=key[2], fit_seeds=len(rs), old_heldout=mo, new_heldout=mn,
                        old_sd=st.stdev(old) if len(rs) > 1 else None, new_sd=st.stdev(new) if len(rs) > 1 else None,
                        heldout_ratio=mn / mo, diff_in_se=z, verdict=verdict))
    return out


def dense_scaling(table):
    """(wall, CPU) of the new fit on 256 over 64 densely observed frames: means over every seed in the table
    (None without both clips)."""
    rows = {n: [r for r in table if (r["clip"], r["every"]) == (f"synthetic N={n}", 1)] for n in (64, 256)}
    if not rows[64] or not rows[256]:
        return None, None
    mean = {(n, k): sum(r[k] for r in rs) / len(rs) for n, rs in rows.items() for k in ("new_wall_s", "new_cpu_s")}
    return mean[256, "new_wall_s"] / mean[64, "new_wall_s"], mean[256, "new_cpu_s"] / mean[64, "new_cpu_s"]


def scaling(repeats: int = 2):
    """The new default on 64 and on 256 densely observed frames, alternating, each in a fresh process."""
    ctx = mp.get_context("spawn")
    rows = []
    for _ in range(repeats):
        for n in (64, 256):
            with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                r = pool.submit(run_fit, dict(clip="synthetic", n=n, every=1, path="new")).result()
            rows.append({k: r[k] for k in ("clip", "wall_s", "cpu_s", "steps", "steps_per_s", "load_before", "load_after")})
            print(f"  {r['clip']}: {r['wall_s']:.1f} s ({r['cpu_s']:.1f} CPU s, {r['steps']} steps), load {r['load_before']:.1f}",
                  file=sys.stderr)
    mean = {(n, k): sum(r[k] for r in rows if r["clip"] == f"synthetic N={n}") / repeats for n in (64, 256) for k in ("wall_s", "cpu_s")}
    return {"runs": rows, "ratio_256_over_64": mean[256, "wall_s"] / mean[64, "wall_s"],
            "ratio_256_over_64_cpu": mean[256, "cpu_s"] / mean[64, "cpu_s"]}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the default 64-frame clip (and the real one) only")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "fit_speed.json"))
    ap.add_argument("--scaling", action="store_true", help="only the new default on 64 vs 256 dense frames (twice each)")
    ap.add_argument("--only", default="", help="comma-separated clips N:every or 'real' (e.g. 256:8,real): run just these")
    ap.add_argument("--seeds", default="0", help="comma-separated seeds of the clips (a synthetic clip per seed; the real clip is one clip)")
    ap.add_argument("--fit-seeds", default="", help="comma-separated fit seeds, each clip fitted old and new once per fit seed "
                    "(default: the clip's seed); with 2 or more, a per-clip verdict from the means over them")
    ap.add_argument("--jobs", type=int, default=1, help="fits at once, each in its own process (2 on a 2-core machine: "
                    "read the CPU-second columns; wall times then include the other fit's competition)")
    args = ap.parse_args(argv)
    if args.scaling:
        res = scaling()
        print(f"new fit, 256 frames / 64 frames (every frame observed): {res['ratio_256_over_64']:.2f}x wall, "
              f"{res['ratio_256_over_64_cpu']:.2f}x CPU")
        path = write_json(Path(args.out).with_name("fit_speed_scaling.json"), {"machine": machine(), **res})
        print(f"wrote {path}")
        return
    ctx = mp.get_context("spawn")
    rows = []
    chosen = [c for c in specs(args.quick) if not args.only
              or ("real" if c["clip"] == "real" else f"{c['n']}:{c['every']}") in args.only.split(",")]
    fit_seeds = [int(f) for f in args.fit_seeds.split(",")] if args.fit_seeds else [None]
    todo = [dict(c, path=p, seed=int(seed), fit_seed=int(seed) if f is None else f, eval_every=0 if p == "old" else 10)
            for c in chosen for seed in args.seeds.split(",") for f in fit_seeds for p in ("old", "new")]
    # a fresh process per fit (max_tasks_per_child): imports and peak memory are each fit's own
    with cf.ProcessPoolExecutor(max_workers=args.jobs, mp_context=ctx, max_tasks_per_child=1) as pool:
        for r in pool.map(run_fit, todo):
            rows.append(r)
            print(f"  {r['clip']:<16} every {r['every']} seed {r['seed']}/{r['fit_seed']}  {r['path']}: {r['wall_s']:.1f} s, "
                  f"{r['steps']} steps, held-out {r['mse_heldout']}, load {r['load_before']:.1f}", file=sys.stderr)
    table = summarise(rows)
    print_table(table, ["clip", "every", "seed", "fit_seed", "old_wall_s", "new_wall_s", "speedup", "speedup_cpu", "old_steps_per_s", "new_steps_per_s",
                        "new_steps", "t_old_loss_s", "old_heldout", "new_heldout", "heldout_ratio", "old_rollout",
                        "new_rollout", "load"])
    means = seed_means(table)
    if len(args.seeds.split(",")) > 1:
        print("\nmean over seeds:")
        print_table(means, ["clip", "every", "seeds", "speedup_cpu", "old_heldout", "new_heldout", "heldout_ratio", "new_steps"])
    verdicts = clip_verdicts(table)
    if len(fit_seeds) > 1 and verdicts:
        print("\nper clip, over the fit seeds (equal: worse by < 2 standard errors of the difference):")
        print_table(verdicts, ["clip", "every", "seed", "fit_seeds", "old_heldout", "old_sd", "new_heldout", "new_sd", "heldout_ratio",
                               "diff_in_se", "verdict"])
    ratio, ratio_cpu = dense_scaling(table)
    if ratio:
        print(f"\nnew fit, 256 frames / 64 frames (every frame observed, means over seeds): {ratio:.2f}x wall, {ratio_cpu:.2f}x CPU")
    path = write_json(args.out, {"machine": machine(), "note": "2-core machine shared with other jobs: ratios within this run count, "
                                 "absolute seconds depend on the load column", "old_settings": OLD,
                                 "scaling_256_over_64": ratio, "scaling_256_over_64_cpu": ratio_cpu, "summary": table, "seed_means": means,
                                 "clip_verdicts": verdicts, "jobs": args.jobs,
                                 "runs": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
