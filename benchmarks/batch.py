"""`dynode batch` throughput: clips/min for 1 worker, 2 local workers and Ray local mode, and the job layer's overhead.

    python benchmarks/batch.py [--clips 6] [--frames 12] [--steps 200] [--inversion-steps 40] [--quick] [--out benchmarks/results/batch.json]

Clips: toy-world renders (dynode_plugin.toy.world.render_clip, as tests/batch/test_batch_toy.py),
written as 64x64 mp4 files plus a manifest CSV in a temp folder; every mode edits the same clips
with the toy host and colour=+1, exactly what `dynode batch manifest.csv --host toy --edit colour=+1
--steps S -q` runs (run_batch + summary.json; the CLI's parsing is not timed).

Modes: `1 worker` (in-process), `2 workers` (local spawn pool, 1 torch thread each), `ray local`
(Ray started by the run itself, as `--ray-address local` does; its start-up is in the wall time).
Each mode is also run with a stand-in clip that does no work ("empty" column): that is the fixed
cost of the mode (pool spawn + imports in the workers, Ray start-up) plus per-clip bookkeeping.

Overhead of the job layer per clip, three ways:
  * bare loop vs 1 worker: edit_clip called directly on the same clips, (batch - bare) / clips.
    Both sides are ~10 s of compute per clip, so this difference is within run-to-run noise.
  * in-run: 1-worker wall minus the sum of the per-clip task seconds in the records, / clips
    (what the layer spends outside the clips in that very run; noise-free).
  * resume: a --resume run over the finished output (every clip skipped) = pure bookkeeping.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table, write_json  # noqa: E402


def noop_runner(clip, settings, clip_dir):
    """A clip that does no work: a run with it times only the job layer and the mode's start-up."""
    return {"frames": 0}


