"""``dynode demo``: every claim of the method, measured in image space on the toy world."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict

import torch

FILES = {
    "source.mp4": "the rendered clip",
    "edited_dynode.mp4": "frame 0 edited, the edit carried by DynODE",
    "edited_per_frame.mp4": "the classic way: every frame edited",
    "comparison.mp4": "source | DynODE | per-frame, side by side",
    "comparison.gif": "the same as a GIF",
    "interpolation.mp4": "every 4th frame observed, 4x the frames rendered",
    "trajectory.png": "PCA of inverted, observed and predicted codes over time",
    "metrics.json": "TL-ID, TG-ID, flicker, interpolation MSE/SSIM, inversion PSNR, timings",
}


def _plot(path: Path, t_all, codes, t_obs, obs, t_dense, dense) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    flat = codes.reshape(len(codes), -1)
    mean = flat.mean(0)
    _, _, v = torch.pca_lowrank(flat - mean, q=2, center=False)
    proj = lambda z: ((z.reshape(len(z), -1) - mean) @ v).numpy()  # noqa: E731
    pa, po, pd = proj(codes), proj(obs), proj(dense)
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    for k in range(2):
        ax[k].plot(t_all, pa[:, k], ".", color="0.6", label="inverted (every frame)")
        ax[k].plot(t_dense, pd[:, k], "-", color="C0", label="DynODE prediction")
        ax[k].plot(t_obs, po[:, k], "o", color="C3", label="observed (every 4th)")
        ax[k].set_xlabel("time")
        ax[k].set_ylabel(f"PC {k + 1}")
    ax[0].legend(fontsize=8)
    fig.suptitle("latent trajectory of the toy clip")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _scores(enc, src, edt) -> Dict[str, float]:
    from .metrics.evaluate import score_pair, values_of

    s = score_pair(src, edt, ["tl-id", "tg-id", "flicker"], enc)
    return {**values_of(s), "source_flicker": s["flicker"]["source_value"]}


def run_demo(out, n_frames: int = 32, edit_spec: str = "colour=+1", seed: int = 0) -> Dict[str, str]:
    from .atomic import atomic_dir
    from .dynamics.model import DynamicsModel
    from .hosts import parse_edit
    from .metrics.frame import mse, ssim
    from .pipeline import run_edit
    from .toy.host import ToyAppearanceEncoder, ToyHost
    from .toy.inverter import psnr
    from .toy.world import render_clip
    from .video import hstack_videos, write_video

    torch.set_num_threads(max(1, torch.get_num_threads()))
    name, strength = parse_edit(edit_spec)
    host = ToyHost()
    host.check_edit(name)
    t_start = time.perf_counter()
    frames = render_clip(n_frames, seed)
    print(f"rendered {n_frames} frames; inverting each frame on its own ...")
    t0 = time.perf_counter()
    latents = host.invert(frames)
    t_inv = time.perf_counter() - t0
    recon = host.synthesize(latents)
    dyn = run_edit(host, frames, [(name, strength)], latents=latents)
    per = run_edit(host, frames, [(name, strength)], latents=latents, per_frame=True)
    # sparse observation and 4x interpolation, against the world's own frames at those times
    mask = torch.zeros(n_frames, dtype=torch.bool)
    mask[::4] = True
    mask[-1] = True
    model = DynamicsModel().fit(latents, mask=mask)
    n_dense = 4 * (n_frames - 1) + 1
    t_dense = torch.linspace(0, 1, n_dense)
    dense_frames = host.synthesize(model.predict(t_dense))
    truth = render_clip(n_dense, seed)
    on_frame = torch.zeros(n_dense, dtype=torch.bool)
    on_frame[::4] = True
    observed_dense = on_frame.clone()
    observed_dense[on_frame] = mask
    enc = ToyAppearanceEncoder()
    metrics = {
        "edit": {"name": name, "strength": strength},
        "inversion_psnr_db": float(psnr(recon, frames).mean()),
        "dynode": {**_scores(enc, frames, dyn.edited_frames), "seconds": dyn.seconds},
        "per_frame": {**_scores(enc, frames, per.edited_frames), "seconds": per.seconds},
        "interpolation": {
            "observed_every": 4,
            "mse_x1e3_observed": float(mse(dense_frames[observed_dense], truth[observed_dense]).mean()) * 1e3,
            "ssim_x100_observed": float(ssim(dense_frames[observed_dense], truth[observed_dense]).mean()) * 100,
            "mse_x1e3_unobserved": float(mse(dense_frames[~observed_dense], truth[~observed_dense]).mean()) * 1e3,
            "ssim_x100_unobserved": float(ssim(dense_frames[~observed_dense], truth[~observed_dense]).mean()) * 100,
        },
        "fit_report": model.report.to_dict() | {"losses": None},
        "seconds_total": None,
        "seconds_inversion": t_inv,
        "encoder": "toy-appearance",
    }
    up = lambda x: torch.nn.functional.interpolate(x, scale_factor=4, mode="nearest")  # noqa: E731
    with atomic_dir(out) as tmp:
        write_video(up(frames), tmp / "source.mp4", 12)
        write_video(up(dyn.edited_frames), tmp / "edited_dynode.mp4", 12)
        write_video(up(per.edited_frames), tmp / "edited_per_frame.mp4", 12)
        side = hstack_videos([up(frames), up(dyn.edited_frames), up(per.edited_frames)])
        write_video(side, tmp / "comparison.mp4", 12)
        write_video(hstack_videos([frames, dyn.edited_frames, per.edited_frames]), tmp / "comparison.gif", 12)
        write_video(up(dense_frames), tmp / "interpolation.mp4", 48)
        t_all = torch.linspace(0, 1, n_frames)
        _plot(tmp / "trajectory.png", t_all, latents, t_all[mask], latents[mask], t_dense, model.predict(t_dense))
        metrics["seconds_total"] = time.perf_counter() - t_start
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2))
    d, p = metrics["dynode"], metrics["per_frame"]
    print(f"\ninversion PSNR {metrics['inversion_psnr_db']:.1f} dB; TG-ID DynODE {d['tg_id']:.4f} vs per-frame {p['tg_id']:.4f}; "
          f"TL-ID {d['tl_id']:.4f} vs {p['tl_id']:.4f}; unobserved-frame SSIM {metrics['interpolation']['ssim_x100_unobserved']:.1f}")
    return FILES
