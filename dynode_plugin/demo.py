"""``dynode demo``: every claim of the method, measured in image space on the toy world."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict

import torch

FILES = {
    "source.mp4": "the rendered clip",
    "edited_dynode.mp4": "frame 0 edited, the edit carried by DynODE (smooth trajectory unless --no-smooth)",
    "edited_per_frame.mp4": "the classic way: every frame edited",
    "comparison.mp4": "source | DynODE | per-frame, side by side, captioned (says when the two edits are identical)",
    "comparison.gif": "the same as a GIF",
    "interpolation.mp4": "every 4th frame observed, 4x the frames rendered",
    "trajectory.png": "PCA over time: jittery per-frame codes, the smooth trajectory, per-frame and DynODE edits",
    "metrics.json": "per-frame / Gaussian / DynODE rows (TL-ID, TG-ID, flicker, attribute, identity), interpolation, timings",
}


def _plot(path: Path, t_all, codes, smooth, edited_per_frame, edited, t_dense=None, dense=None) -> None:
    """PCA of the jittery per-frame codes, the smooth trajectory, and the edit (per-frame and DynODE)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    flat = torch.cat([codes, edited]).reshape(2 * len(codes), -1)
    mean = flat.mean(0)
    _, _, v = torch.pca_lowrank(flat - mean, q=2, center=False)
    proj = lambda z: ((z.reshape(len(z), -1) - mean) @ v).numpy()  # noqa: E731
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for k in range(2):
        ax[k].plot(t_all, proj(codes)[:, k], ".", color="0.5", label="inverted codes (per frame, jittery)")
        ax[k].plot(t_all, proj(smooth)[:, k], "-", color="C0", label="DynODE smooth trajectory")
        ax[k].plot(t_all, proj(edited_per_frame)[:, k], ".", color="C1", alpha=0.6, label="per-frame edit")
        ax[k].plot(t_all, proj(edited)[:, k], "-", color="C3", label="DynODE edit (frame 0, propagated)")
        if dense is not None:
            ax[k].plot(t_dense, proj(dense)[:, k], ":", color="C2", label="fit on every 4th frame, 4x frames")
        ax[k].set_xlabel("time")
        ax[k].set_ylabel(f"PC {k + 1}")
    ax[0].legend(fontsize=7)
    fig.suptitle("latent trajectory of the toy clip")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _scores(enc, src, edt) -> Dict[str, float]:
    from .metrics.evaluate import score_pair, values_of

    s = score_pair(src, edt, ["tl-id", "tg-id", "flicker"], enc)
    return {**values_of(s), "source_flicker": s["flicker"]["source_value"]}


def _row(rows, label):
    return next(r for r in rows if r["method"] == label)


def _comparison_note(dynode: torch.Tensor, per_frame: torch.Tensor) -> Dict:
    """Whether the two edited panels differ, said on screen and in metrics.json: a linear edit
    carried in offset mode is the same delta on every frame, so the panels can be identical."""
    diff = float((dynode - per_frame).abs().max())
    same = diff < 0.5 / 255  # rounding noise only: the 8-bit video frames are the same
    if same:
        note = "DynODE and per-frame panels are identical here: this edit is linear and offset mode carries the same delta"
        short = "DynODE = per-frame (linear edit)"
    else:
        note, short = f"DynODE vs per-frame: max pixel difference {diff:.3f}", f"max diff {diff:.3f}"
    return {"identical": same, "max_abs_pixel_diff": diff, "note": note, "short": short}


