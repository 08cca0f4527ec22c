"""Invert 1 frame in K: what it saves end to end, and what the filled frames look like.

    python benchmarks/sparse_inversion.py [--quick] [--frames 48 96] [--every 1 2 4 8] [--stit-root PATH|fake]
                                         [--out benchmarks/results/sparse_inversion.json]

Toy world. A clip of N frames is rendered (``render_clip``), in two scenarios: "regular", and
"fail10" where a seeded 10% of the frames are blanked so the toy detector fails on them (they
are never inverted; the model fills them). For each K, ``run_edit`` with ``--every K`` inverts
the selected frames only, fits the dynamics model on them at their true times, edits frame 0
(``--edit``) and renders every frame. The same sparse inversions are then filled by linear and
spline interpolation (``LinearDynamics``/``SplineDynamics``) through the same pipeline.

Columns: ``inv_s`` inversion seconds; ``e2e_s`` detect + inversion + fit + edit + propagate +
render; ``e2e_cpu_s`` the same in CPU seconds of this process (the machine is shared: ratios of CPU
seconds move much less with the other jobs' load than ratios of wall seconds); ``x_k1`` (``x_k1_cpu``)
= e2e of DynODE at K=1 / this e2e; ``x_classic`` (``x_classic_cpu``) = e2e of the classic per-frame
pipeline (every frame inverted and edited, no fit: the fastest way to edit every frame) / this
e2e. MSE (x1e-3) and SSIM (x100) of the source latents rendered (inverted at observed frames,
filled at the others) against the *real* frames, observed and unobserved separately (a blanked
frame is compared with its real rendering). TL-ID/TG-ID (toy-appearance encoder, 1 = as
consistent as the source) and flicker (x1e-3, the edited clip's mean |y_t+1 - y_t| minus the
source's) of the edited video.

``--tcsve-root`` (a real VideoEditGAN checkout; ``--frames 0`` skips the toy world): times
``dynode tcsve invert`` at K=1 and K=4 (wall and CPU seconds) on random weights of the checkout's own
e4e and a small StyleGAN2-ADA generator (``tcsve_builders.make_real_inversion_models``).

``--stit-root`` (your STIT checkout, or ``fake`` for tests/fakes/stit): times STIT's own train.py
alone and through ``dynode stit train`` at K=1 and K=4, random weights of the checkout's own e4e
and StyleGAN2-ADA classes, on the first ``--stit-frames`` frames of a real face video
(``--stit-video``, default ../shared/data/aamir_khan_clip.mp4): alignment, e4e + PTI and the fit
apart, wall and CPU seconds (``host_inversion.stit_timing``). The machine is shared: load is recorded.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, machine, print_table, write_json  # noqa: E402
from host_inversion import stit_timing, tcsve_timing  # noqa: E402
from toy_dynamics import image_scores  # noqa: E402

TARGETS = {"speedup_48_k4": 3.0, "ssim_unobs_min": 96.5, "stit_k4_over_k1_max": 0.35}


def failing_frames(n: int, fraction: float, seed: int):
    g = torch.Generator().manual_seed(seed)
    return sorted(int(i) for i in torch.randperm(n, generator=g)[: max(1, round(fraction * n))])


def edit_scores(enc, frames, edited):
    """TL-ID/TG-ID of the edited clip and its flicker beyond the source's (x1e-3), from the metrics registry."""
    from dynode_plugin.toy.evaluation import scores

    s = scores(frames, edited, enc)
    return {"tl_id": s["tl_id"], "tg_id": s["tg_id"], "flicker_x1e3": s["added_flicker_x1e3"],
            "edit_flicker_x1e3": s["edit_flicker_x1e3"]}


