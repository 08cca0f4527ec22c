"""Speed of the metric encoders and of `dynode metrics` on a 100-frame video (CPU).

    python benchmarks/metrics.py [--quick] [--threads 1] [--out benchmarks/results/metrics.json]

First, the identity metrics' old and new paths side by side on the same videos (the real
720p clip, 61 frames; two edits of it): old = dlib's own code for every step (full-frame HOG
scan, dlib's ResNet), as in earlier versions; new = the pyramid shortcut (the same boxes,
found from a smaller image) and dlib's ResNet run by PyTorch, batched; new + cache = the
second edit of a source whose embeddings are cached. Reported: seconds per frame of a scored
pair (all of TL-ID, TG-ID, identity preservation), the ratios, the largest embedding and
metric differences (float round-off expected), and `uptime` load before and after.

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
from common import SHARED, machine, print_table, write_json  # noqa: E402


def timed(fn, *args, repeat: int = 1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t)
    return best, out


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


def load() -> str:
    import subprocess

    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def old_vs_new(video, quick: bool, tmp: Path):
    """Identity metrics: dlib's own path vs the fast path vs the fast path with a cached source."""
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.metrics.embedding_cache import EmbeddingCache
    from dynode_plugin.metrics.evaluate import score_pair

    try:
        from dynode_plugin.metrics.enc_dlib import DlibEncoder

        old_enc, new_enc = DlibEncoder(fast=False), DlibEncoder()
        old_enc.net(), new_enc.net()  # load both networks before any timing
    except (DynodeInputError, ImportError) as exc:
        return {"skipped": str(exc).splitlines()[0]}
    clip = video[:16] if quick else video[:61]
    edits = {"colour": clip.clone(), "brightness": (clip * 0.9 + 0.08).clamp(0, 1)}
    edits["colour"][:, 0] *= 0.85
    ids = ["tl-id", "tg-id", "identity-preservation"]
    rows, values, embeddings = [], {}, {}
    before = load()
    cache = EmbeddingCache(tmp / "embedding-cache")
    runs = [("old (dlib's own code)", old_enc, None, "colour"), ("new", new_enc, None, "colour"),
            ("new, source cached (2nd edit)", new_enc, cache, "brightness"), ("old (dlib's own code)", old_enc, None, "brightness")]
    score_pair(clip, edits["colour"], ids, new_enc, cache=cache)  # fills the cache with the source (not timed)
    for label, enc, c, edit in runs:
        t = time.perf_counter()
        rec = score_pair(clip, edits[edit], ids, enc, cache=c)
        s = time.perf_counter() - t
        values[(label, edit)] = {m: rec[m]["value"] for m in ids}
        rows.append({"path": label, "edit": edit, "frames": len(clip), "s_per_frame": s / len(clip), "seconds": s,
                     **{m: rec[m]["value"] for m in ids}})
    old_c, new_c = values[("old (dlib's own code)", "colour")], values[("new", "colour")]
    old_b, new_b = values[("old (dlib's own code)", "brightness")], values[("new, source cached (2nd edit)", "brightness")]
    base = {r["edit"]: r["s_per_frame"] for r in rows if r["path"].startswith("old")}
    for r in rows:
        r["speedup_vs_old"] = base[r["edit"]] / r["s_per_frame"]
    e_old, e_new = old_enc.embed(clip[:8]), new_enc.embed(clip[:8])
    diff = {"embedding_max_abs": float((e_old.vectors - e_new.vectors).abs().nan_to_num(0).max()),
            "faces_found_equal": bool((e_old.found == e_new.found).all()),
            "metric_max_abs": max(abs(a[m] - b[m]) for a, b in ((old_c, new_c), (old_b, new_b)) for m in ids)}
    return {"rows": rows, "differences": diff, "uptime_before": before, "uptime_after": load(),
            "finder": {"shortcuts": new_enc.finder.shortcuts, "full_scans": new_enc.finder.full_scans}}


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
    for metrics in ("tl-id,tg-id,acd,acd-source", "mse,ssim", "fvd", "tl-id,tg-id,acd,acd-source,mse,ssim,fvd"):
        t = time.perf_counter()
        r = CliRunner().invoke(build_cli(), ["metrics", "--quiet", "--source", str(tmp / "source.mp4"), "--edited",
                                             str(tmp / "edited.mp4"), "--metrics", metrics, "--json", str(tmp / "m.json")])
        s = time.perf_counter() - t
        ok = r.exit_code == 0
        rows.append({"metrics": metrics, "frames": len(video), "seconds": s if ok else None,
                     "s_per_frame": s / len(video) if ok else None, "note": "" if ok else r.output.strip().splitlines()[-1][:70]})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer frames (a smoke run)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "metrics.json"))
    args = ap.parse_args()
    import tempfile

    import torch

    torch.set_num_threads(args.threads)
    n_video = 32 if args.quick else 100
    video, aligned = load_inputs(n_video)
    print(f"inputs: video {tuple(video.shape)}, aligned faces {None if aligned is None else tuple(aligned.shape)}; torch threads {args.threads}")
    import os

    with tempfile.TemporaryDirectory() as d:
        os.environ["DYNODE_EMBEDDING_CACHE"] = str(Path(d) / "cli-cache")  # never the user's cache
        speed = old_vs_new(video, args.quick, Path(d))
    if "rows" in speed:
        print("\nidentity metrics (TL-ID, TG-ID, identity preservation with dlib), old vs new path, same videos:")
        print_table(speed["rows"], ["path", "edit", "frames", "s_per_frame", "speedup_vs_old", "tl-id", "tg-id", "identity-preservation"])
        print(f"differences: {speed['differences']}\nload: {speed['uptime_before']}  ->  {speed['uptime_after']}\n")
    enc = encoder_rows(video, aligned, args.quick)
    print_table(enc, ["encoder", "input", "frames", "s_per_frame", "note"])
    with tempfile.TemporaryDirectory() as d:
        os.environ["DYNODE_EMBEDDING_CACHE"] = str(Path(d) / "cli-cache")
        e2e = end_to_end(video, Path(d))
    print()
    print_table(e2e, ["metrics", "frames", "seconds", "s_per_frame", "note"])
    out = write_json(args.out, {"machine": machine(), "threads": args.threads, "quick": args.quick,
                                "identity_old_vs_new": speed, "encoders": enc, "end_to_end": e2e,
                                "note": "2-core machine shared with other jobs: see the uptime load averages; ratios come from one run"})
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
