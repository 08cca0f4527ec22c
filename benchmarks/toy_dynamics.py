"""The DynODE paper's Table 1 on the embedded toy world, plus the editing comparison.

    python benchmarks/toy_dynamics.py [--quick] [--seed 0] [--out benchmarks/results/toy_dynamics.json]

Part A (dynamics, image space). A clip of ``--frames`` frames (48; quick 24) is rendered from
the toy world (``dynode_plugin.toy.world.render_clip``: the arm swings, the camera bobs, the
light drifts) and every frame is inverted on its own (``ToyHost.invert``, ``--inversion-steps``
Adam steps from the learned encoder). Two samplings with the same number of observed frames:
"regular" (every ``--every``-th frame plus the last; 4, quick 2) and "irregular" (a seeded random subset,
always with the first and last frame). Each model (DynamicsModel "ode" with its defaults,
LinearDynamics, SplineDynamics; ``--models`` adds "ode-rollout", the paper's prediction from
frame 0 only, left out by default for time) is fitted on the observed codes and times only, predicts codes at every frame time, and the generator
renders them. MSE (x1e-3) and SSIM (x100) against the *real rendered frames*, averaged
separately over observed and unobserved frames. "inversion" = the per-frame inversions
rendered, at observed frames (what any model can at best reproduce there). The paper's
Isaac3D row is printed for reference; its world, generator and resolution differ.

Part B (editing). The whole clip is edited with ``--edit`` (colour=+1) through the
host-agnostic pipeline (``dynode_plugin.pipeline.run_edit``): per-frame (every code edited)
and DynODE (frame 0 edited, the edit propagated; default ``offset`` mode, plus the ``flow``
and ``reintegrate`` modes on the same fitted model and a ``residual="none"`` fit).
Scores with the ``toy-appearance`` encoder:

* TL-ID / TG-ID: STIT's ratios (``dynode_plugin.metrics.identity``), 1 = as consistent as the source;
* flicker: mean over t of mean |y_{t+1} - y_t| over pixels (frames in [0, 1]) of the edited
  clip MINUS the same quantity of the source clip; 0 = the edit added no frame-to-frame change,
  > 0 = added flicker (reported x1e-3);
* vs_per_frame_mse: image MSE (x1e-3) between the row's frames and the per-frame edit.

Times: ``edit_ops_s`` = the editing operations (per-frame: the edit calls; DynODE: fit + edit
of frame 0 + propagate, the fit counted even when reused), ``synth_s`` = rendering,
``end_to_end_s`` = inversion of the clip + edit_ops + synthesis. The machine is shared, so
wall times are upper bounds.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table, write_json  # noqa: E402

PAPER_ISAAC3D = {"sampling": "paper (Isaac3D)", "model": "DynODE", "mse_obs": 15.655, "ssim_obs": 99.2, "mse_unobs": 27.651, "ssim_unobs": 96.5}
TARGET_SSIM_UNOBS = 96.5


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
    from dynode_plugin.metrics.frame import mse, ssim

    out = {}
    for tag, sel in (("obs", mask), ("unobs", ~mask)):
        if sel.any():
            out[f"mse_{tag}"] = float(mse(pred[sel], truth[sel]).mean()) * 1e3
            out[f"ssim_{tag}"] = float(ssim(pred[sel], truth[sel]).mean()) * 100
        else:
            out[f"mse_{tag}"] = out[f"ssim_{tag}"] = None
    return out


def make_model(name: str, ode_kwargs):
    from dynode_plugin import DynamicsModel, LinearDynamics, SplineDynamics

    if name == "ode":
        return DynamicsModel(**ode_kwargs)
    if name == "ode-rollout":  # the paper's prediction: integrate from frame 0 only
        return DynamicsModel(**{**ode_kwargs, "predict": "rollout"})
    return {"linear": LinearDynamics, "spline": SplineDynamics}[name]()


def part_a(host, frames, latents, args, ode_kwargs):
    rows, observed = [], {}
    recon = host.synthesize(latents)
    for sampling, mask in masks(len(frames), args.every, args.seed).items():
        observed[sampling] = [int(i) for i in torch.nonzero(mask).flatten()]
        inv = image_scores(recon, frames, mask)
        rows.append({"sampling": sampling, "model": "inversion", "n_obs": int(mask.sum()),
                     "mse_obs": inv["mse_obs"], "ssim_obs": inv["ssim_obs"], "mse_unobs": None, "ssim_unobs": None})
        for name in args.models.split(","):
            t0 = time.perf_counter()
            model = make_model(name, ode_kwargs).fit(latents, mask=mask, progress=False)
            fit_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            codes = model.predict()
            pred = host.synthesize(codes)
            row = {"sampling": sampling, "model": name, "n_obs": int(mask.sum()), **image_scores(pred, frames, mask),
                   "fit_s": fit_s, "predict_render_s": time.perf_counter() - t0,
                   "latent_mse_unobs": float(((codes[~mask] - latents[~mask]) ** 2).mean())}
            rows.append(row)
            print(f"  A {sampling:<9} {name:<11} fit {fit_s:5.1f} s  SSIM unobserved {row['ssim_unobs']:.2f}", file=sys.stderr)
    return rows, observed


def edit_scores(enc, src, edt, per_frame_frames):
    from dynode_plugin.metrics.frame import mse
    from dynode_plugin.metrics.identity import tg_id, tl_id

    es, ee = enc.embed(src), enc.embed(edt)
    flick = lambda x: float((x[1:] - x[:-1]).abs().mean())  # noqa: E731
    return {"tl_id": tl_id(es, ee).value, "tg_id": tg_id(es, ee).value,
            "flicker_x1e3": (flick(edt) - flick(src)) * 1e3, "edited_flicker_x1e3": flick(edt) * 1e3,
            "vs_per_frame_mse": float(mse(edt, per_frame_frames).mean()) * 1e3}


def part_b(host, frames, latents, invert_s, args, ode_kwargs):
    from dynode_plugin.hosts import parse_edit
    from dynode_plugin.pipeline import run_edit
    from dynode_plugin.propagation import edit_first_and_propagate
    from dynode_plugin.toy.host import ToyAppearanceEncoder

    name, strength = parse_edit(args.edit)
    enc = ToyAppearanceEncoder()
    runs = {}  # label -> (frames, seconds dict, note)
    for label, per_frame, kw in (("per-frame", True, None), ("dynode", False, ode_kwargs),
                                 ("dynode residual=none", False, {**ode_kwargs, "residual": "none"})):
        t0 = time.perf_counter()
        res = run_edit(host, frames, [(name, strength)], per_frame=per_frame, latents=latents, dynamics_kwargs=kw, progress=False)
        runs[label] = (res.edited_frames, dict(res.seconds, wall=time.perf_counter() - t0), "")
        if label == "dynode":
            model, fit_s = res.model, res.seconds["fit"]
        print(f"  B {label:<22} {runs[label][1]['wall']:.1f} s", file=sys.stderr)
    for mode in ("flow", "reintegrate"):  # same fitted model, other propagation modes
        t0 = time.perf_counter()
        prop = edit_first_and_propagate(latents, lambda z: host.edit(z, name, strength), model=model, mode=mode, progress=False)
        t1 = time.perf_counter()
        out = host.synthesize(prop.edited)
        secs = {"fit": fit_s, **prop.seconds, "synthesize": time.perf_counter() - t1}
        runs[f"dynode {mode}"] = (out, dict(secs, wall=fit_s + time.perf_counter() - t0), "fit reused from 'dynode'")
    rows = []
    for label, (out, s, note) in runs.items():
        ops = s.get("edit", 0.0) + s.get("fit", 0.0) + s.get("propagate", 0.0)
        rows.append({"method": label, **edit_scores(enc, frames, out, runs["per-frame"][0]), "edit_ops_s": ops,
                     "synth_s": s["synthesize"], "end_to_end_s": invert_s + ops + s["synthesize"], "seconds": s, "note": note})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="24 frames, 40 inversion steps, 300 fit steps (~2 min)")
    ap.add_argument("--seed", type=int, default=0, help="scene seed and irregular-sampling seed")
    ap.add_argument("--frames", type=int, default=None, help="clip length (default 48; quick 24)")
    ap.add_argument("--every", type=int, default=None,
                    help="regular sampling: observe every k-th frame + the last (default 4; quick 2: 13 observations of the same motion either way)")
    ap.add_argument("--inversion-steps", type=int, default=None, help="Adam steps per inversion (default 100; quick 40)")
    ap.add_argument("--ode-steps", type=int, default=None, help="DynamicsModel fit steps (default: its own, 800; quick 300)")
    ap.add_argument("--models", default="ode,linear,spline", help="subset of ode,ode-rollout,linear,spline")
    ap.add_argument("--straightness", type=float, default=None, help="DynamicsModel path-energy penalty (default: its own, 0)")
    ap.add_argument("--edit", default="colour=+1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "toy_dynamics.json"))
    args = ap.parse_args(argv)
    args.frames = args.frames or (24 if args.quick else 48)
    args.every = args.every or (2 if args.quick else 4)
    args.inversion_steps = args.inversion_steps or (40 if args.quick else 100)
    args.ode_steps = args.ode_steps or (300 if args.quick else None)
    ode_kwargs = {"steps": args.ode_steps} if args.ode_steps else {}
    if args.straightness is not None:
        ode_kwargs["straightness"] = args.straightness
    torch.set_num_threads(args.threads)

    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.toy.inverter import psnr
    from dynode_plugin.toy.world import render_clip

    t_start = time.perf_counter()
    host = ToyHost(inversion_steps=args.inversion_steps)
    frames = render_clip(args.frames, args.seed)
    t0 = time.perf_counter()
    latents = host.invert(frames, progress=False)
    invert_s = time.perf_counter() - t0
    recon = host.synthesize(latents)
    inversion = {"steps": args.inversion_steps, "seconds": invert_s, "psnr_db": float(psnr(recon, frames).mean()),
                 **{k.replace("obs", "all"): v for k, v in image_scores(recon, frames, torch.ones(len(frames), dtype=torch.bool)).items()
                    if not k.endswith("unobs")}}
    print(f"  inverted {args.frames} frames in {invert_s:.1f} s, PSNR {inversion['psnr_db']:.1f} dB", file=sys.stderr)

    rows_a, observed = part_a(host, frames, latents, args, ode_kwargs)
    rows_b = part_b(host, frames, latents, invert_s, args, ode_kwargs)

    print(f"\nPart A: rendered predictions vs the real frames ({args.frames} frames, every {args.every}th observed; "
          f"MSE x1e-3, SSIM x100)\n")
    print_table(rows_a + [PAPER_ISAAC3D], ["sampling", "model", "n_obs", "mse_obs", "ssim_obs", "mse_unobs", "ssim_unobs", "fit_s"])
    print(f"\nPart B: edit {args.edit} on all {args.frames} frames (toy-appearance encoder; flicker x1e-3 over the source's)\n")
    print_table(rows_b, ["method", "tl_id", "tg_id", "flicker_x1e3", "vs_per_frame_mse", "edit_ops_s", "synth_s", "end_to_end_s"])

    ode_rows = [r for r in rows_a if r["model"] == "ode"]
    tg = {r["method"]: r["tg_id"] for r in rows_b}
    targets = {
        "ssim_unobs_ge_96.5": {r["sampling"]: r["ssim_unobs"] >= TARGET_SSIM_UNOBS for r in ode_rows},
        # offset propagation with every frame observed and a linear edit gives per-frame's latents
        # exactly (docs/toy.md), so a tie up to float rounding counts as met
        "dynode_tg_id_ge_per_frame": tg["dynode"] >= tg["per-frame"] - 1e-6,
        "dynode_tg_id_minus_per_frame": tg["dynode"] - tg["per-frame"],
    }
    print(f"\ntargets: {targets}")
    payload = {"settings": {k: v for k, v in vars(args).items() if k != "out"} | {"ode_kwargs": ode_kwargs},
               "machine": machine(), "inversion": inversion, "observed_frames": observed, "part_a": rows_a, "paper_isaac3d": PAPER_ISAAC3D,
               "part_b": rows_b, "targets": targets, "seconds_total": time.perf_counter() - t_start}
    print(f"wrote {write_json(args.out, payload)} ({payload['seconds_total']:.0f} s)")


if __name__ == "__main__":
    main()
