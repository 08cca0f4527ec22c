"""The toy world's motion prior, shipped beside the toy weights: ``assets/toy.dynode-prior``.

    python -m dynode_plugin.toy.prior [--clips 400] [--steps 2500] [--out dynode_plugin/toy/assets/toy.dynode-prior]

Trained on ``--clips`` procedurally rendered clips (``world.render_clip``, 48 frames, scene seeds
from :data:`FIRST_SEED` on: disjoint from every benchmark's and test's seeds, which are below
it) encoded with the toy encoder, by :func:`dynode_plugin.dynamics.prior_training.train_prior`
with a per-clip code (``context``): the toy motions are sums of sines with random phases, which a
per-clip first-order field cannot infer from sparse observations, but a field trained on many
clips of the family, told the clip's phases through its code, can. The prior's header records the
seeds, the sha256 of the toy weights file it was trained against and that of its generator and encoder
tensors (``codes_sha256``; ``tests/toy/test_toy_prior.py`` fails when those change and the prior was
not re-trained; a re-derived direction or mapper does not change the codes the prior learned).
"""
from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from .assets import ASSETS, WEIGHTS

PRIOR = "toy.dynode-prior"
FIRST_SEED = 10_000  # training scenes are seeds FIRST_SEED..; benchmarks and tests use seeds below it
FRAMES = 48


def weights_sha256(path: Path = None) -> str:
    return hashlib.sha256(Path(path or ASSETS / WEIGHTS).read_bytes()).hexdigest()


def codes_sha256(path: Path = None) -> str:
    """sha256 of what the prior depends on: the generator's and the encoder's tensors (names, dtypes, shapes,
    bytes) in the toy weights file. A re-derived edit direction or mapper changes the file but not the codes."""
    import torch
    from safetensors.torch import load_file

    t = load_file(str(path or ASSETS / WEIGHTS))
    h = hashlib.sha256()
    for k in sorted(k for k in t if k.startswith(("g.", "e."))):
        h.update(f"{k}:{t[k].dtype}:{tuple(t[k].shape)}".encode())
        h.update(t[k].contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def shipped_prior_path() -> Path:
    return ASSETS / PRIOR


def training_seeds(prior) -> range:
    """The scene seeds a toy prior was trained on (from its header)."""
    t = prior.trained_against
    return range(int(t["first_seed"]), int(t["first_seed"]) + int(t["clips"]))


def encode_clips(clips: int, first_seed: int = FIRST_SEED, frames: int = FRAMES, batch: int = 50):
    """``clips`` rendered clips encoded with the toy encoder: a list of ``[frames, 10, 64]`` latents."""
    import torch

    from .host import ToyHost
    from .world import render_clip

    host = ToyHost(inversion="encoder")
    out = []
    for i in range(0, clips, batch):
        seeds = range(first_seed + i, first_seed + min(clips, i + batch))
        z = host.invert(torch.cat([render_clip(frames, s) for s in seeds]), progress=False)
        out += list(z.reshape(len(seeds), frames, *z.shape[1:]))
    return out


def build(clips: int = 400, steps: int = 2500, out: Path = None, progress: bool = True, max_gap: int = 8):
    """Render, encode, train and write the toy prior; returns it (its report holds the costs)."""
    import torch

    from ..dynamics.config import ODEConfig
    from ..dynamics.prior_training import PriorTraining, train_prior

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    latents = encode_clips(clips)
    encode_s = time.perf_counter() - t0
    against = {"toy_weights_sha256": weights_sha256(), "toy_codes_sha256": codes_sha256(), "first_seed": FIRST_SEED, "clips": clips, "frames": FRAMES,
               "inversion": "encoder"}
    prior = train_prior(latents, ODEConfig(subspace_dim=16), PriorTraining(steps=steps, max_gap=max_gap), progress=progress,
                        trained_against=against)
    prior.report["encode_seconds"] = encode_s
    prior.save(out or shipped_prior_path())
    return prior


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=400)
    ap.add_argument("--steps", type=int, default=2500)
    ap.add_argument("--max-gap", type=int, default=8, help="largest gap between a training window's observations, in frames")
    ap.add_argument("--out", default=str(shipped_prior_path()))
    args = ap.parse_args(argv)
    prior = build(args.clips, args.steps, Path(args.out), max_gap=args.max_gap)
    r = prior.report
    print(f"{r['clips']} clips encoded in {r['encode_seconds']:.0f} s, trained {r['steps']} steps in {r['seconds']:.0f} s "
          f"({r['steps_per_second']:.2f} steps/s), loss {r['loss_first']:.4g} -> {r['loss_final']:.4g}; wrote {args.out}")


if __name__ == "__main__":
    main()
