"""Sparse inversion in the real hosts: K=1 against K=4 on a copy of the user's own checkout.

Used by ``benchmarks/sparse_inversion.py`` (``--stit-root``, ``--tcsve-root``); nothing of a
host is shipped or rebuilt here: the checkout is the user's, copied to a temporary folder so
random-weight networks of its own classes can be written into it (``*_builders`` in
tests/fakes). On the CPU, nothing downloaded.

STIT (``stit_timing``): STIT's own train.py on the first N frames of a real face video
(dlib's 68-point predictor from the face_recognition_models package, the file STIT's
``--use_dlib`` default reads), three runs in one process: STIT alone (the compat fixes that let
it run on a CPU and nothing else), then ``dynode stit train --every 1`` and ``--every 4``.
Each run: wall and CPU seconds of the whole script and, apart, of the alignment (dlib on every
frame) and of the inversion (e4e + PTI, ``Coach.train``), the fit, and the load.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL_GENERATOR = dict(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3, mapping_kwargs={"num_layers": 2},
                       synthesis_kwargs={"channel_base": 1024, "channel_max": 16, "num_fp16_res": 4, "conv_clamp": 256})


class _AlexNetWithoutDownload:
    """LPIPS builds torchvision's AlexNet with its ImageNet weights (a download): random ones instead."""

    def __enter__(self):
        import torchvision

        self.module, self.alexnet = torchvision.models, torchvision.models.alexnet
        torchvision.models.alexnet = lambda pretrained=True, **kw: self.alexnet(weights=None)

    def __exit__(self, *exc):
        self.module.alexnet = self.alexnet


def _cli(args, report):
    from click.testing import CliRunner

    from dynode_plugin.cli import build_cli

    t0, c0, load = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    res = CliRunner().invoke(build_cli(), [*args[:2], "-q", "--report-json", str(report), *args[2:]])
    if res.exit_code != 0:
        raise SystemExit(f"dynode {' '.join(args[:2])} failed: {res.output}")
    return json.loads(Path(report).read_text()), {"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
                                                  "load_1m": [load, os.getloadavg()[0]]}


def _stit_alone(root: Path, args):
    """STIT's train.py with the CPU compat fixes only; alignment and ``Coach.train`` timed."""
    from dynode_adapters.stit.runner import execute
    from dynode_adapters.stit.session import StitSession
    from dynode_adapters.stit.sparse_train import TrainSession
    from dynode_plugin.frame_selection import SelectionSpec

    timer = TrainSession(SelectionSpec(every=1), "ode", {}, progress=False)

    def prepare(fixes):
        import training.coaches.coach as coach_module
        import utils.alignment as alignment

        train = coach_module.Coach.train

        def timed_train(coach):
            with timer.timed("inversion"):
                return train(coach)
        fixes.setattr(alignment, "crop_faces", timer.crop_faces(alignment.crop_faces))
        fixes.setattr(coach_module.Coach, "train", timed_train)

    t0, c0, load = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    execute(root, "train.py", args, StitSession(overrides={"dynode_compat": True}, announce=False), prepare=prepare)
    return {"seconds": timer.seconds, "wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
            "inverted": None, "load_1m": [load, os.getloadavg()[0]]}