def run_demo(out, n_frames: int = 32, edit_spec: str = "colour=+1", seed: int = 0, inversion: str = "encoder",
             smooth: bool = True, jitter: float = None, steps: int = None) -> Dict[str, str]:
    """``jitter``: pixel noise each frame is inverted through (None: ``toy.inverter.REALISTIC_JITTER``, the setting
    calibrated against real inversions)."""
    from .atomic import atomic_dir
    from .captions import add_caption
    from .dynamics.model import DynamicsModel
    from .hosts import parse_edit
    from .metrics.frame import mse, ssim
    from .toy.host import ToyAppearanceEncoder, ToyHost
    from .toy.evaluation import SMOOTH_FIT, edit_rows, jitter_stats, smooth_view
    from .toy.inverter import REALISTIC_JITTER, psnr
    from .toy.world import render_clip
    from .video import hstack_videos, write_video

    torch.set_num_threads(max(1, torch.get_num_threads()))
    enc = ToyAppearanceEncoder()
    name, strength = parse_edit(edit_spec)
    host = ToyHost(inversion=inversion, jitter=REALISTIC_JITTER if jitter is None else jitter)
    host.check_edit(name)
    t_start = time.perf_counter()
    frames = render_clip(n_frames, seed)
    print(f"rendered {n_frames} frames; inverting each frame on its own ({host.inversion}) ...")
    t0 = time.perf_counter()
    latents = host.invert(frames)
    t_inv = time.perf_counter() - t0
    recon = host.synthesize(latents)
    print("fitting the dynamics on every frame's code ...")
    fit_kwargs = {"steps": steps} if steps else {}
    # with --smooth the edit's fit is the smoothing one (a field too small to follow each code's jitter)
    edit_fit = {**SMOOTH_FIT, **fit_kwargs} if smooth else fit_kwargs
    full = DynamicsModel(**edit_fit).fit(latents)
    # per-frame, a Gaussian filter of it at DynODE smooth's window, and DynODE (offset, smooth, flow, reintegrate):
    # one fit, every row
    rows, rendered = edit_rows(host, frames, latents, (name, strength), full, enc, sigma=full.config.smooth_sigma)
    dyn_label = "dynode smooth" if smooth else "dynode offset"
    # sparse observation and 4x interpolation, against the world's own frames at those times
    mask = torch.zeros(n_frames, dtype=torch.bool)
    mask[::4] = True
    mask[-1] = True
    model = DynamicsModel(**fit_kwargs).fit(latents, mask=mask)
    n_dense = 4 * (n_frames - 1) + 1
    t_dense = torch.linspace(0, 1, n_dense)
    dense_frames = host.synthesize(model.predict(t_dense))
    truth = render_clip(n_dense, seed)
    on_frame = torch.zeros(n_dense, dtype=torch.bool)
    on_frame[::4] = True
    observed_dense = on_frame.clone()
    observed_dense[on_frame] = mask
    metrics = {
        "edit": {"name": name, "strength": strength},
        "inversion": {"mode": host.inversion, "steps": host.inversion_steps, "jitter": host.jitter},
        "inversion_psnr_db": float(psnr(recon, frames).mean()),
        "dynode": {**_scores(enc, frames, rendered[dyn_label]), "method": dyn_label, "edit_ops_s": _row(rows, dyn_label)["edit_ops_s"]},
        "per_frame": {**_scores(enc, frames, rendered["per-frame"]), "edit_ops_s": _row(rows, "per-frame")["edit_ops_s"]},
        "rows": rows,
        "jitter": {"codes": jitter_stats(latents), "dynode_smooth": jitter_stats(smooth_view(full).predict())},
        "interpolation": {
            "observed_every": 4,
            "mse_x1e3_observed": float(mse(dense_frames[observed_dense], truth[observed_dense]).mean()) * 1e3,
            "ssim_x100_observed": float(ssim(dense_frames[observed_dense], truth[observed_dense]).mean()) * 100,
            "mse_x1e3_unobserved": float(mse(dense_frames[~observed_dense], truth[~observed_dense]).mean()) * 1e3,
            "ssim_x100_unobserved": float(ssim(dense_frames[~observed_dense], truth[~observed_dense]).mean()) * 100,
        },
        # two fits run: the edit's (every frame observed) and the interpolation's (every 4th frame)
        "fits": {"edit": {"frames_observed": n_frames, "seconds": full.report.seconds, "settings": edit_fit},
                 "interpolation": {"frames_observed": int(mask.sum()), "seconds": model.report.seconds}},
        "fit_report": {k: v for k, v in model.report.to_dict().items() if k != "losses"} | {"fit": "interpolation"},
        "comparison": _comparison_note(rendered[dyn_label], rendered["per-frame"]),
        "seconds_total": None,
        "seconds_inversion": t_inv,
        "encoder": "toy-appearance",
    }
    up = lambda x: torch.nn.functional.interpolate(x, scale_factor=4, mode="nearest")  # noqa: E731
    with atomic_dir(out) as tmp:
        write_video(up(frames), tmp / "source.mp4", 12)
        dyn, per = rendered[dyn_label], rendered["per-frame"]
        write_video(up(dyn), tmp / "edited_dynode.mp4", 12)
        write_video(up(per), tmp / "edited_per_frame.mp4", 12)
        caption = ["source | DynODE (frame 0 edited, edit carried) | per-frame (every frame edited)", metrics["comparison"]["note"]]
        write_video(add_caption(hstack_videos([up(frames), up(dyn), up(per)]), caption), tmp / "comparison.mp4", 12)
        write_video(add_caption(hstack_videos([frames, dyn, per]), ["source | DynODE | per-frame", metrics["comparison"]["short"]]),
                    tmp / "comparison.gif", 12)
        write_video(up(dense_frames), tmp / "interpolation.mp4", 48)
        t_all = torch.linspace(0, 1, n_frames)
        edit_fn = lambda z: host.edit(z, name, strength)  # noqa: E731
        _plot(tmp / "trajectory.png", t_all, latents, smooth_view(full).predict(), edit_fn(latents),
              (smooth_view(full) if smooth else full).propagate(edit_fn(latents[:1])), t_dense, model.predict(t_dense))
        metrics["seconds_total"] = time.perf_counter() - t_start
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2))
    d, p = metrics["dynode"], metrics["per_frame"]
    print(f"\n{'method':<22} {'TL-ID':>8} {'TG-ID':>8} {'edit flicker':>12} {'attribute':>9} {'identity':>8}")
    for r in rows:
        print(f"{r['method']:<22} {r['tl_id']:8.4f} {r['tg_id']:8.4f} {r['edit_flicker_x1e3']:12.2f} "
              f"{r.get('attribute_strength', float('nan')):9.3f} {r['identity_preservation']:8.4f}")
    print(f"\ninversion PSNR {metrics['inversion_psnr_db']:.1f} dB; TG-ID DynODE {d['tg_id']:.4f} vs per-frame {p['tg_id']:.4f}; "
          f"TL-ID {d['tl_id']:.4f} vs {p['tl_id']:.4f}; unobserved-frame SSIM {metrics['interpolation']['ssim_x100_unobserved']:.1f}")
    print(f"comparison.mp4: {metrics['comparison']['note']}")
    return FILES
