"""Calibrate the toy world's realistic jitter against real per-frame inversions (issue 15, Part 1).

    python benchmarks/toy_jitter_calibration.py [--seeds 0,...,19] [--jitters 0,0.04,...,0.16] [--frames 48]

The real side: the 11 FFHQ W+ inversions of ``shared/data/dynode_example`` (every 4th video frame of a
talking face). The toy side: ``--frames`` clips (the benchmark's 48) of several scenes, every frame
encoded on its own (encoder mode, ``toy.inverter.invert``) through independent pixel noise of std
``jitter``. Statistics of each code sequence (``toy.evaluation.jitter_stats`` and below):

* ``roughness``: mean ||second difference||² / mean ||first difference||² (0 smooth, 3 pure noise). For
  codes = smooth motion + independent jitter n_t, E||d1||² = ||v||² + 2E||n||² and E||d2||² ~ 6E||n||²,
  so ``roughness / 3`` estimates the **jitter share of the frame-to-frame change** (the part of each step
  that is not motion; an upper bound: the motion's own curvature adds to it), the issue's "frame-to-frame
  latent change relative to the motion"; ``jitter_to_motion`` = sqrt(share / (1 - share)), the jitter's
  size relative to the motion step;
* ``roughness_gap2``: the same on every second code (the even and the odd subsequences, averaged): a
  jitter independent of the motion gives a lower value at twice the step (the motion step doubles);
* ``jitter_index``: latent MSE of each interior code against the mean of its neighbours over the
  per-element temporal variance: depends on how far the clip moves overall (not matched, see docs/toy.md);
* toy only, ``true_share``: the share of the frame-to-frame change that the pixel noise adds, measured
  against the same frames encoded without noise (checks the ``roughness / 3`` estimate; the encoder's own
  noise-free error is counted as motion here); ``psnr_db``: reconstruction PSNR of the noisy codes
  against the clean frames.

Writes a JSON (``--out``) with the real statistics, one row per (jitter, seed) and the means per jitter.
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, machine, print_table, write_json  # noqa: E402


def stats(z: torch.Tensor) -> dict:
    from dynode_plugin.toy.evaluation import jitter_stats

    out = jitter_stats(z)
    out["roughness_gap2"] = sum(jitter_stats(z[k::2])["roughness"] for k in (0, 1)) / 2
    share = min(out["roughness"] / 3, 0.999)
    out["jitter_share"], out["jitter_to_motion"] = share, math.sqrt(share / (1 - share))
    return out


def real_stats(path: Path) -> dict:
    z = torch.load(path, map_location="cpu", weights_only=True)  # (11, 1, 18, 512)
    return {"file": str(path), "samples": len(z), **stats(z.reshape(len(z), -1))}


def toy_rows(seeds, jitters, frames):
    from dynode_plugin.toy.assets import load_assets
    from dynode_plugin.toy.inverter import invert, psnr
    from dynode_plugin.toy.world import render_clip

    assets = load_assets()
    rows = []
    for seed in seeds:
        x = render_clip(frames, seed)
        clean = invert(assets.generator, assets.encoder, x, steps=0, progress=False)
        for jitter in jitters:
            z = invert(assets.generator, assets.encoder, x, steps=0, progress=False, jitter=jitter) if jitter else clean
            noise = z - clean
            dz, dn = (z[1:] - z[:-1]).flatten(1), (noise[1:] - noise[:-1]).flatten(1)
            with torch.no_grad():
                rec = assets.generator.synthesis(z)
            rows.append({"jitter": jitter, "seed": seed, **stats(z),
                         "true_share": float(dn.pow(2).sum(1).mean() / dz.pow(2).sum(1).mean()),
                         "psnr_db": float(psnr(rec, x).mean())})
    return rows


def means(rows):
    out = []
    for j in dict.fromkeys(r["jitter"] for r in rows):
        group = [r for r in rows if r["jitter"] == j]
        row = {"jitter": j, "clips": len(group)}
        for k, v in group[0].items():
            if k not in ("jitter", "seed") and isinstance(v, float):
                row[k] = sum(g[k] for g in group) / len(group)
        rough = sorted(g["roughness"] for g in group)
        row["roughness_median"] = statistics.median(rough)
        row["roughness_min"], row["roughness_max"] = rough[0], rough[-1]
        # of the mean roughness (a mean of per-clip ratios is dominated by clips whose steps are almost all jitter)
        share = min(row["roughness"] / 3, 0.999)
        row["jitter_share"], row["jitter_to_motion"] = share, math.sqrt(share / (1 - share))
        out.append(row)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default=",".join(map(str, range(20))), help="clip seeds (toy.world.render_clip)")
    ap.add_argument("--jitters", default="0,0.04,0.06,0.08,0.09,0.10,0.11,0.12,0.13,0.14,0.16")
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "toy_jitter_calibration.json"))
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    path = SHARED / "dynode_example" / "dynode_all_latents.pth"
    real = real_stats(path) if path.exists() else None
    rows = toy_rows([int(s) for s in args.seeds.split(",")], [float(j) for j in args.jitters.split(",")], args.frames)
    mean = means(rows)
    cols = ["roughness", "roughness_gap2", "jitter_share", "jitter_to_motion", "jitter_index"]
    if real:
        print("real inversions:")
        print_table([real], ["samples"] + cols)
    print(f"\ntoy, encoder, {args.frames} frames, mean over seeds {args.seeds}:")
    print_table(mean, ["jitter", "clips", "roughness_median"] + cols + ["true_share", "psnr_db", "roughness_min", "roughness_max"])
    payload = {"settings": vars(args), "machine": machine(), "real": real, "toy_means": mean, "toy_rows": rows,
               "seconds": time.perf_counter() - t0}
    print(f"wrote {write_json(args.out, payload)} ({payload['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
