"""Latent Transformer's editing step: per-frame attribute model (the original) vs DynODE (frame 0 only).

    python benchmarks/lt_edit.py [--quick] [--lt-root PATH] [--render-frames 2] [--out benchmarks/results/lt_edit.json]

Checkout: --lt-root / $DYNODE_LT_ROOT (a real latent-transformer clone with pixel2style2pixel/
inside), else the fake in tests/fakes/latent_transformer (same edit maths, 32 px generator).
Networks are the checkout's own architectures with random weights (the pretrained attribute
models and psp_ffhq_encode.pt are Google Drive downloads we do not have): timings are real,
edit directions are not semantic, and the per-frame flicker depends on the attribute model.

Clips: the real W+ inversions in ../shared/data/dynode_example (11 samples, every 4th video
frame) and a realistic synthetic clip (benchmarks/common.py, 64 frames starting from a real
FFHQ W+ code). Columns: seconds of the editing step (load the latents' edit: per-frame = the
attribute model on every frame, one frame at a time like latent_manipulation; DynODE = fit +
frame-0 edit + propagate); the edit delta d_i = edited_i - source_i: mean norm, mean
frame-to-frame change ||d_{i+1} - d_i|| relative to that norm (flicker of the edit itself), and
the distance to the per-frame result relative to the per-frame delta norm. Rendering (the same
N frames for every method) is timed separately on the CPU through our pure-PyTorch ops.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fakes" / "latent_transformer"))
from common import edit_clips, machine, print_table, relative_distance, write_json  # noqa: E402

ATTR = 31  # Smiling


def _render_cost(root, gen_path, z, frames):
    """Seconds per frame: pSp generator forward at its full size + JPEG write, on the CPU."""
    from dynode_adapters.latent_transformer.host_imports import load_generator
    from dynode_adapters.latent_transformer.render import render_frames

    t0 = time.perf_counter()
    gen = load_generator(root, gen_path)
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="lt_render_") as tmp:
        per = render_frames(gen, z[:frames], Path(tmp) / "frames", progress=False)
        from PIL import Image

        size = Image.open(Path(tmp) / "frames" / "frame0000.jpg").size
    return {"load_s": load_s, "s_per_frame": sum(per) / len(per), "frames_timed": len(per), "size": list(size)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter fit and clip (smoke run)")
    ap.add_argument("--lt-root", default=None)
    ap.add_argument("--render-frames", type=int, default=2, help="frames rendered to time the generator (0: skip)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "lt_edit.json"))
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    import lt_builders as B

    from dynode_plugin.consistency import delta_consistency
    from dynode_adapters.latent_transformer import editing, layout
    from dynode_adapters.latent_transformer.host_imports import load_attribute_nets
    from dynode_plugin import edit_first_and_propagate

    root_arg = args.lt_root or os.environ.get("DYNODE_LT_ROOT")
    fit_kwargs = {"steps": 200} if args.quick else {}
    alpha = 1.0
    rows = []
    with tempfile.TemporaryDirectory(prefix="lt_bench_") as tmp:
        tmp = Path(tmp)
        root = Path(root_arg).resolve() if root_arg else B.make_fake_checkout(tmp / "latent-transformer", attr_nums=())
        checkout = "real" if root_arg else "fake"
        B.write_weights(root, (ATTR,), dest=tmp / "weights")
        cfg = layout.read_config(root, "001")
        attrs = layout.resolve_attrs(str(ATTR), cfg, tmp / "weights" / "logs" / "001")
        t0 = time.perf_counter()
        nets = load_attribute_nets(root, attrs, cfg)
        load_s = time.perf_counter() - t0
        clips = edit_clips(args.quick)
        render = None
        if args.render_frames:
            render = _render_cost(root, tmp / "weights" / "psp_ffhq_encode.pt", next(iter(clips.values())), args.render_frames)
        for clip, z in clips.items():
            n = len(z)
            base = dict(clip=clip, frames=n)
            t0 = time.perf_counter()
            pf = torch.cat([editing.lt_edit(z[i:i + 1], nets, [alpha]) for i in range(n)])  # the original's loop
            pf_s = time.perf_counter() - t0

            def row(method, seconds, edited, **extra):
                c = delta_consistency(z, edited)
                rows.append(dict(base, method=method, seconds=seconds, s_per_frame=seconds / n,
                                 delta_norm=c["delta_norm"], delta_step_rel=c["delta_step_rel"],
                                 dist_to_per_frame=relative_distance(edited, pf, z), **extra))

            row("per-frame (original)", pf_s, pf)
            t0 = time.perf_counter()
            dn = edit_first_and_propagate(z, lambda w: editing.lt_edit(w, nets, [alpha]), settings=fit_kwargs, progress=False)
            row("dynode ode offset (fit + edit)", time.perf_counter() - t0, editing.keep_fine_layers(dn.edited, z),
                fit=dn.seconds.get("fit"))
            model = dn.model
            for mode in ("offset", "flow", "reintegrate"):
                t0 = time.perf_counter()
                res = edit_first_and_propagate(z, lambda w: editing.lt_edit(w, nets, [alpha]), model=model, mode=mode,
                                               progress=False)
                out = editing.keep_fine_layers(res.edited, z)
                row(f"dynode ode {mode} (fitted model reused)", time.perf_counter() - t0, out)
            t0 = time.perf_counter()
            res = edit_first_and_propagate(z, lambda w: editing.lt_edit(w, nets, [alpha]), model_id="linear", progress=False)
            row("linear offset (baseline)", time.perf_counter() - t0, editing.keep_fine_layers(res.edited, z))
    cols = ["clip", "frames", "method", "seconds", "s_per_frame", "delta_norm", "delta_step_rel", "dist_to_per_frame"]
    print(f"checkout: {checkout}; attribute model {layout.CELEBA_ATTRS[ATTR]} ({ATTR}), random weights; alpha {alpha}; "
          f"attribute model load {load_s:.2f} s")
    if render:
        print(f"render: {render['size'][0]} px, {render['s_per_frame']:.2f} s/frame on the CPU "
              f"({render['frames_timed']} frames; generator build+load {render['load_s']:.2f} s)")
    print_table(rows, cols)
    path = write_json(args.out, {"machine": machine(), "checkout": checkout, "attr": ATTR, "alpha": alpha,
                                 "attr_model_load_s": load_s, "render": render, "quick": args.quick, "rows": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