def stit_timing(stit_root: str, n_frames: int, pti_steps: int, video=None, ks=(1, 4), alone: bool = True):
    """STIT's train.py: STIT alone and through ``dynode stit train`` at each K, on a copy of the checkout
    (``fake``: tests/fakes/stit with its synthetic frames) with random weights."""
    sys.path.insert(0, str(ROOT / "tests" / "fakes" / "stit"))
    import stit_builders as B

    real = stit_root != "fake"
    out = {"checkout": str(stit_root), "frames": n_frames, "pti_steps": pti_steps, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp, (_AlexNetWithoutDownload() if real else contextlib.nullcontext()):
        tmp = Path(tmp)
        if real:
            for name in ("lpips", "dlib", "face_alignment", "wandb", "skimage"):  # imported once, before any timing
                __import__(name)
            root = B.copy_checkout(tmp / "STIT", Path(stit_root))
            B.make_real_train_models(root, generator_kwargs=SMALL_GENERATOR)
            frames = B.write_video_frames(tmp / "frames", video, n_frames)
            out["video"], out["generator"] = str(video), "StyleGAN2-ADA 1024 px, channel_max 16 (random); e4e full size (random)"
        else:
            root = B.copy_checkout(tmp / "STIT")
            frames = B.make_train_inputs(root, n_frames=n_frames)["frames"]
        runs = [("stit", None)] if alone else []
        for name, k in runs + [(f"K={k}", k) for k in ks]:
            args = ["-i", str(frames), "-o", str(tmp / f"out_{k}"), "-r", f"run{k}", "--num_pti_steps", str(pti_steps)]
            if k is None:
                row = _stit_alone(root, args)
            else:
                rep, row = _cli(["stit", "train", "--stit-root", str(root), "--every", str(k), "--", "train.py", *args],
                                tmp / f"k{k}.json")
                row.update(seconds=rep["seconds"], inverted=rep["selection"]["inverted"])
            out["runs"][name] = row
            s = row["seconds"]
            print(f"  STIT {name}: train.py {row['wall_s']:.1f} s wall / {row['cpu_s']:.1f} s CPU; alignment "
                  f"{s.get('alignment', 0):.1f} / {s.get('alignment_cpu', 0):.1f}; e4e + PTI {s['inversion']:.1f} / "
                  f"{s['inversion_cpu']:.1f}; fit {s.get('fit', 0):.1f}; load {row['load_1m']}", file=sys.stderr)
    r1, r4 = out["runs"][f"K={ks[0]}"], out["runs"][f"K={ks[-1]}"]
    ratio = {"inversion_cpu": r4["seconds"]["inversion_cpu"] / r1["seconds"]["inversion_cpu"],
             "inversion_wall": r4["seconds"]["inversion"] / r1["seconds"]["inversion"],
             "inversion_and_fit_cpu": (r4["seconds"]["inversion_cpu"] + r4["seconds"].get("fit_cpu", 0))
             / r1["seconds"]["inversion_cpu"],
             "script_cpu": r4["cpu_s"] / r1["cpu_s"], "script_wall": r4["wall_s"] / r1["wall_s"]}
    if alone:
        base = out["runs"]["stit"]
        ratio.update(vs_stit_inversion_cpu=r4["seconds"]["inversion_cpu"] / base["seconds"]["inversion_cpu"],
                     vs_stit_script_cpu=r4["cpu_s"] / base["cpu_s"])
    out["k4_over_k1"] = ratio
    out["k4_over_k1_inversion"] = ratio["inversion_cpu"]  # the target's measure: e4e + PTI, CPU seconds
    return out


def tcsve_timing(tcsve_root: str, n_frames: int, pti_steps: int):
    """`dynode tcsve invert` at K=1 and K=4 on a copy of a REAL VideoEditGAN checkout: e4e (IR-SE50 and
    its 1024 px decoder) and a small StyleGAN2-ADA generator, random weights (tcsve_builders), the
    checkout's own run_PTI with LPIPS (AlexNet without its ImageNet weights: nothing is downloaded).
    Needs torchvision, lpips and matplotlib (the checkout's imports)."""
    sys.path.insert(0, str(ROOT / "tests" / "fakes" / "tcsve"))
    import tcsve_builders as B

    out = {"checkout": str(tcsve_root), "frames": n_frames, "pti_steps": pti_steps}
    with tempfile.TemporaryDirectory() as tmp, _AlexNetWithoutDownload():
        tmp = Path(tmp)
        root = B.copy_checkout(tmp / "VideoEditGAN", source=Path(tcsve_root))
        B.make_real_inversion_models(root, generator_kwargs=SMALL_GENERATOR)
        aligned = B.write_aligned_video(tmp / "aligned", n_frames, size=1024)
        for k in (1, 4):
            rep, row = _cli(["tcsve", "invert", "--tcsve-root", str(root), "--aligned-frames", str(aligned), "--run", f"k{k}",
                             "--inverted-root", str(tmp / f"inv{k}"), "--pti-steps", str(pti_steps), "--every", str(k)],
                            tmp / f"k{k}.json")
            out[f"K={k}"] = {**row, "seconds": rep["seconds"], "inverted": rep["selection"]["inverted_count"]}
            print(f"  TCSVE K={k}: {out[f'K={k}']}", file=sys.stderr)
    out["k4_over_k1_cpu"] = out["K=4"]["cpu_s"] / out["K=1"]["cpu_s"]
    out["k4_over_k1_wall"] = out["K=4"]["wall_s"] / out["K=1"]["wall_s"]
    return out
