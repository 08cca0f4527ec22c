"""The ODE's path-straightness penalty (ODEConfig.straightness) on sparse and irregular clips.

    python benchmarks/straightness.py [--weights 0,0.1,0.3] [--out benchmarks/results/straightness.json]

Clips: the real W+ inversions in ../shared/data/dynode_example (every other sample observed,
when present) and realistic synthetic 64-frame clips (benchmarks/common.py, seeds 0 and 1):
every 4th, every 8th and 16 irregular frames observed. Column: held-out latent MSE against the
clean trajectory (the real clip: against the held-out inversions), for linear interpolation and
the ODE at each penalty weight (default settings otherwise; 800 steps).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, machine, print_table, realistic_clip, write_json  # noqa: E402


def cases():
    real = SHARED / "dynode_example" / "dynode_all_latents.pth"
    if real.exists():
        z = torch.load(real, map_location="cpu")[:, 0].float()
        m = torch.zeros(len(z), dtype=torch.bool)
        m[::2] = True
        m[-1] = True
        yield "real-11, every 2nd", z, m, z
    for seed in (0, 1):
        _, clean, noisy = realistic_clip(64, seed=seed)
        for every in (4, 8):
            m = torch.zeros(64, dtype=torch.bool)
            m[::every] = True
            m[-1] = True
            yield f"synthetic s{seed}, every {every}th", noisy, m, clean
        g = torch.Generator().manual_seed(seed)
        m = torch.zeros(64, dtype=torch.bool)
        m[torch.randperm(62, generator=g)[:14] + 1] = True
        m[0] = m[-1] = True
        yield f"synthetic s{seed}, 16 irregular", noisy, m, clean


def main(argv=None):
    from dynode_plugin import DynamicsModel, LinearDynamics

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", default="0,0.1,0.3")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "straightness.json"))
    a = ap.parse_args(argv)
    weights = [float(w) for w in a.weights.split(",")]
    rows = []
    for name, z, mask, ref in cases():
        held = ~mask
        row = {"clip": name, "linear": float(((LinearDynamics().fit(z, mask=mask, progress=False).predict()[held] - ref[held]) ** 2).mean())}
        for w in weights:
            t0 = time.perf_counter()
            model = DynamicsModel(straightness=w).fit(z, mask=mask, progress=False)
            pred = model.predict().detach()
            row[f"ode {w:g}"] = float(((pred[held] - ref[held]) ** 2).mean())
            row[f"fit s {w:g}"] = time.perf_counter() - t0
            row[f"guarded {w:g}"] = model.guarded
        rows.append(row)
        print(name, {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items() if k != "clip"}, flush=True)
    print()
    print_table(rows, ["clip", "linear", *[f"ode {w:g}" for w in weights], *[f"fit s {w:g}" for w in weights]])
    print(f"wrote {write_json(a.out, {'machine': machine(), 'weights': weights, 'rows': rows})}")


if __name__ == "__main__":
    main()
