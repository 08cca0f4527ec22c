"""The toy world: DynODE's edits against per-frame editing, on realistic (jittery) inversions,
plus the DynODE paper's Table 1.

    python benchmarks/toy_dynamics.py [--quick] [--seeds 0,1,2,3,4] [--parts b,a,x] [--out benchmarks/results/toy_dynamics.json]

Part B (editing; the default). For each seed, a ``--frames`` clip (48) is rendered
(``toy.world.render_clip``) and every frame inverted on its own. The realistic setting
(one e4e-style encoder pass of each frame seen through independent pixel noise ``--jitter``,
``toy.inverter.REALISTIC_JITTER`` = 0.12, calibrated so the codes are as rough as real inversions by
``benchmarks/toy_jitter_calibration.py``: each code carries its own jitter) runs
on every seed; the clean setting (100 Adam steps per frame, 43 dB) is kept as a row on the
first seed. One DynamicsModel is fitted per clip (every frame observed, its defaults; plus the
smoothing fit ``--smooth-fit``, ``toy.evaluation.SMOOTH_FIT``, whose smooth trajectory is scored too), and
each edit (``--edits``: the linear ``colour=+1`` and the learned mapper ``colour-mapper=+1``)
is applied every way (``dynode_plugin.toy.evaluation.edit_rows``):

* per-frame: every code edited (the mapper: one network call per code);
* gaussian: a Gaussian filter over time of the per-frame edited codes, at sigma 1.5 frames (DynODE
  smooth's default window) and at ``--sigmas`` (2, 3, 4; 3 = the smoothing fit's window): the strongest
  baseline is the best of them;
* DynODE offset (default propagation: observed codes + frame 0's edit step), smooth (the
  model's smooth trajectory: ``--smooth``, window ``smooth_sigma`` 1.5 and ``--smooth-sigmas``), flow, reintegrate.

``clean_edit_mse_x1e3``: image MSE against the per-frame edit of the same frames' jitter-free codes
(encoder without the pixel noise): what the edit should look like; smoothing that lags or blurs the
motion moves away from it, smoothing that removes only the jitter moves towards it.

Scores from the metrics registry (``toy-appearance`` encoder, ``toy-attributes`` regressor):
TL-ID, TG-ID, identity preservation, attribute strength (regressor change of the edited
attribute, mean over frames), flicker (mean |y_{t+1} - y_t|, x1e-3) and edit flicker
(mean |(y_{t+1}-y_t) - (x_{t+1}-x_t)|, x1e-3: what the edit and the jitter add to the source's
own change; the flicker target is judged on it). Rows are means over seeds.
``edit_ops_s``: per-frame = the edit calls on all frames; DynODE = fit + edit of frame 0 +
propagate. The crossover is the clip length above which DynODE's edit ops are cheaper than the
per-frame mapper: fit seconds / per-frame mapper seconds per frame (propagation is a few ms).

Parts A (``--parts a``; the paper's Table 1, 5 seeds, every 4th and 8th frame, regular and
irregular) and X (``--parts x``; extrapolation past the last observation): DynODE with and without
the toy motion prior beside linear, spline, linear@sub and spline@sub on the same clips
(``benchmarks/toy_table1.py``).

The machine is shared: wall times are upper bounds; the load is recorded in the JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table, write_json  # noqa: E402
from toy_table1 import image_scores, masks  # noqa: E402,F401  (other benchmarks import them from here)

PAPER_ISAAC3D = {"sampling": "paper (Isaac3D)", "model": "DynODE", "mse_obs": 15.655, "ssim_obs": 99.2, "mse_unobs": 27.651, "ssim_unobs": 96.5}
TARGET_SSIM_UNOBS = 96.5


def part_b(args, ode_kwargs):
    from dynode_plugin.dynamics.model import DynamicsModel
    from dynode_plugin.hosts import parse_edit
    from dynode_plugin.toy.evaluation import edit_rows, jitter_stats
    from dynode_plugin.toy.host import ToyAppearanceEncoder, ToyHost
    from dynode_plugin.toy.inverter import psnr
    from dynode_plugin.toy.world import render_clip

    appearance = ToyAppearanceEncoder()
    runs, clips = [], []
    settings = [("realistic", "encoder", None, args.jitter, args.seeds)]
    if not args.no_clean:
        settings.append(("clean", "optimize", args.inversion_steps, 0.0, args.seeds[:1]))
    for setting, inversion, steps, jitter, seeds in settings:
        host = ToyHost(inversion=inversion, inversion_steps=steps, jitter=jitter)
        for seed in seeds:
            frames = render_clip(args.frames, seed)
            t0 = time.perf_counter()
            latents = host.invert(frames, progress=False)
            invert_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            model = DynamicsModel(**ode_kwargs).fit(latents, progress=False)
            fit_s = time.perf_counter() - t0
            smooth_models, smooth_fit_s = {}, None
            if args.smooth_fit:  # a second fit, with a field that cannot follow each code's jitter, for smoothing
                t0 = time.perf_counter()
                smooth_models[args.smooth_fit_label] = DynamicsModel(**{**ode_kwargs, **args.smooth_fit}).fit(latents, progress=False)
                smooth_fit_s = time.perf_counter() - t0
                print(f"  B {setting:<9} seed {seed}: smoothing fit {args.smooth_fit_label} in {smooth_fit_s:.1f} s", file=sys.stderr)
            clips.append({"setting": setting, "seed": seed, "invert_s": invert_s, "fit_s": fit_s,
                          "smooth_fit_s": smooth_fit_s,
                          "psnr_db": float(psnr(host.synthesize(latents), frames).mean()), **jitter_stats(latents)})
            print(f"  B {setting:<9} seed {seed}: inverted in {invert_s:.1f} s, fitted in {fit_s:.1f} s", file=sys.stderr)
            # the same frames without the pixel noise: the per-frame edit of these codes is the jitter-free reference
            clean = ToyHost(inversion=inversion, inversion_steps=steps).invert(frames, progress=False) if jitter else latents
            for spec in args.edits.split(","):
                rows, _ = edit_rows(host, frames, latents, parse_edit(spec), model, appearance, sigma=args.sigma,
                                    sigmas=args.sigmas, smooth_sigmas=args.smooth_sigmas, clean=clean, smooth_models=smooth_models)
                runs += [{"setting": setting, "edit": spec, "seed": seed, **r} for r in rows]
    return runs, clips


def mean_rows(runs):
    """Means over seeds of every numeric column, per (setting, edit, method)."""
    keys = []
    for r in runs:
        k = (r["setting"], r["edit"], r["method"])
        if k not in keys:
            keys.append(k)
    out = []
    for k in keys:
        group = [r for r in runs if (r["setting"], r["edit"], r["method"]) == k]
        row = {"setting": k[0], "edit": k[1], "method": k[2], "seeds": len(group)}
        for col, v in group[0].items():
            if isinstance(v, float):
                row[col] = sum(g[col] for g in group) / len(group)
        out.append(row)
    return out


def targets(rows, clips, edit, frames, method="dynode smooth", window=1.5):
    """The issue's targets on the realistic setting: DynODE smooth (``method``, its ``smooth_sigma`` ``window``) against
    per-frame and the Gaussian filter (at the same window when that row exists, else the first one, and the best)."""
    pick = [r for r in rows if r["setting"] == "realistic" and r["edit"] == edit]
    per = next(r for r in pick if r["method"] == "per-frame")
    dyn = next(r for r in pick if r["method"] == method)
    gauss = next((r for r in pick if r["method"] == f"gaussian sigma={window:g}"),
                 next(r for r in pick if r["method"].startswith("gaussian")))
    best = min((r for r in pick if r["method"].startswith("gaussian")), key=lambda r: r["edit_flicker_x1e3"])
    out = {
        "edit": edit,
        "method": method,
        "gaussian_same_window": gauss["method"],
        "edit_flicker_ratio_dynode_over_per_frame": dyn["edit_flicker_x1e3"] / per["edit_flicker_x1e3"],
        "edit_flicker_le_half_per_frame": dyn["edit_flicker_x1e3"] <= 0.5 * per["edit_flicker_x1e3"],
        "tl_id_ge_per_frame": dyn["tl_id"] >= per["tl_id"],
        "tg_id_ge_per_frame": dyn["tg_id"] >= per["tg_id"],
        "identity_preservation_ge_per_frame": dyn["identity_preservation"] >= per["identity_preservation"],
        "edit_flicker_le_gaussian": dyn["edit_flicker_x1e3"] <= gauss["edit_flicker_x1e3"],
        "best_gaussian": best["method"],
        "edit_flicker_ratio_dynode_over_best_gaussian": dyn["edit_flicker_x1e3"] / best["edit_flicker_x1e3"],
        "edit_flicker_le_best_gaussian": dyn["edit_flicker_x1e3"] <= best["edit_flicker_x1e3"],
    }
    if "clean_edit_mse_x1e3" in dyn:  # closer to the jitter-free edit than the filter (no lag, no blur)?
        out.update(clean_edit_mse_dynode=dyn["clean_edit_mse_x1e3"], clean_edit_mse_gaussian=gauss["clean_edit_mse_x1e3"],
                   clean_edit_mse_best_gaussian=best["clean_edit_mse_x1e3"], clean_edit_mse_per_frame=per["clean_edit_mse_x1e3"])
    if "attribute_strength" in dyn:
        ratio = dyn["attribute_strength"] / per["attribute_strength"]
        out.update(attribute_strength_ratio=ratio, attribute_within_10pct=abs(ratio - 1) <= 0.10,
                   gaussian_attribute_strength_ratio=gauss["attribute_strength"] / per["attribute_strength"])
    # edit ops: per-frame c*N; DynODE fit + (frame-0 edit + propagation p*N); crossover where they meet
    key = "fit_s" if method == "dynode smooth" else "smooth_fit_s"  # the fit this row's trajectory comes from
    fit_s = sum(c[key] for c in clips if c["setting"] == "realistic") / sum(c["setting"] == "realistic" for c in clips)
    c, p = per["edit_ops_s"] / frames, max(0.0, dyn["edit_ops_s"] - fit_s) / frames
    out.update(fit_s=fit_s, per_frame_edit_s_per_frame=c, dynode_propagate_s_per_frame=p,
               crossover_frames=fit_s / (c - p) if c > p else None)
    return out


def part_a_x(args, ode_kwargs):
    """Parts A and X (benchmarks/toy_table1.py): tables printed, JSON fields returned."""
    import toy_table1 as A

    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.toy.prior import shipped_prior_path

    prior = args.prior or str(shipped_prior_path())
    out = {"prior": prior, **A.check_unseen(prior, args.seeds)}
    host = ToyHost(inversion=args.part_a_inversion, inversion_steps=args.inversion_steps if args.part_a_inversion != "encoder" else None)
    cols = ["mse_unobs", "ssim_unobs", "fit_s", "steps_per_s", "latent_mse_unobs"]
    if "a" in args.parts:
        rows = A.run_table(host, args, ode_kwargs, prior)
        mean = A.means(rows, ["every", "sampling", "model"], cols)
        print(f"\nPart A ({args.part_a_inversion} inversion): rendered predictions vs the real frames at unobserved times, "
              f"mean over seeds {args.seeds} ({args.frames} frames; MSE x1e-3, SSIM x100)\n")
        print_table(mean + [PAPER_ISAAC3D], ["every", "sampling", "model", "seeds"] + cols)
        out.update(part_a_runs=rows, part_a=mean, part_a_targets=A.targets(mean), paper_isaac3d=PAPER_ISAAC3D)
        if out["part_a_targets"]:  # empty when --models leaves ode+prior out
            print("\ntargets (ode+prior vs the best baseline, per setting):")
            print_table(out["part_a_targets"], ["every", "sampling", "best_baseline", "mse_ratio", "mse_10pct_lower", "ssim_higher", "ode_mse_ratio"])
        out["part_a_targets_unobs"] = A.targets(mean, "ode+prior+unobs", "ode+unobs")  # with ToyHost.unobserved_loss
        if out["part_a_targets_unobs"]:
            print("\ntargets with the unobserved-frame loss (ode+prior+unobs; ode_mse_ratio: ode+unobs):")
            print_table(out["part_a_targets_unobs"], ["every", "sampling", "best_baseline", "mse_ratio", "mse_10pct_lower",
                                                      "ssim_higher", "ode_mse_ratio"])
    if "x" in args.parts:
        rows = A.run_extrapolation(host, args, ode_kwargs, prior)
        mean = A.means(rows, ["model"], ["mse_future", "ssim_future", "n_obs", "n_future"])
        print(f"\nPart X: frames after the last observation (every 4th of the first {args.extrap_observed} frames observed), mean over seeds\n")
        print_table(mean, ["model", "seeds", "n_obs", "n_future", "mse_future", "ssim_future"])
        best = min((r for r in mean if r["model"] in A.BASELINES), key=lambda r: r["mse_future"])
        roll = next((r for r in mean if r["model"] == "ode-rollout+prior"), None)
        out.update(part_x_runs=rows, part_x=mean, part_x_target={
            "best_baseline": best["model"], "rollout_prior_mse_ratio": roll["mse_future"] / best["mse_future"] if roll else None})
        print(f"\npart X target: {out['part_x_target']}")
    return out


def main(argv=None):
    from dynode_plugin.dynamics.config import ODEConfig
    from dynode_plugin.toy.evaluation import SMOOTH_FIT
    from dynode_plugin.toy.inverter import REALISTIC_JITTER

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="24 frames, 2 seeds, 40 inversion steps, 300 fit steps")
    ap.add_argument("--seeds", default=None, help="scene seeds (default 0,1,2,3,4; quick 0,1); the first is also the irregular-sampling seed")
    ap.add_argument("--parts", default="b", help="b (editing), a (the paper's Table 1), x (extrapolation), or several: a,x,b")
    ap.add_argument("--part-a-inversion", default="encoder", choices=["encoder", "few-step", "optimize"],
                    help="part A/X inversion (encoder: the codes the toy prior was trained on; optimize: 5 min per clip here)")
    ap.add_argument("--prior", default=None, help="motion prior for the ode+prior rows (default: the shipped toy prior)")
    ap.add_argument("--extrap-observed", type=int, default=32, help="part X: every 4th of the first N frames observed; the frames after the last observation predicted")
    ap.add_argument("--no-clean", action="store_true", help="skip the clean-inversion row of part B")
    ap.add_argument("--jitter", type=float, default=REALISTIC_JITTER, help="realistic setting: pixel noise each frame is encoded through "
                    "(toy.inverter.REALISTIC_JITTER, calibrated by benchmarks/toy_jitter_calibration.py)")
    ap.add_argument("--sigma", type=float, default=1.5, help="Gaussian baseline's sigma in frames (DynODE smooth's default window)")
    ap.add_argument("--sigmas", default="2,3,4", help="more Gaussian sigmas (the strongest baseline is the best of them; 3 = the smoothing fit's window)")
    ap.add_argument("--smooth-fit", default=",".join(f"{k}={v}" for k, v in SMOOTH_FIT.items()),
                    help="settings of a second fit whose smooth trajectory is also scored ('' = none): a smaller, shorter "
                         "fit cannot follow each code's jitter, so its flow-carried neighbours average it out")
    ap.add_argument("--smooth-sigmas", default="1.5", help="more DynODE smooth windows (smooth_sigma, observed gaps; each fit's own is a row anyway)")
    ap.add_argument("--frames", type=int, default=None, help="clip length (default 48; quick 24)")
    ap.add_argument("--every", default=None, help="part A: observe every k-th frame + the last, for each k (default 4,8; quick 2)")
    ap.add_argument("--inversion-steps", type=int, default=None, help="Adam steps per inversion (default 100; quick 40)")
    ap.add_argument("--ode-steps", type=int, default=None, help="DynamicsModel fit steps (default: its own, 800; quick 300)")
    ap.add_argument("--models", default="ode,ode+prior,ode+unobs,ode+prior+unobs,linear,spline,linear@sub,spline@sub",
                    help="part A: subset of ode,ode+prior,ode+unobs,ode+prior+unobs,ode-rollout,linear,spline,linear@sub,spline@sub")
    ap.add_argument("--unobserved-loss", type=float, default=300.0,
                    help="part A's +unobs models: weight of ToyHost.unobserved_loss (pixel MSE at the unobserved frames)")
    ap.add_argument("--unobserved-per-step", type=int, default=1, help="part A's +unobs models: unobserved frames rendered per fit step")
    ap.add_argument("--unobserved-start", type=float, default=0.0, help="part A's +unobs models: fraction of the fit's steps before the loss starts")
    ap.add_argument("--extrap-models", default="ode-rollout+prior,ode+prior,ode-rollout,linear,spline,linear@sub,spline@sub",
                    help="part X's models (ode+prior: anchored, i.e. from the last observation on)")
    ap.add_argument("--straightness", type=float, default=None, help="DynamicsModel path-energy penalty (default: its own, 0)")
    ap.add_argument("--edits", default="colour=+1,colour-mapper=+1")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "toy_dynamics.json"))
    args = ap.parse_args(argv)
    args.frames = args.frames or (24 if args.quick else 48)
    args.seeds = [int(x) for x in (args.seeds or ("0,1" if args.quick else "0,1,2,3,4")).split(",")]
    args.seed = args.seeds[0]
    args.sigmas = [float(x) for x in args.sigmas.split(",") if x]
    args.smooth_fit_label = f"({args.smooth_fit})" if args.smooth_fit else ""
    args.smooth_fit = {k: (float(v) if "." in v else int(v)) for k, v in (kv.split("=") for kv in args.smooth_fit.split(",") if kv)}
    args.smooth_sigmas = [float(x) for x in args.smooth_sigmas.split(",") if x]
    args.everies = [int(x) for x in (args.every or ("2" if args.quick else "4,8")).split(",")]
    args.models, args.extrap_models = args.models.split(","), args.extrap_models.split(",")
    args.inversion_steps = args.inversion_steps or (40 if args.quick else 100)
    args.ode_steps = args.ode_steps or (300 if args.quick else None)
    ode_kwargs = {"steps": args.ode_steps} if args.ode_steps else {}
    if args.straightness is not None:
        ode_kwargs["straightness"] = args.straightness
    torch.set_num_threads(args.threads)

    t_start = time.perf_counter()
    payload = {"settings": {k: v for k, v in vars(args).items() if k != "out"} | {"ode_kwargs": ode_kwargs}, "machine": machine()}
    if "b" in args.parts:
        runs, clips = part_b(args, ode_kwargs)
        rows = mean_rows(runs)
        print(f"\nPart B: edits on {args.frames}-frame clips, mean over seeds (x1e-3 flicker; attribute = regressor change)\n")
        print_table(rows, ["setting", "edit", "method", "seeds", "tl_id", "tg_id", "identity_preservation", "attribute_strength",
                           "edit_flicker_x1e3", "flicker_x1e3", "clean_edit_mse_x1e3", "edit_ops_s"])
        print("\nclips:")
        print_table(clips, ["setting", "seed", "psnr_db", "jitter_index", "roughness", "invert_s", "fit_s"])
        payload.update(part_b_runs=runs, part_b=rows, clips=clips,
                       targets={f"{e} {m}": targets(rows, clips, e, args.frames, m, w) for e in args.edits.split(",")
                                for m, w in [("dynode smooth", ODEConfig().smooth_sigma)]
                                + [(f"dynode smooth {k}", args.smooth_fit.get("smooth_sigma", ODEConfig().smooth_sigma))
                                   for k in args.smooth_fit_label and [args.smooth_fit_label]]})
        print(f"\ntargets: {json.dumps(payload['targets'], indent=1)}")
    if "a" in args.parts or "x" in args.parts:
        payload.update(part_a_x(args, ode_kwargs))
    payload["seconds_total"] = time.perf_counter() - t_start
    print(f"wrote {write_json(args.out, payload)} ({payload['seconds_total']:.0f} s)")


if __name__ == "__main__":
    main()
