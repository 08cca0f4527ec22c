"""The identity metrics' old and new paths side by side (part ``identity`` of ``benchmarks/metrics.py``,
whose docstring says what is compared and reported); run it through that script."""
from __future__ import annotations

import time
from pathlib import Path

from common import SHARED, timed


def load() -> str:
    import subprocess

    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def stages(clip, px, old_enc, new_enc):
    """Milliseconds per frame of each step of both paths on the same frames (one video, no cache):
    old from float frames, new from the decoded uint8 pixels ``px`` (as `dynode metrics` reads them)."""
    import dlib
    import numpy as np
    import torch

    from dynode_plugin.metrics.enc_dlib import DlibEncoder, rgb_uint8
    from dynode_plugin.video import to_uint8

    def ms(fn):
        t = time.perf_counter()
        out = fn()
        return (time.perf_counter() - t) * 1000 / len(clip), out

    old, new = {}, {}
    old["convert"], arr = ms(lambda: [np.ascontiguousarray(a) for a in
                                      (clip.clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy()])
    old["detect"], boxes = ms(lambda: [max(old_enc.finder.detector(a, 0), key=lambda r: r.area()) for a in arr])
    old["landmarks"], shapes = ms(lambda: [old_enc.finder.shape(a, b) for a, b in zip(arr, boxes)])
    old["descriptor"], _ = ms(lambda: [old_enc.net().compute_face_descriptor(a, sh, 0) for a, sh in zip(arr, shapes)])
    fresh = DlibEncoder()  # a finder that starts from a full scan, as on a new video
    fresh._net = new_enc.net()
    float_convert, _ = ms(lambda: to_uint8(clip))  # what the new path spent here on float input (previous version)
    new["convert"], arr = ms(lambda: [np.ascontiguousarray(a) for a in rgb_uint8(px)])
    new["detect+landmarks"], shapes = ms(lambda: [fresh.finder.find(a) for a in arr])
    new["chip"], chips = ms(lambda: torch.from_numpy(np.stack([dlib.get_face_chip(a, sh, size=150, padding=0.25)
                                                                for a, sh in zip(arr, shapes)])))
    new["descriptor"], _ = ms(lambda: [fresh.net()(chips[k:k + fresh.batch]) for k in range(0, len(chips), fresh.batch)])
    old["total"], new["total"] = sum(old.values()), sum(new.values())
    return {"frames": len(clip), "old_ms_per_frame": old, "new_ms_per_frame": new, "new_convert_from_float_ms_per_frame": float_convert,
            "new_full_scans": fresh.finder.full_scans, "new_shortcuts": fresh.finder.shortcuts}


def key_costs(clip, px):
    """Milliseconds per frame of the cache's content key (of float frames and of uint8 pixels), and of version 1's
    sha256 of float32 values."""
    import hashlib

    import torch

    from dynode_plugin.metrics.content_key import content_key

    def v1(frames):
        h = hashlib.sha256(repr(tuple(frames.shape)).encode())
        for f in frames:
            h.update(memoryview(f.detach().to(torch.float32).contiguous().numpy()).cast("B"))
        return h.hexdigest()

    out = {}
    algo = content_key(clip[:1]).split("-")[0]
    for name, fn, x in ((f"{algo}, float frames", content_key, clip), (f"{algo}, uint8 pixels", content_key, px),
                        ("sha256 of float32 (v1)", v1, clip)):
        best = min(timed(fn, x)[0] for _ in range(3))
        out[name] = 1000 * best / len(clip)
    return out


def detection_options(clip):
    """Boxes of three detection routes against full scans, on the clip and on a zoom-out of it.

    exact shortcut = what the encoder does (scan from one level below the previous face's
    level); from the face's level = one level fewer (cheaper, but a shrinking face's box moves
    down a level and is missed). Milliseconds per frame and frames whose box differs from a
    full scan's.
    """
    import torch
    import torch.nn.functional as F

    from dynode_plugin.metrics.enc_dlib import DlibFaceFinder
    from dynode_plugin.video import to_uint8

    def zoom_out(frames):
        out = torch.zeros_like(frames)
        for t in range(len(frames)):
            small = F.interpolate(frames[t:t + 1], scale_factor=1.0 - 0.45 * t / max(1, len(frames) - 1),
                                  mode="bilinear", antialias=True)[0]
            h, w = small.shape[1:]
            y, x = (frames.shape[2] - h) // 2, (frames.shape[3] - w) // 2
            out[t, :, y:y + h, x:x + w] = small
        return out

    def from_face_level(finder, img, state):
        """Scan from the previous face's own level; accept the largest box found at or above it."""
        j = state.get("hint", 0)
        if j > 0:
            small = img
            for _ in range(j):
                small = finder._pyr(small)
            boxes = finder.detector(small, 0)
            found = finder._level_of(max(boxes, key=lambda r: r.area()), j) if boxes else None
            if found is not None:
                state["hint"] = j + found[0]
                return finder._pyr.rect_up(found[1], j + found[0])
        boxes = finder.detector(img, 0)
        box = max(boxes, key=lambda r: r.area()) if boxes else None
        found = finder._level_of(box, 0) if box is not None else None
        state["hint"] = found[0] if found else 0
        return box

    rows = []
    for name, frames in (("real clip", clip), ("zoom-out of it", zoom_out(clip))):
        arr = to_uint8(frames)
        ref_finder, exact, approx, state = DlibFaceFinder(), DlibFaceFinder(), DlibFaceFinder(), {}
        timings = {"full scan": 0.0, "exact shortcut": 0.0, "from the face's level": 0.0}
        differ = {"exact shortcut": 0, "from the face's level": 0}
        for img in arr:
            t = time.perf_counter()
            boxes = ref_finder.detector(img, 0)
            ref = max(boxes, key=lambda r: r.area()) if boxes else None
            timings["full scan"] += time.perf_counter() - t
            t = time.perf_counter()
            shape = exact.find(img)
            timings["exact shortcut"] += time.perf_counter() - t
            t = time.perf_counter()
            box = from_face_level(approx, img, state)
            timings["from the face's level"] += time.perf_counter() - t
            differ["exact shortcut"] += (shape.rect if shape is not None else None) != ref
            differ["from the face's level"] += box != ref
        for route, s in timings.items():
            rows.append({"frames": name, "route": route, "ms_per_frame": 1000 * s / len(arr),
                         "boxes_unlike_full_scan": differ.get(route, 0), "of": len(arr)})
    return rows


def decoded_pixels(n: int):
    """The clip's first ``n`` frames as `dynode metrics` reads them: uint8 pixels as decoded (a synthetic clip without shared data)."""
    import torch

    from dynode_plugin.video import read_frames

    clip_path = SHARED / "aamir_khan_clip.mp4"
    if clip_path.exists():
        return read_frames(clip_path, max_frames=n, keep_uint8=True)[0]
    return torch.randint(0, 256, (n, 720, 1280, 3), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)).permute(0, 3, 1, 2)


