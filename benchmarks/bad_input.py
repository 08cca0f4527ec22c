"""How fast does a bad command line answer? (issue 12/17: under a second, before torch loads, on every command.)

    python benchmarks/bad_input.py [--repeats 5] [--out benchmarks/results/bad_input.json]

Times, in fresh processes, in one run: ``dynode fit missing.pt`` (the path is checked before
torch is imported), the same command with torch imported first (what the CLI did before:
the baseline), a few other bad inputs, and the floor (``python -c pass``, ``import click``).
Reports medians, the ratio to the baseline, and the machine's load (shared machine).
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

from common import ROOT, machine, print_table, write_json

CLI = "from dynode_plugin.cli import main; main()"
CASES = {
    "python -c pass (floor)": ["-c", "pass"],
    "import click (floor)": ["-c", "import click"],
    "dynode fit missing.pt": ["-c", CLI, "fit", "missing.pt", "--out", "x.dynode"],
    "dynode fit z.pt --steps 0": ["-c", CLI, "fit", "z.pt", "--out", "x.dynode", "--steps", "0"],
    "dynode interpolate m.dynode --fps nanx": ["-c", CLI, "interpolate", "m.dynode", "--out", "o.pt", "--fps", "nanx"],
    "dynode fit z.pt --out z.pt (an input)": ["-c", CLI, "fit", "z.pt", "--out", "z.pt", "--force"],
    "dynode edit --input missing.mp4": ["-c", CLI, "edit", "--input", "missing.mp4", "--edit", "colour=+1", "--out", "o"],
    "dynode edit --host latent-transformer (no checkout)": ["-c", CLI, "edit", "--host", "latent-transformer", "--input", "z.pt",
                                                            "--edit", "Smiling=1", "--out", "o"],
    "dynode batch bad.csv (a missing clip)": ["-c", CLI, "batch", "bad.csv", "--edit", "colour=+1", "--out", "o"],
    "dynode metrics --source missing.mp4": ["-c", CLI, "metrics", "--source", "missing.mp4", "--edited", "missing.mp4"],
    "dynode demo --out z.pt (a file)": ["-c", CLI, "demo", "--out", "z.pt"],
    "dynode lt manipulate --lt-root missing": ["-c", CLI, "lt", "manipulate", "--lt-root", "missing", "--latents-dir", ".",
                                               "--attr", "Smiling", "--out", "o"],
    "dynode tcsve edit --tcsve-root missing": ["-c", CLI, "tcsve", "edit", "--tcsve-root", "missing", "--run", "r", "--out", "o.pth"],
    "dynode stit edit --stit-root missing": ["-c", CLI, "stit", "edit", "--stit-root", "missing"],
    "baseline: torch imported first, then fit missing.pt": ["-c", "import torch; " + CLI, "fit", "missing.pt", "--out", "x.dynode"],
}


def time_once(args, cwd) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "bad_input.json"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "z.pt").write_bytes(b"")  # exists: the option checks run; never read
        (Path(d) / "m.dynode").write_bytes(b"")
        (Path(d) / "bad.csv").write_text("path\nnope.mp4\n")
        load_before = os.getloadavg()
        times = {name: [] for name in CASES}
        for _ in range(a.repeats):  # interleaved, so load changes hit every case alike
            for name, args in CASES.items():
                times[name].append(time_once(args, d))
        load_after = os.getloadavg()
    base = statistics.median(times["baseline: torch imported first, then fit missing.pt"])
    rows = [{"case": n, "median_s": statistics.median(v), "min_s": min(v), "vs_baseline": statistics.median(v) / base}
            for n, v in times.items()]
    print_table(rows, ["case", "median_s", "min_s", "vs_baseline"])
    print(f"load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f} ({os.cpu_count()} cores)")
    torch_s = statistics.median(times["baseline: torch imported first, then fit missing.pt"]) - statistics.median(times["dynode fit missing.pt"])
    print(f"(import torch alone costs ~{torch_s:.2f} s here: every case below the baseline by that much answered before it)")
    write_json(a.out, {"machine": machine(), "load_average_1min": [load_before[0], load_after[0]], "repeats": a.repeats,
                       "note": "shared machine under load: compare ratios, not seconds", "rows": rows})


if __name__ == "__main__":
    main()
