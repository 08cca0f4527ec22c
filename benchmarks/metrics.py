"""Speed of the metric encoders and of `dynode metrics` on a 100-frame video (CPU).

    python benchmarks/metrics.py [--quick] [--threads 1] [--parts identity,encoders,end-to-end]
                                 [--out benchmarks/results/metrics.json]

First (part ``identity``), the identity metrics' old and new paths side by side on the same
videos (the real 720p clip, 61 frames; two edits of it, as decoded uint8 pixels and their exact
float conversion): old = earlier versions' code on float frames (which `dynode metrics` then
read), step for step (whole-clip uint8 conversion, full-frame HOG scan, dlib's ResNet); new =
the pyramid shortcut (the same boxes, found from a smaller image) and dlib's ResNet run by
PyTorch (batch norm folded into the convolutions), batched, on the uint8 pixels as `dynode
metrics` now reads videos (no conversion) and on float frames (the previous version: a fast
conversion). New rows: first edit without a cache, first edit filling an empty cache
(`dynode metrics`' default: the source is hashed and stored), second edit of the same source
(its embeddings come from the cache); the first edit's new rows lie between two old runs of
it. Decoding is outside every row (the same for all paths). Reported: seconds per frame
of a scored pair (all of TL-ID, TG-ID, identity preservation), the ratios to the mean of the
old runs on the same edit, the content key's cost per frame, the largest embedding and metric
differences (float round-off expected), milliseconds per frame of each step of both paths,
and `uptime` load before and after.

Rows: seconds per frame of every available encoder (dlib on 720p in-the-wild frames and on
1024px aligned faces; ArcFace IR-SE50 with random weights, since only speed is measured,
with center-crop and dlib alignment; the toy world's encoder; I3D per 16-frame clip and per
frame), the frame metrics (MSE, SSIM at 720p), and the end-to-end command on a 100-frame
720p video (the real clip played forward then backward; edited = a colour change):
TL-ID, TG-ID, ACD, ACD-source, MSE, SSIM with dlib, and FVD with I3D. Encoders whose
package or weights are missing are listed as skipped.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, machine, print_table, timed, write_json  # noqa: E402
from metrics_identity import old_vs_new  # noqa: E402


def load_inputs(n_video: int):
    import torch

    from dynode_plugin.video import read_frames

    clip_path = SHARED / "aamir_khan_clip.mp4"
    if clip_path.exists():
        clip, _ = read_frames(clip_path)
    else:  # no shared data: a synthetic 720p clip (faces will not be found)
        clip = torch.rand(61, 3, 720, 1280)
    video = torch.cat([clip, clip.flip(0)])[:n_video]  # ping-pong to the wanted length
    aligned = None
    if (SHARED / "dynode_example").is_dir():
        aligned, _ = read_frames(SHARED / "dynode_example", max_frames=4)
    return video, aligned


def encoder_rows(video, aligned, quick: bool):
    import torch

    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.plugins import get_registry

    rows = []
    few = video[:: max(1, len(video) // (4 if quick else 10))]

    def add(name, frames_desc, n, fn, *args, note=""):
        try:
            s, _ = timed(fn, *args)
            rows.append({"encoder": name, "input": frames_desc, "frames": n, "s_per_frame": s / n, "note": note})
        except (DynodeInputError, ImportError) as exc:
            rows.append({"encoder": name, "input": frames_desc, "frames": n, "s_per_frame": None, "note": f"skipped: {str(exc).splitlines()[0][:60]}"})

    reg = get_registry()
    try:
        dlib_enc = reg.get("encoders", "dlib")()
        add("dlib", "720p in-the-wild", len(few), dlib_enc.embed, few)
        if aligned is not None:
            add("dlib", "1024px aligned", len(aligned), dlib_enc.embed, aligned)
    except (DynodeInputError, ImportError) as exc:
        rows.append({"encoder": "dlib", "input": "-", "frames": 0, "s_per_frame": None, "note": f"skipped: {exc}"[:70]})
    from dynode_plugin.metrics.arcface_net import IRSE50
    from dynode_plugin.metrics.enc_arcface import ArcFaceEncoder

    net = IRSE50().eval()
    if aligned is not None:
        add("arcface (center-crop)", "1024px aligned", len(aligned), ArcFaceEncoder(net=net, align="center-crop").embed, aligned,
            note="random weights: speed only")
    try:
        add("arcface (dlib align)", "720p in-the-wild", len(few), ArcFaceEncoder(net=net, align="dlib").embed, few,
            note="random weights: speed only")
    except (DynodeInputError, ImportError) as exc:
        rows.append({"encoder": "arcface (dlib align)", "input": "-", "frames": 0, "s_per_frame": None, "note": f"skipped: {exc}"[:70]})
    if "toy-appearance" in reg.ids("encoders"):
        toy = torch.nn.functional.interpolate(few, size=(64, 64), mode="bilinear", antialias=True)
        add("toy-appearance", "64px toy frames", len(toy), reg.get("encoders", "toy-appearance")().embed, toy)
    try:
        i3d = reg.get("encoders", "i3d")()
        clips = video[: 32 if quick else 64].reshape(-1, 16, *video.shape[1:])
        s, _ = timed(i3d.embed_clips, clips)
        rows.append({"encoder": "i3d (FVD)", "input": f"{len(clips)} clips x 16 frames, 720p", "frames": 16 * len(clips),
                     "s_per_frame": s / (16 * len(clips)), "note": f"{s / len(clips):.2f} s per clip"})
    except (DynodeInputError, ImportError) as exc:
        rows.append({"encoder": "i3d (FVD)", "input": "-", "frames": 0, "s_per_frame": None, "note": f"skipped: {str(exc).splitlines()[0][:60]}"})
    from dynode_plugin.metrics.frame import mse, ssim

    add("mse (frame metric)", "720p", len(few), mse, few, few * 0.9)
    add("ssim (frame metric)", "720p", len(few), ssim, few, few * 0.9)
    return rows


def end_to_end(video, tmp: Path):
    """`dynode metrics` on one 100-frame pair: every per-video metric (dlib) and FVD (i3d)."""
    from click.testing import CliRunner

    from dynode_plugin.cli import build_cli
    from dynode_plugin.video import write_video

    edited = video.clone()
    edited[:, 0] *= 0.85  # a colour edit
    write_video(video, tmp / "source.mp4", 25)
    write_video(edited, tmp / "edited.mp4", 25)
    rows = []
    for k, metrics in enumerate(("tl-id,tg-id,acd,acd-source", "mse,ssim", "fvd", "tl-id,tg-id,acd,acd-source,mse,ssim,fvd")):
        t = time.perf_counter()
        r = CliRunner().invoke(build_cli(), ["metrics", "--quiet", "--source", str(tmp / "source.mp4"), "--edited",
                                             str(tmp / "edited.mp4"), "--metrics", metrics, "--json", str(tmp / f"m{k}.json")])
        s = time.perf_counter() - t
        ok = r.exit_code == 0
        rows.append({"metrics": metrics, "frames": len(video), "seconds": s if ok else None,
                     "s_per_frame": s / len(video) if ok else None, "note": "" if ok else r.output.strip().splitlines()[-1][:70]})
    return rows


def _rounded(d: dict) -> dict:
    return {k: round(v, 1) for k, v in d.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer frames (a smoke run)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    ap.add_argument("--parts", default="identity,encoders,end-to-end",
                    help="comma-separated: identity (old vs new path), encoders, end-to-end")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "metrics.json"))
    args = ap.parse_args()
    args.parts = set(args.parts.split(","))
    import tempfile

    import torch

    torch.set_num_threads(args.threads)
    n_video = 32 if args.quick else 100
    video = aligned = None
    if args.parts - {"identity"}:  # the identity part reads its own clip, as uint8 pixels
        video, aligned = load_inputs(n_video)
        print(f"inputs: video {tuple(video.shape)}, aligned faces {None if aligned is None else tuple(aligned.shape)}; "
              f"torch threads {args.threads}")
    import os

    speed = enc = e2e = None
    if "identity" in args.parts:
        with tempfile.TemporaryDirectory() as d:
            os.environ["DYNODE_EMBEDDING_CACHE"] = str(Path(d) / "cli-cache")  # never the user's cache
            speed = old_vs_new(args.quick, Path(d))
        if "rows" in speed:
            print("\nidentity metrics (TL-ID, TG-ID, identity preservation with dlib), old vs new path, same videos:")
            print_table(speed["rows"], ["path", "frames", "s_per_frame", "cpu_s_per_frame", "speedup_vs_old", "cpu_speedup_vs_old", "tl-id", "tg-id",
                                        "identity-preservation"])
            st = speed["stages"]
            print(f"content key, ms per frame: {_rounded(speed['content_key_ms_per_frame'])}")
            print(f"differences: {speed['differences']}\nms per frame, old: {_rounded(st['old_ms_per_frame'])}\n"
                  f"ms per frame, new: {_rounded(st['new_ms_per_frame'])}\nload: {speed['uptime_before']}  ->  {speed['uptime_after']}\n")
            print_table(speed["detection_routes"], ["frames", "route", "ms_per_frame", "boxes_unlike_full_scan", "of"])
    if "encoders" in args.parts:
        enc = encoder_rows(video, aligned, args.quick)
        print_table(enc, ["encoder", "input", "frames", "s_per_frame", "note"])
    if "end-to-end" in args.parts:
        with tempfile.TemporaryDirectory() as d:
            os.environ["DYNODE_EMBEDDING_CACHE"] = str(Path(d) / "cli-cache")
            e2e = end_to_end(video, Path(d))
        print()
        print_table(e2e, ["metrics", "frames", "seconds", "s_per_frame", "note"])
    out = write_json(args.out, {"machine": machine(), "threads": args.threads, "quick": args.quick,
                                "parts": sorted(args.parts),
                                "identity_old_vs_new": speed, "encoders": enc, "end_to_end": e2e,
                                "note": "2-core machine shared with other jobs: see the uptime load averages; ratios come from one run"})
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