def as_pixels(frames):
    """Float frames -> uint8 pixels [N,3,H,W] stored [N,H,W,3] (how an edited video reads back)."""
    import torch

    from dynode_plugin.video import to_uint8

    return torch.from_numpy(to_uint8(frames)).permute(0, 3, 1, 2)


def old_vs_new(quick: bool, tmp: Path):
    """Identity metrics: dlib's own path on float frames (earlier versions: `dynode metrics` read floats) vs
    the fast path on the decoded uint8 pixels (as `dynode metrics` reads videos now) and on float frames
    (the previous version); no cache, cache being filled, source cached."""
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.metrics.embedding_cache import EmbeddingCache
    from dynode_plugin.metrics.evaluate import score_pair
    from dynode_plugin.video import pixels_to_float

    try:
        from dynode_plugin.metrics.enc_dlib import DlibEncoder

        old_enc, new_enc = DlibEncoder(fast=False), DlibEncoder()
        old_enc.net(), new_enc.net()  # load both networks before any timing
    except (DynodeInputError, ImportError) as exc:
        return {"skipped": str(exc).splitlines()[0]}
    px = decoded_pixels(16 if quick else 61)
    clip = pixels_to_float(px)  # exactly the float frames read_frames gives for this video
    colour = clip.clone()
    colour[:, 0] *= 0.85
    # the edits as pixels (an edited video is decoded to uint8 too); float inputs are their exact conversions
    edits_px = {"colour": as_pixels(colour), "brightness": as_pixels((clip * 0.9 + 0.08).clamp(0, 1))}
    inputs = {"uint8": {"source": px, **edits_px},
              "float": {"source": clip, **{k: pixels_to_float(v) for k, v in edits_px.items()}}}
    ids = ["tl-id", "tg-id", "identity-preservation"]
    for enc in (old_enc, new_enc):  # one-off costs (first forward pass, allocator) outside the timed rows
        enc.embed(clip[:2])
        enc.embed(px[:2])
        enc.finder._hint = 0  # the first timed video starts with a full scan, as in a fresh process
    rows = []
    before = load()
    cache = EmbeddingCache(tmp / "embedding-cache")
    cache_both = EmbeddingCache(tmp / "embedding-cache-both")
    # first edit: no cache, then filling an empty cache (`dynode metrics`' default: hashes and stores the
    # source), from uint8 pixels (now) and from float frames (previous version), interleaved; all between two
    # old runs. Second edit of the same source: its embeddings come from the cache (uint8 and float keys were
    # filled by the first edit's rows), compared with the old run of that edit. Ratios: to the mean of the old
    # runs of the same edit (the load drifts during a run); CPU time is the steadier measure under load.
    old = "old (dlib's own code, float frames)"
    runs = [(old, old_enc, None, "float", "colour"),
            ("new, uint8 pixels, first edit, no cache", new_enc, None, "uint8", "colour"),
            ("new, float frames (previous), first edit, no cache", new_enc, None, "float", "colour"),
            ("new, uint8 pixels, first edit, filling the cache", new_enc, cache, "uint8", "colour"),
            ("new, float frames (previous), first edit, filling the cache", new_enc, cache, "float", "colour"),
            # as `dynode metrics` runs on 2+ cores: source and edited embedded at once (evaluate.embed_both);
            # wall time is what shrinks, CPU time is the same work; a fresh cache so it is again a first edit
            ("new, uint8 pixels, first edit, filling the cache, both videos at once", new_enc, cache_both, "uint8", "colour", True),
            (old, old_enc, None, "float", "colour"),
            ("new, uint8 pixels, 2nd edit, source cached", new_enc, cache, "uint8", "brightness"),
            ("new, float frames (previous), 2nd edit, source cached", new_enc, cache, "float", "brightness"),
            (old, old_enc, None, "float", "brightness")]
    for label, enc, c, kind, edit, *both in runs:
        src, edt = inputs[kind]["source"], inputs[kind][edit]
        t, cpu = time.perf_counter(), time.process_time()
        rec = score_pair(src, edt, ids, enc, cache=c, concurrent=bool(both and both[0]))
        s, cpu = time.perf_counter() - t, time.process_time() - cpu
        rows.append({"path": label, "input": kind, "edit": edit, "frames": len(src), "s_per_frame": s / len(src), "seconds": s,
                     "cpu_s_per_frame": cpu / len(src), **{m: rec[m]["value"] for m in ids}})
    olds = {e: [r for r in rows if r["path"] == old and r["edit"] == e] for e in edits_px}
    mean_old = {e: {k: sum(r[k] for r in rs) / len(rs) for k in ("s_per_frame", "cpu_s_per_frame", *ids)} for e, rs in olds.items()}
    for r in rows:  # wall-clock and CPU-time ratios to the mean of the edit's old runs
        r["speedup_vs_old"] = mean_old[r["edit"]]["s_per_frame"] / r["s_per_frame"]
        r["cpu_speedup_vs_old"] = mean_old[r["edit"]]["cpu_s_per_frame"] / r["cpu_s_per_frame"]
    e_old, e_new = old_enc.embed(clip), new_enc.embed(px)
    new_rows = [r for r in rows if r["path"] != old]
    diff = {"embedding_max_abs": float((e_old.vectors - e_new.vectors).abs().nan_to_num(0).max()),
            "faces_found_equal": bool((e_old.found == e_new.found).all()),
            "metric_max_abs_new_vs_old": max(abs(r[m] - mean_old[r["edit"]][m]) for r in rows for m in ids),
            "uint8_and_float_metrics_identical": all(r[m] == q[m] for r in new_rows for q in new_rows
                                                     if r["edit"] == q["edit"] for m in ids)}
    return {"rows": rows, "differences": diff, "stages": stages(clip[:8 if quick else 20], px[:8 if quick else 20], old_enc, new_enc),
            "content_key_ms_per_frame": key_costs(clip, px),
            "detection_routes": detection_options(clip[:16] if quick else clip),
            "uptime_before": before, "uptime_after": load(),
            "finder": {"shortcuts": new_enc.finder.shortcuts, "full_scans": new_enc.finder.full_scans}}
