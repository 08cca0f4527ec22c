"""TCSVE's editing step: per-frame StyleCLIP mapper (the original) vs DynODE (frame 0 only).

    python benchmarks/tcsve_edit.py [--quick] [--tcsve-root PATH] [--out benchmarks/results/tcsve_edit.json]

Checkout: --tcsve-root / $DYNODE_TCSVE_ROOT (a real VideoEditGAN clone), else the fake
checkout in tests/fakes/tcsve (same mapper maths). Networks are the checkout's own
architectures, randomly initialised (the pretrained eyeglasses mapper is a Google Drive
download we do not have): timings are real, edit directions are not semantic.

The mapper checkpoint is written at the size of StyleCLIP's files (its coach saves the
whole net, 1024 px decoder included: ~30M floats), because the original step reads it
twice per frame. Rendering (generator reload + 1024 px synthesis per frame, which the
original also does) needs STIT/training/networks.py from a real checkout; it is timed on
2 frames and reported per frame.

Clips: the real W+ inversions in ../shared/data/dynode_example (11 samples) and a
realistic synthetic 64-frame clip. Columns: seconds of the editing step; the edit delta
d_i = edited_i - source_i: mean norm, mean frame-to-frame change ||d_{i+1} - d_i|| relative
to that norm (flicker of the edit itself), and the distance to the per-frame result
relative to the per-frame delta norm.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fakes" / "tcsve"))
from common import edit_clips, machine, print_table, relative_distance, write_json  # noqa: E402

DECODER_PARAMS = 30_000_000  # ~ a 1024 px rosinality generator, stored in StyleCLIP mapper checkpoints


def _render_cost(root, workdir, mapper_path, z):
    """Seconds per frame of the original's generator reload + 1024 px synthesis (2 frames)."""
    import torch
    import tcsve_builders as B

    from dynode_adapters.tcsve.mapper import load_generator

    if not (Path(root) / "STIT" / "training" / "networks.py").is_file():
        return None
    g_path = B.make_stylegan2_ada_generator(root, workdir / "model_multi_id.pt")
    times = []
    for i in range(2):
        t0 = time.perf_counter()
        G = load_generator(root, g_path)
        with torch.no_grad():
            G.synthesis(z[i:i + 1], noise_mode="const", force_fp32=True)
        times.append(time.perf_counter() - t0)
    return sum(times) / len(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter fit and clip (smoke run)")
    ap.add_argument("--tcsve-root", default=None)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "tcsve_edit.json"))
    args = ap.parse_args(argv)

    import os

    import torch

    torch.set_num_threads(1)
    import tcsve_builders as B

    from dynode_plugin.consistency import delta_consistency
    from dynode_adapters.tcsve import editing, layout
    from dynode_adapters.tcsve.mapper import load_mapper
    from dynode_plugin import edit_first_and_propagate
    from dynode_plugin.hosts import Clip

    root_arg = args.tcsve_root or os.environ.get("DYNODE_TCSVE_ROOT")
    fit_kwargs = {"steps": 200} if args.quick else {}
    rows, strength = [], 0.15
    with tempfile.TemporaryDirectory(prefix="tcsve_bench_") as tmp:
        tmp = Path(tmp)
        root = Path(root_arg) if root_arg else B.copy_checkout(tmp / "VideoEditGAN")
        checkout = "real" if root_arg else "fake"
        mapper_path = B.make_mapper_checkpoint(root, tmp / "pretrained" / "eyeglasses.pt", decoder_params=DECODER_PARAMS)
        ckpt_mb = mapper_path.stat().st_size / 1e6
        render = _render_cost(root, tmp, mapper_path, next(iter(edit_clips(True).values())))
        for clip, z in edit_clips(args.quick).items():
            n = len(z)
            B.write_run(tmp / clip, "vid", z)
            frames = layout.read_frame_latents(layout.embeddings_dir(tmp / clip, "vid"))
            pf = editing.edit_per_frame(root, Clip(frames.latents, extras={"frames": frames}), mapper_path, "eyeglasses",
                                        strength, progress=False)
            base = dict(clip=clip, frames=n)

            def row(method, seconds, edited, **extra):
                c = delta_consistency(z, edited)
                rows.append(dict(base, method=method, seconds=seconds, s_per_frame=seconds / n,
                                 delta_norm=c["delta_norm"], delta_step_rel=c["delta_step_rel"],
                                 dist_to_per_frame=relative_distance(edited, pf.edited, z), **extra))

            row("per-frame (original, latents)", pf.seconds["total_edit"], pf.edited)
            if render is not None:
                row("per-frame + render (original)", pf.seconds["total_edit"] + render * n, pf.edited,
                    note=f"render {render:.2f} s/frame measured on 2 frames")
            mapper = load_mapper(root, mapper_path, "eyeglasses")
            t0 = time.perf_counter()
            once = torch.cat([mapper.apply(z[i:i + 1], strength) for i in range(n)])
            row("per-frame, mapper loaded once", time.perf_counter() - t0 + mapper.seconds, once,
                note="the original's edit without its per-frame reloads")
            t0 = time.perf_counter()
            dn = edit_first_and_propagate(frames.latents, lambda w: mapper.apply(w, strength), settings=fit_kwargs,
                                          times=torch.tensor(frames.numbers, dtype=torch.float64), mask=frames.observed,
                                          progress=False)
            row("dynode ode offset (fit + edit)", time.perf_counter() - t0 + mapper.seconds, dn.edited,
                fit=dn.seconds.get("fit"), note="mapper loaded once")
            for mode in ("flow", "reintegrate"):
                t0 = time.perf_counter()
                res = edit_first_and_propagate(frames.latents, lambda w: mapper.apply(w, strength), model=dn.model,
                                               mode=mode, progress=False)
                row(f"dynode ode {mode} (fitted model reused)", time.perf_counter() - t0, res.edited)
            t0 = time.perf_counter()
            res = edit_first_and_propagate(frames.latents, lambda w: mapper.apply(w, strength), model_id="linear", progress=False)
            row("linear offset (baseline)", time.perf_counter() - t0 + mapper.seconds, res.edited)
    cols = ["clip", "frames", "method", "seconds", "s_per_frame", "delta_norm", "delta_step_rel", "dist_to_per_frame"]
    print(f"checkout: {checkout}; mapper checkpoint {ckpt_mb:.0f} MB; strength {strength}")
    print_table(rows, cols)
    path = write_json(args.out, {"machine": machine(), "checkout": checkout, "mapper_checkpoint_mb": ckpt_mb,
                                 "render_s_per_frame": render, "quick": args.quick, "rows": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