def make_clips(folder: Path, n: int, frames: int):
    from dynode_plugin.batch.manifest import read_manifest
    from dynode_plugin.toy.world import render_clip
    from dynode_plugin.video import write_video

    rows = ["path,id"]
    for i in range(n):
        write_video(render_clip(frames, seed=100 + i), folder / f"clip{i}.mp4", fps=12)
        rows.append(f"clip{i}.mp4,clip{i}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return read_manifest(folder / "manifest.csv")  # the CLI's validation, so ids/paths match a real run


def batch(clips, runner, settings, out, **kw):
    """What `dynode batch` does after parsing: run_batch, then summary.json."""
    from dynode_plugin.batch.jobs import run_batch
    from dynode_plugin.batch.summary import summarize, write_summary

    t0 = time.perf_counter()
    res = run_batch(clips, runner, settings, out, progress=False, **kw)
    write_summary(out, summarize(res.records, settings, res.seconds, res.skipped))
    wall = time.perf_counter() - t0
    if res.failed:
        raise RuntimeError(f"{len(res.failed)} clip(s) failed: {res.failed[0].get('error')}")
    return wall, res


def ray_batch(clips, runner, settings, out):
    import ray

    try:
        return batch(clips, runner, settings, out, ray_address="local")
    finally:
        ray.shutdown()  # the next Ray run starts Ray again, as a fresh `dynode batch --ray-address local` would


def load1():
    return round(os.getloadavg()[0], 2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--frames", type=int, default=12, help="frames per clip")
    ap.add_argument("--steps", type=int, default=200, help="dynamics fit steps per clip (dynode batch --steps)")
    ap.add_argument("--inversion-steps", type=int, default=40, help="DYNODE_TOY_INVERSION_STEPS (default 150 in the toy host)")
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--quick", action="store_true", help="2 clips x 6 frames, 10 inversion steps, 20 fit steps (smoke run)")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "batch.json"))
    args = ap.parse_args(argv)
    if args.quick:
        args.clips, args.frames, args.steps, args.inversion_steps = 2, 6, 20, 10
    # Set before anything spawns: pool and Ray workers inherit the environment. (The toy
    # inverter still draws its progress bar: run_edit does not pass progress=False to invert.)
    os.environ["DYNODE_TOY_INVERSION_STEPS"] = str(args.inversion_steps)

    cores = os.cpu_count() or 1
    settings = {"host": "toy", "host_options": {}, "edit": "colour", "strength": 1.0, "per_frame": False,
                "encoder": "toy-appearance", "model": "ode", "mode": "offset",
                "dynamics": {"steps": args.steps}}  # = the CLI's settings for --edit colour=+1 --steps S
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="dynode_batch_bench_") as d:
        modes, loads, overhead = run_modes(Path(d), args, settings, cores)
    report(args, settings, cores, modes, loads, overhead, load_start, argv)


def run_modes(tmp: Path, args, settings, cores):
    import torch

    from dynode_plugin.batch.runner import edit_clip

    clips = make_clips(tmp, args.clips, args.frames)
    n = len(clips)

    # Warm-up outside every timing: first-call costs (imports, allocator, ffmpeg start-up) would
    # otherwise land on whichever mode runs first.
    torch.set_num_threads(cores)
    edit_clip(clips[0], settings, tmp / "warm" / "clips" / clips[0].id)

    modes, loads = {}, {}
    # bare loop: the same per-clip function, same thread count as the 1-worker job (run_task sets it)
    t0 = time.perf_counter()
    for c in clips:
        edit_clip(c, settings, tmp / "bare" / "clips" / c.id)
    bare = time.perf_counter() - t0
    loads["bare"] = load1()

    runs = [("1 worker", lambda r, o: batch(clips, r, settings, o, workers=1)),
            ("2 workers", lambda r, o: batch(clips, r, settings, o, workers=2))]
    if not args.no_ray:
        runs.append(("ray local", lambda r, o: ray_batch(clips, r, settings, o)))
    for i, (mode, fn) in enumerate(runs):
        wall, res = fn(edit_clip, tmp / f"run{i}")
        loads[mode] = load1()
        empty, _ = fn(noop_runner, tmp / f"empty{i}")
        task = [r["seconds"] for r in res.records]
        modes[mode] = {"wall_s": wall, "clips_per_min": 60 * n / wall, "task_s": task,
                       "task_s_mean": statistics.mean(task), "task_s_sum": sum(task),
                       "invert_s_mean": statistics.mean(r["stage_seconds"]["invert"] for r in res.records),
                       "empty_wall_s": empty}
        if mode == "1 worker":  # everything skipped: the pure bookkeeping of --resume
            resume, rres = batch(clips, edit_clip, settings, tmp / "run0", workers=1, resume=True)
            assert len(rres.skipped) == n, rres.skipped
    base = modes["1 worker"]["wall_s"]
    for m in modes.values():
        m["x_vs_1_worker"] = base / m["wall_s"]

    one = modes["1 worker"]
    overhead = {
        "bare_loop_s": bare, "batch_1_worker_s": base,
        "per_clip_s": (base - bare) / n, "pct": 100 * (base - bare) / bare,
        "in_run_per_clip_s": (base - one["task_s_sum"]) / n, "in_run_pct": 100 * (base - one["task_s_sum"]) / one["task_s_sum"],
        "resume_all_skipped_s": resume, "resume_per_clip_s": resume / n,
        "empty_clip_per_clip_s": one["empty_wall_s"] / n,
    }
    return modes, loads, overhead


def report(args, settings, cores, modes, loads, overhead, load_start, argv):
    n = args.clips
    rows = [{"mode": k, "wall s": v["wall_s"], "clips/min": v["clips_per_min"], "x vs 1 worker": v["x_vs_1_worker"],
             "task s (mean)": v["task_s_mean"], "invert s (mean)": v["invert_s_mean"], "empty-clip run s": v["empty_wall_s"],
             "load after": loads[k]} for k, v in modes.items()]
    print(f"\n{n} toy clips x {args.frames} frames, colour=+1, fit steps {args.steps}, inversion steps {args.inversion_steps}, {cores} cores")
    print_table(rows, list(rows[0]))
    print()
    print_table([{"measure": "bare loop vs 1 worker", "s/clip": overhead["per_clip_s"], "%": overhead["pct"]},
                 {"measure": "in-run (wall - task seconds)", "s/clip": overhead["in_run_per_clip_s"], "%": overhead["in_run_pct"]},
                 {"measure": "--resume, all skipped", "s/clip": overhead["resume_per_clip_s"], "%": None},
                 {"measure": "empty clips, 1 worker", "s/clip": overhead["empty_clip_per_clip_s"], "%": None}],
                ["measure", "s/clip", "%"])
    load_end = os.getloadavg()
    mach = machine()
    mach.update({"load_avg_start": load_start, "load_avg_end": load_end, "load_after_each_mode": loads,
                 "note": "1-min load average; other processes on this machine may run concurrently (load > cores = contention)"})
    payload = {"settings": {**{k: getattr(args, k) for k in ("clips", "frames", "steps", "inversion_steps", "quick")},
                            "batch_settings": settings, "threads": {"1 worker": cores, "2 workers": max(1, cores // 2), "ray local": 1},
                            "command": "python benchmarks/batch.py " + " ".join(argv if argv is not None else sys.argv[1:])},
               "modes": modes, "overhead": overhead, "machine": mach}
    path = write_json(args.out, payload)
    print(f"\nload average start {tuple(round(x, 2) for x in load_start)}, end {tuple(round(x, 2) for x in load_end)}; wrote {path}")


if __name__ == "__main__":
    main()
