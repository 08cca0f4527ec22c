"""STIT's edit run, per-frame (STIT's own LatentEditor on all frames) vs DynODE (frame 0 + propagation).

    python benchmarks/stit_edit.py [--quick] [--stit-root PATH] [--frames 16 64] [--out benchmarks/results/stit_edit.json]

Checkout: the fake in tests/fakes/stit (same scripts, module layout and formats, tiny
networks), or a real STIT checkout with --stit-root (copied to a temporary folder; a run is
made there with STIT's own full-size 1024 px Generator and BiSeNet, randomly initialised,
so render costs are real; needs STIT's requirements, torchvision beside torch==2.14.1).
Each N runs `dynode stit edit`'s runner in-process three ways: per-frame, DynODE with a
fit, DynODE reusing the saved model.
Columns: seconds of STIT's edit step (the LatentEditor call: per-frame = STIT's vectorised
edit of all frames; DynODE = fit or load + frame-0 edit + propagation), seconds of the whole
script run (load, crop, edit, render, mask, paste, write), the whole run relative to
per-frame, and the edit's latent flicker (mean ||d_{i+1} - d_i|| / mean ||d_i||).
Also: interpreter start-up time with and without the .pth startup hook (the cost the hook
puts on every Python program).
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests" / "fakes" / "stit"))
from common import machine, print_table, write_json  # noqa: E402


def _edit_args(root: Path, n_edits: int):
    return ["-i", str(root / "input_frames"), "-o", str(root / "out"), "-r", "bench", "-en", "age", "-er", "-2", "2", str(n_edits)]


def bench_checkout(root: Path, n: int, steps: int, n_edits: int):
    from dynode_adapters.stit.runner import run_script

    rows = []
    common = {"dynode_steps": steps, "dynode_progress": False}
    # warm-up: the first run in a process pays one-off imports (imageio-ffmpeg, click, ...)
    run_script(root, "edit_video.py", _edit_args(root, 1), use_dynode=False, overrides={"dynode_compat": True})
    for method, use_dynode, extra in [("per-frame", False, {"dynode_compat": True}),
                                      ("dynode (fit)", True, {"dynode_refit": True}),
                                      ("dynode (reuse)", True, {})]:
        rep = run_script(root, "edit_video.py", _edit_args(root, n_edits), use_dynode=use_dynode, overrides={**common, **extra})
        e = rep["edit"]
        rows.append({"frames": n, "method": method, "edit_step_s": e.get("edit_step_seconds"),
                     "fit_s": e.get("fit_seconds"), "run_s": rep["total_seconds"], "edits": e.get("edits")})
    base = rows[0]["run_s"]
    for r in rows:
        r["run_vs_per_frame"] = r["run_s"] / base
    return rows


def flicker(root: Path, pivots, steps: int):
    """Edit-delta flicker of per-frame vs DynODE for one InterFaceGAN edit (through the patch, no rendering)."""
    import importlib

    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_plugin.consistency import delta_consistency
    from dynode_adapters.stit import import_hook
    from dynode_adapters.stit.runner import HOST_PACKAGES
    from dynode_adapters.stit.session import StitSession

    out = {}
    # compat on before the import: the fixes are applied as STIT's modules load
    session = StitSession(overrides={"dynode_compat": True}, announce=False, run="bench")
    import_hook.install(force=True, session=session)
    try:
        with checkout_on_path(root, HOST_PACKAGES, chdir=True):
            le = importlib.import_module("editings.latent_editor")
            for method, on in [("per-frame", False), ("dynode", True)]:
                session.overrides.update(use_dynode=on, dynode_steps=steps, dynode_progress=False)
                session.models.clear()
                edits, _ = le.LatentEditor().get_interfacegan_edits(pivots, ("age",), (4, 4, 1))
                out[method] = delta_consistency(pivots.double(), edits[0][0].double().cpu())["delta_step_rel"]
    finally:
        session.close()
        import_hook.uninstall()
    return out


def startup_cost(repeats: int):
    """Median seconds of `python -c pass` with our .pth in a site dir vs without (same interpreter)."""
    from dynode_adapters.stit.hook_file import install_hook

    with tempfile.TemporaryDirectory() as site:
        code = f"import site; site.addsitedir({site!r})"
        times = {}
        for label in ("without hook", "with hook"):
            if label == "with hook":
                install_hook(site)
            samples = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], check=True)
                samples.append(time.perf_counter() - t0)
            times[label] = statistics.median(samples)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--stit-root", default=None, help="a real STIT checkout (see the docstring)")
    ap.add_argument("--frames", type=int, nargs="+", default=None)
    ap.add_argument("--steps", type=int, default=None, help="ODE fit steps (default: the library default; --quick: 100)")
    ap.add_argument("--edits", type=int, default=2, help="factors per run (STIT's -er ... K)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "stit_edit.json"))
    a = ap.parse_args()
    frames = a.frames or ([8] if a.quick else [16, 64])
    steps = a.steps or (100 if a.quick else 800)

    import stit_builders as B

    rows, flick = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in frames:
            root = B.copy_checkout(Path(tmp) / f"STIT-{n}", source=Path(a.stit_root) if a.stit_root else B.FAKE_ROOT)
            with B.offline_stand_ins() if a.stit_root else contextlib.nullcontext():
                B.make_run(root, run="bench", n_frames=n, pivots=B.smooth_pivots(n, seed=n, jitter=0.2))
                rows += bench_checkout(root, n, steps, a.edits)
            from dynode_adapters.stit.checkpoint import read_pivots

            flick[n] = flicker(root, read_pivots(root / "checkpoints" / "model_bench.pt"), steps)
    for r in rows:
        r["flicker"] = flick[r["frames"]]["dynode" if r["method"].startswith("dynode") else "per-frame"]
    columns = ["frames", "method", "edit_step_s", "fit_s", "run_s", "run_vs_per_frame", "flicker"]
    print(f"STIT edit run ({'real checkout' if a.stit_root else 'fake STIT'}), {a.edits} factors per run, ODE steps {steps}")
    print_table(rows, columns)
    start = startup_cost(5 if a.quick else 15)
    print(f"\ninterpreter start: {start['without hook'] * 1e3:.1f} ms without the hook, {start['with hook'] * 1e3:.1f} ms with it")
    path = write_json(a.out, {"machine": machine(), "host": "real" if a.stit_root else "fake", "ode_steps": steps,
                              "edits_per_run": a.edits, "rows": rows, "startup_seconds": start})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
