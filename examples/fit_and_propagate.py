"""Fit a latent trajectory, interpolate 4x, and carry a frame-0 edit to every frame.

    python examples/fit_and_propagate.py [LATENTS] [--direction DIR.npy] [--steps N] [--out out/]

LATENTS: any latent file dynode reads (default: the real W+ inversions in
../shared/data/dynode_example/dynode_all_latents.pth if present, else a synthetic clip).
--direction: an (18, 512) edit direction such as STIT's editings/w_directions/age.npy
(default: ../shared/data/stit_w_directions/smile.npy if present, else a random one).
"""
import argparse
from pathlib import Path

import numpy as np
import torch

from dynode_plugin import DynamicsModel, edit_first_and_propagate, load_latents, save_latents

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("latents", nargs="?", default=SHARED / "dynode_example" / "dynode_all_latents.pth")
    ap.add_argument("--direction", default=SHARED / "stit_w_directions" / "smile.npy")
    ap.add_argument("--factor", type=float, default=3.0)
    ap.add_argument("--out", default="out")
    ap.add_argument("--steps", type=int, default=None, help="ODE fit steps (default: the library's)")
    args = ap.parse_args()

    if Path(args.latents).exists():
        latents = load_latents(args.latents)
        print(f"latents {list(latents.shape)} from {args.latents}")
    else:  # a synthetic curved clip so the example runs anywhere
        t = torch.linspace(0, 1, 24)[:, None, None]
        latents = torch.randn(1, 18, 512) * 0.5 + torch.sin(4 * t) * torch.randn(1, 18, 512) + t * torch.randn(1, 18, 512)
        print(f"no latents at {args.latents}: using a SYNTHETIC 24-frame clip. For real data pass a latent file "
              f"(e.g. STIT's checkpoints/model_<run>.pt), or put the shared W+ inversions at {SHARED / 'dynode_example'}")
    if Path(args.direction).exists():
        direction = torch.from_numpy(np.load(args.direction)).float()
    else:
        direction = torch.randn(18, 512)
        print(f"no edit direction at {args.direction}: using a random one (pass --direction, e.g. STIT's "
              "editings/w_directions/age.npy)")

    # 1. fit on every other frame, check the frames it never saw
    mask = torch.zeros(len(latents), dtype=torch.bool)
    mask[::2] = True
    mask[-1] = True
    fit_kwargs = {"steps": args.steps} if args.steps else {}
    model = DynamicsModel(**fit_kwargs).fit(latents, mask=mask)
    print(model.report)
    pred = model.predict()
    print(f"held-out latent MSE: {float(((pred[~mask] - latents[~mask]) ** 2).mean()):.4f}")

    # 2. 4x frame rate
    dense = model.predict(torch.linspace(0, 1, 4 * (len(latents) - 1) + 1))
    out = Path(args.out)
    save_latents(dense, out / "dense.pt")

    # 3. edit frame 0 only (STIT's InterFaceGAN convention: w + factor/2 * direction) and propagate
    result = edit_first_and_propagate(latents, lambda z0: z0 + args.factor / 2 * direction, model_path=out / "clip.dynode",
                                      settings=fit_kwargs)
    save_latents(result.edited, out / "edited.pt")
    per_frame = latents + args.factor / 2 * direction
    print(f"max |dynode - per-frame| for this linear edit: {float((result.edited - per_frame).abs().max()):.2e}")
    print(f"wrote {out}/dense.pt, {out}/edited.pt, {out}/clip.dynode; timings {result.seconds}")


if __name__ == "__main__":
    main()