def run_clip(host, frames, failed, ks, edit, ode_kwargs, enc):
    from dynode_plugin.frame_selection import SelectionSpec
    from dynode_plugin.pipeline import run_edit

    clip = frames.clone()
    clip[failed] = 0.5  # no scene: the toy detector fails here
    inv_cpu = cpu_meter(host)
    rows, classic = [], None
    if not failed:  # the classic per-frame pipeline: every frame inverted and edited, no fit
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_edit(host, clip, [edit], per_frame=True, progress=False)
        classic = {"e2e_s": time.perf_counter() - t0, "e2e_cpu_s": time.process_time() - c0, "frames": res.edited_frames,
                   "inv_s": res.seconds["invert"], "load_1m": os.getloadavg()[0]}
    for k in ks:
        inv_cpu["s"] = 0.0
        t0, c0 = time.perf_counter(), time.process_time()
        res = run_edit(host, clip, [edit], selection=SelectionSpec(every=k), dynamics_kwargs=ode_kwargs, progress=False)
        e2e, e2e_cpu, k_inv_cpu = time.perf_counter() - t0, time.process_time() - c0, inv_cpu["s"]
        sel = res.selection
        mask, inv_s = sel.mask(), res.seconds["invert"]
        observed = torch.zeros_like(res.source_latents)
        observed[mask] = res.source_latents[mask]
        variants = [("dynode", res, e2e, e2e_cpu)]
        for model_id in ("linear", "spline"):  # the same sparse inversions, filled by interpolation
            t0, c0 = time.perf_counter(), time.process_time()
            r = run_edit(host, clip, [edit], latents=observed, times=sel.times_tensor(), mask=mask, model_id=model_id, progress=False)
            variants.append((model_id, r, inv_s + res.seconds.get("detect", 0.0) + time.perf_counter() - t0,
                             k_inv_cpu + time.process_time() - c0))
        for name, r, wall, cpu in variants:
            row = {"K": k, "model": name, "inverted": len(sel.selected), "filled": len(sel.unobserved), "inv_s": inv_s,
                   "inv_cpu_s": k_inv_cpu, "fit_s": r.seconds.get("fit"), "e2e_s": wall, "e2e_cpu_s": cpu,
                   **image_scores(host.synthesize(r.source_latents), frames, mask),
                   **edit_scores(enc, frames, r.edited_frames)}
            row["steps_per_s"] = getattr(getattr(r.model, "report", None), "steps_per_second", None)
            row["load_1m"] = os.getloadavg()[0]  # the machine is shared: the load beside every timing
            rows.append(row)
        print(f"    K={k}: inverted {len(sel.selected)}, e2e {e2e:.1f} s wall / {e2e_cpu:.1f} s CPU (inversion {inv_s:.1f} s, "
              f"fit {res.seconds.get('fit', 0):.1f} s), load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    base = next(r for r in rows if r["K"] == ks[0] and r["model"] == "dynode")
    for r in rows:
        r["x_k1"], r["x_k1_cpu"] = base["e2e_s"] / r["e2e_s"], base["e2e_cpu_s"] / r["e2e_cpu_s"]
        r["x_classic"] = classic["e2e_s"] / r["e2e_s"] if classic else None
        r["x_classic_cpu"] = classic["e2e_cpu_s"] / r["e2e_cpu_s"] if classic else None
    return rows, ({k: v for k, v in classic.items() if k != "frames"} if classic else None)


def cpu_meter(host):
    """Count the CPU seconds of the host's inversion (the shared machine makes wall time noisy:
    CPU seconds of this process are what the ratios are robust on)."""
    spent = {"s": 0.0}
    invert = host.invert

    def timed(frames, progress=True):
        c0 = time.process_time()
        try:
            return invert(frames, progress=progress)
        finally:
            spent["s"] += time.process_time() - c0
    host.invert = timed
    return spent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="24 frames, K=1,4, 40 inversion steps, 200 fit steps")
    ap.add_argument("--frames", type=int, nargs="+", default=None, help="clip lengths (default 48 96)")
    ap.add_argument("--every", type=int, nargs="+", default=None, help="K values (default 1 2 4 8; the first is the reference)")
    ap.add_argument("--inversion-steps", type=int, default=None, help="toy inversion Adam steps (default 100, as toy_dynamics.py)")
    ap.add_argument("--ode-steps", type=int, default=None, help="DynamicsModel fit steps (default: its own)")
    ap.add_argument("--fail", type=float, default=0.1, help="fraction of frames failing detection in the 'fail' scenario")
    ap.add_argument("--scenarios", nargs="+", choices=["regular", "fail"], default=["regular", "fail"])
    ap.add_argument("--edit", default="colour=+1")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: the tiny ops run fastest on a loaded machine)")
    ap.add_argument("--stit-root", default=None, help="a STIT checkout or 'fake': time train.py at K=1 vs K=4")
    ap.add_argument("--stit-frames", type=int, default=13, help="frames of the video (13: K=4 inverts 0, 4, 8, 12)")
    ap.add_argument("--stit-pti-steps", type=int, default=3)
    ap.add_argument("--stit-video", default=str(SHARED / "aamir_khan_clip.mp4"), help="a face video (real checkout)")
    ap.add_argument("--no-stit-alone", action="store_true", help="skip the run of STIT's train.py without dynode")
    ap.add_argument("--tcsve-root", default=None, help="a real VideoEditGAN checkout: time `dynode tcsve invert` at K=1 vs K=4")
    ap.add_argument("--tcsve-frames", type=int, default=9)
    ap.add_argument("--tcsve-pti-steps", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "sparse_inversion.json"))
    a = ap.parse_args(argv)
    a.frames = [] if a.frames == [0] else (a.frames or ([24] if a.quick else [48, 96]))
    a.every = a.every or ([1, 4] if a.quick else [1, 2, 4, 8])
    a.inversion_steps = a.inversion_steps or (40 if a.quick else 100)
    ode_kwargs = {"steps": a.ode_steps or (200 if a.quick else None)}
    ode_kwargs = {k: v for k, v in ode_kwargs.items() if v is not None} or None
    torch.set_num_threads(a.threads)

    from dynode_plugin.hosts import parse_edit
    from dynode_plugin.toy.host import ToyAppearanceEncoder, ToyHost
    from dynode_plugin.toy.world import render_clip

    load_before = machine()["load_avg"]
    t_start = time.perf_counter()
    host, enc, edit = ToyHost(inversion_steps=a.inversion_steps), ToyAppearanceEncoder(), parse_edit(a.edit)
    rows, classic, failures = [], {}, {}
    for n in a.frames:
        frames = render_clip(n, a.seed)
        for scenario in a.scenarios:
            failed = failing_frames(n, a.fail, a.seed + n) if scenario == "fail" else []
            failures[f"{n}/{scenario}"] = failed
            print(f"  N={n} {scenario}: {len(failed)} frames failing detection", file=sys.stderr)
            got, cl = run_clip(host, frames, failed, a.every, edit, ode_kwargs, enc)
            rows += [{"N": n, "scenario": scenario, **r} for r in got]
            if cl:
                classic[n] = cl
    stit = (stit_timing(a.stit_root, a.stit_frames, a.stit_pti_steps, video=a.stit_video, alone=not a.no_stit_alone)
            if a.stit_root else None)
    tcsve = tcsve_timing(a.tcsve_root, a.tcsve_frames, a.tcsve_pti_steps) if a.tcsve_root else None

    cols = ["N", "scenario", "K", "model", "inverted", "inv_s", "fit_s", "e2e_s", "e2e_cpu_s", "x_k1", "x_k1_cpu", "x_classic",
            "x_classic_cpu", "mse_obs", "ssim_obs",
            "mse_unobs", "ssim_unobs", "tl_id", "tg_id", "flicker_x1e3", "edit_flicker_x1e3", "steps_per_s"]
    print(f"\nSparse inversion, toy world ({a.inversion_steps} inversion steps; MSE x1e-3, SSIM x100; classic per-frame e2e: "
          + ", ".join(f"N={n} {c['e2e_s']:.1f} s" for n, c in classic.items()) + ")\n")
    if rows:
        print_table(rows, cols)
    if tcsve:
        print(f"\nTCSVE dynode tcsve invert ({tcsve['checkout']}, {tcsve['frames']} frames): K=4 / K=1 = "
              f"{tcsve['k4_over_k1_cpu']:.2f} in CPU seconds, {tcsve['k4_over_k1_wall']:.2f} in wall seconds")
    if stit:
        r = stit["k4_over_k1"]
        print(f"\nSTIT train.py ({stit['checkout']}, {stit['frames']} frames): e4e + PTI at K=4 / K=1 = {r['inversion_cpu']:.2f} "
              f"in CPU seconds ({r['inversion_wall']:.2f} wall; with the fit {r['inversion_and_fit_cpu']:.2f}); whole script "
              f"{r['script_cpu']:.2f} CPU / {r['script_wall']:.2f} wall")

    def pick(n, k, model, scen="regular"):
        return next((r for r in rows if r["N"] == n and r["K"] == k and r["model"] == model and r["scenario"] == scen), None)

    targets = {}
    d4 = pick(48, 4, "dynode")
    if d4:
        best_interp = max(pick(48, 4, m)["ssim_unobs"] for m in ("linear", "spline"))
        targets = {"speedup_48_k4_vs_k1": d4["x_k1"], "speedup_48_k4_vs_k1_cpu": d4["x_k1_cpu"],
                   "speedup_48_k4_vs_classic": d4["x_classic"], "speedup_48_k4_vs_classic_cpu": d4["x_classic_cpu"],
                   "speedup_target": TARGETS["speedup_48_k4"],
                   "ssim_unobs_48_k4": d4["ssim_unobs"], "ssim_unobs_target": TARGETS["ssim_unobs_min"],
                   "best_interpolation_ssim_unobs_48_k4": best_interp,
                   "met": {"speedup_vs_k1_cpu": d4["x_k1_cpu"] >= TARGETS["speedup_48_k4"],
                           "speedup_vs_classic_cpu": d4["x_classic_cpu"] >= TARGETS["speedup_48_k4"],
                           "speedup_vs_classic_wall": d4["x_classic"] >= TARGETS["speedup_48_k4"],
                           "ssim": d4["ssim_unobs"] >= TARGETS["ssim_unobs_min"] and d4["ssim_unobs"] >= best_interp - 1e-9}}
    if stit:
        targets["stit_k4_over_k1"] = stit["k4_over_k1_inversion"]
        targets.setdefault("met", {})["stit"] = stit["k4_over_k1_inversion"] <= TARGETS["stit_k4_over_k1_max"]
    path = write_json(a.out, {"settings": vars(a), "ode_kwargs": ode_kwargs, "machine": machine(), "load_avg_at_start": load_before,
                              "note": "shared 2-core machine, loaded by other jobs while this ran: wall times are upper bounds",
                              "failing_frames": failures, "classic_per_frame": classic, "rows": rows, "stit": stit, "tcsve": tcsve,
                              "targets": targets, "seconds_total": time.perf_counter() - t_start})
    print(f"\ntargets: {targets}\nwrote {path}")


if __name__ == "__main__":
    main()
