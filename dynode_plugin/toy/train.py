"""Train the toy generator + encoder from a seed and write the shipped weights.

    python -m dynode_plugin.toy.train --seed 0 --steps 1300 --out toy_assets/
    DYNODE_TOY_ASSETS=toy_assets/ dynode demo --out demo/      # use the new weights

``--steps N`` makes a run reproducible from its seed (1 thread); ``--minutes M`` stops on
wall time instead (what produced the shipped weights: 21 minutes, 1237 steps, seed 0).

Reconstruction-based (an autoencoder whose decoder is the StyleGAN-like generator):
on a 2-core CPU it reaches high fidelity in minutes, where adversarial training would
need hours and could mode-collapse; what the DynODE pipeline needs from the toy generator
is faithful inversion and a smooth, editable W+ space, not novel samples. The mapping
network is not trained (nothing here samples from z); only ``w_avg``, the mean W of encoded
scenes, is set, as the inverter's starting point. Edit directions are found from data afterwards (``dynode_plugin.toy.directions``).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from .generator import CONFIG, build
from .world import random_factors, render


def train(seed: int = 0, minutes: float = 20.0, batch: int = 32, lr: float = 2e-3, log=print, steps=None):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    g, e = build()
    params = list(g.synthesis_parameters()) if hasattr(g, "synthesis_parameters") else [p for n, p in g.named_parameters() if not n.startswith("mapping")]
    opt = torch.optim.Adam(params + list(e.parameters()), lr=lr, betas=(0.9, 0.99))
    deadline = time.time() + minutes * 60
    step = 0
    while (step < steps) if steps else (time.time() < deadline):
        x = render(random_factors(batch, gen))
        w = e(x)
        y = g.synthesis(w)
        loss = (y - x).pow(2).mean() + 0.1 * (y - x).abs().mean() + 1e-4 * (w - w.mean(1, keepdim=True)).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 100 == 0:
            psnr = -10 * torch.log10((y - x).pow(2).mean().detach())
            log(f"step {step} loss {float(loss.detach()):.5f} psnr {float(psnr):.2f} dB")
        late = step >= 0.75 * steps if steps else time.time() > deadline - minutes * 60 * 0.25
        if opt.param_groups[0]["lr"] == lr and (step == 1500 or late):
            for pg in opt.param_groups:
                pg["lr"] = lr * 0.3
    with torch.no_grad():
        ws = torch.cat([e(render(random_factors(64, gen))) for _ in range(8)])
        g.w_avg.copy_(ws.mean((0, 1)))
    return g, e, step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--minutes", type=float, default=20.0, help="wall-time budget (ignored with --steps)")
    ap.add_argument("--steps", type=int, default=None, help="stop after this many steps (reproducible from the seed)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="toy_assets", help="output folder (the shipped weights are never overwritten by default)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    g, e, steps = train(args.seed, args.minutes, steps=args.steps)
    from .assets import save_assets
    from .directions import find_directions

    save_assets(g, e, Path(args.out), {"seed": args.seed, "steps": steps, "minutes": args.minutes, **CONFIG}, find_directions(e))
    print(f"wrote {args.out} after {steps} steps; use it with DYNODE_TOY_ASSETS={args.out}")


if __name__ == "__main__":
    main()
