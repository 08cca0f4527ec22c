"""Many clips: one `dynode batch` process vs one `dynode edit` process per clip (issue 17).

    python benchmarks/batch_vs_processes.py [--clips 4] [--frames 12] [--steps 100] [--inversion-steps 20]
                                            [--out benchmarks/results/batch_vs_processes.json]

Both ways run the real command line in fresh processes on the same toy clips (64x64 mp4, as
benchmarks/batch.py), same edit (colour=+1), same fit steps, one torch thread:

* per-process (the way before): `dynode edit --input clipI.mp4 --out ...` once per clip, so every
  clip pays the interpreter start, `import torch`, the plugin registry and the toy assets again;
* batch: `dynode batch manifest.csv --encoder ''` (no identity scoring, as `edit` does none):
  every clip fitted in one process, imports and assets paid once.

The two ways alternate (per-process first, then batch, twice) so both see the same load; the
table gives clips/min, the ratio, and the 1-minute load average around each run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import make_clips  # noqa: E402
from common import machine, print_table, write_json  # noqa: E402

CLI = "from dynode_plugin.cli import main; main()"


def dynode(args, env) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"dynode {' '.join(args)} failed:\n{r.stderr[-2000:]}")
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clips", type=int, default=4)
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--inversion-steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "batch_vs_processes.json"))
    a = ap.parse_args(argv)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "DYNODE_TOY_INVERSION_STEPS": str(a.inversion_steps)}
    common = ["--edit", "colour=+1", "--steps", str(a.steps), "--threads", "1", "-q"]
    runs = []
    with tempfile.TemporaryDirectory(prefix="dynode_bvp_") as d:
        d = Path(d)
        clips = make_clips(d, a.clips, a.frames)
        for rep in range(a.repeats):
            load = os.getloadavg()[0]
            per = sum(dynode(["edit", "--input", c.path, "--out", str(d / f"edit{rep}" / c.id), *common], env) for c in clips)
            runs.append({"way": "per-process (dynode edit x N)", "wall_s": per, "load_before": load, "load_after": os.getloadavg()[0]})
            load = os.getloadavg()[0]
            one = dynode(["batch", str(d / "manifest.csv"), "--out", str(d / f"batch{rep}"), "--encoder", "", *common], env)
            runs.append({"way": "one process (dynode batch)", "wall_s": one, "load_before": load, "load_after": os.getloadavg()[0]})
            print(f"  repeat {rep}: per-process {per:.1f} s, batch {one:.1f} s, load {load:.1f}", file=sys.stderr)
    rows = []
    for way in ("per-process (dynode edit x N)", "one process (dynode batch)"):
        walls = [r["wall_s"] for r in runs if r["way"] == way]
        rows.append({"way": way, "wall_s (median)": statistics.median(walls), "clips_per_min": 60 * a.clips / statistics.median(walls),
                     "load": max(max(r["load_before"], r["load_after"]) for r in runs if r["way"] == way)})
    ratio = rows[1]["clips_per_min"] / rows[0]["clips_per_min"]
    print(f"\n{a.clips} toy clips x {a.frames} frames, colour=+1, {a.steps} fit steps, {a.inversion_steps} inversion steps, 1 thread")
    print_table(rows, list(rows[0]))
    print(f"one process / per-process: {ratio:.2f}x clips/min")
    path = write_json(a.out, {"machine": machine(), "settings": vars(a), "runs": runs, "summary": rows, "ratio": ratio,
                              "note": "2-core machine shared with other jobs: the ratio within this run counts, seconds depend on load"})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
