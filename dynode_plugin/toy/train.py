"""Train the toy generator + encoder from a seed and write the shipped weights.

    python -m dynode_plugin.toy.train --seed 0 --steps 1300 --out toy_assets/
    python -m dynode_plugin.toy.train --init dynode_plugin/toy/assets --object-weight 10 --lr 1e-3 --batch 24 --steps 600 --out toy_assets/
    python -m dynode_plugin.toy.train --init toy_assets/checkpoint --steps 0 --out toy_assets/   # finish a stopped run
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

from .assets import save_assets
from .generator import CONFIG, build
from .quality import crop_object, train_shape_classifier
from .world import object_region, random_factors, render, shape_pixels


def train(seed: int = 0, minutes: float = 20.0, batch: int = 32, lr: float = 2e-3, log=print, steps=None,
          init=None, object_weight: float = 0.0, checkpoint=None, corner_weight: float = 0.0, shape_weight: float = 0.0,
          freeze_generator: bool = False, box_weight: float = 0.0, detector_steps: int = 0, base_lr_scale: float = 1.0):
    """``init``: a weights folder to fine-tune from; ``object_weight``: extra weight of the squared error
    inside the object's region (``world.object_region``, ~7% of the pixels): a whole-frame loss lets the
    generator draw every object as a disc, since a box's corners are a few dozen pixels.
    ``corner_weight``: extra weight of the error on the pixels where the scene's box and disc renders
    differ (``world.shape_pixels``: the object's rim and the box's corners); ``shape_weight``: weight of the
    frozen shape classifier's cross-entropy (``quality.ShapeClassifier``, from ``init``) on the
    reconstruction's object crop against the true shape. Fine-tuning generator and encoder together with
    either did not make the encoder draw boxes (docs/toy.md, Part 0); with the generator frozen, the
    corner-weighted loss makes an optimised code draw them (shape agreement 0.94).
    ``freeze_generator``: train the encoder alone (the generator, which can draw boxes, is kept as it is):
    how the shipped encoder learned to give box codes for boxes. ``box_weight``: weight of the cross-entropy
    of the encoder's shape branch (``Encoder.box_logit``) against the true shape; ``detector_steps``: steps
    that train that branch alone on it first (cheap: no generator); ``base_lr_scale``: the learning rate of
    everything but the shape branch (generator, global encoder) relative to ``lr``."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    if init is not None:
        from .assets import load_assets

        a = load_assets(init)
        g, e = a.generator.train(), a.encoder.train()
        classifier = a.shape_classifier
    else:
        g, e = build()
        classifier = None
    if shape_weight:
        classifier = (classifier or train_shape_classifier(log=log)).eval().requires_grad_(False)
    params = list(g.synthesis_parameters()) if hasattr(g, "synthesis_parameters") else [p for n, p in g.named_parameters() if not n.startswith("mapping")]
    if freeze_generator:
        g.eval().requires_grad_(False)
        params = []
    if detector_steps:
        _train_detector(e, detector_steps, gen, log)
    branch = [p for n, p in e.named_parameters() if n.startswith(BRANCH)]
    rest = [p for n, p in e.named_parameters() if not n.startswith(BRANCH)]
    opt = torch.optim.Adam([{"params": params + rest, "lr": lr * base_lr_scale}, {"params": branch, "lr": lr}], betas=(0.9, 0.99))
    dropped = False
    deadline = time.time() + minutes * 60
    step = 0
    while (step < steps) if steps is not None else (time.time() < deadline):
        f = random_factors(batch, gen)
        x = render(f)
        w = e(x)
        y = g.synthesis(w)
        loss = (y - x).pow(2).mean() + 0.1 * (y - x).abs().mean() + 1e-4 * (w - w.mean(1, keepdim=True)).pow(2).mean()
        if object_weight:
            region = object_region(f).float()
            loss = loss + object_weight * ((y - x).pow(2) * region).sum() / (3 * region.sum())
        if corner_weight:
            corners = shape_pixels(f).float()
            loss = loss + corner_weight * ((y - x).pow(2) * corners).sum() / (3 * corners.sum().clamp_min(1))
        if shape_weight:
            p = classifier(crop_object(y, f)).clamp(1e-4, 1 - 1e-4)
            loss = loss + shape_weight * torch.nn.functional.binary_cross_entropy(p, f["shape"])
        if box_weight:
            loss = loss + box_weight * torch.nn.functional.binary_cross_entropy_with_logits(e.box_logit(x), f["shape"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 25 == 0:
            psnr = -10 * torch.log10((y - x).pow(2).mean().detach())
            log(f"step {step} loss {float(loss.detach()):.5f} psnr {float(psnr):.2f} dB", flush=True)
        if checkpoint is not None and step % 50 == 0:  # long runs on a shared machine can be stopped and still used
            from .assets import ToyAssets, save_assets

            save_assets(ToyAssets(g, e, {}, {"seed": seed, "steps": step, "init": str(init), "object_weight": object_weight, **CONFIG}),
                        Path(checkpoint))
        late = step >= 0.75 * steps if steps is not None else time.time() > deadline - minutes * 60 * 0.25
        if not dropped and (step == 1500 or late):
            dropped = True
            for pg in opt.param_groups:
                pg["lr"] *= 0.3
    with torch.no_grad():
        ws = torch.cat([e(render(random_factors(64, gen))) for _ in range(8)])
        g.w_avg.copy_(ws.mean((0, 1)))
    return g, e, step


BRANCH = ("shape_net.", "box_step.")  # the encoder's shape branch (generator.Encoder)


def _train_detector(e, steps: int, gen, log, batch: int = 64, lr: float = 3e-3) -> None:
    """The encoder's box detector alone, on the true shape of rendered scenes (no generator: ~0.2 s a step)."""
    opt = torch.optim.Adam(e.shape_net.parameters(), lr=lr)
    for step in range(1, steps + 1):
        f = random_factors(batch, gen)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(e.box_logit(render(f)), f["shape"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 100 == 0:
            log(f"detector step {step} bce {float(loss.detach()):.4f}", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--minutes", type=float, default=20.0, help="wall-time budget (ignored with --steps)")
    ap.add_argument("--steps", type=int, default=None, help="stop after this many steps (reproducible from the seed)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", default=None, help="fine-tune from this weights folder (e.g. the shipped assets)")
    ap.add_argument("--object-weight", type=float, default=0.0, help="extra weight of the error in the object's region")
    ap.add_argument("--corner-weight", type=float, default=0.0, help="extra weight of the error where box and disc differ")
    ap.add_argument("--shape-weight", type=float, default=0.0, help="weight of the shape classifier's loss on the reconstruction")
    ap.add_argument("--freeze-generator", action="store_true", help="train the encoder alone (fine-tunes with --init)")
    ap.add_argument("--box-weight", type=float, default=0.0, help="weight of the encoder's box detector loss")
    ap.add_argument("--detector-steps", type=int, default=0, help="train the encoder's box detector alone first")
    ap.add_argument("--base-lr-scale", type=float, default=1.0, help="lr of all but the encoder's shape branch, x --lr")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--out", default="toy_assets", help="output folder (the shipped weights are never overwritten by default)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    g, e, steps = train(args.seed, args.minutes, batch=args.batch, lr=args.lr, steps=args.steps, init=args.init,
                        object_weight=args.object_weight, corner_weight=args.corner_weight, shape_weight=args.shape_weight,
                        freeze_generator=args.freeze_generator, box_weight=args.box_weight,
                        detector_steps=args.detector_steps, base_lr_scale=args.base_lr_scale, checkpoint=Path(args.out) / "checkpoint")
    meta = {"seed": args.seed, "steps": steps, "minutes": round((time.time() - t0) / 60, 1), "init": args.init,
            "object_weight": args.object_weight, "corner_weight": args.corner_weight, "shape_weight": args.shape_weight,
            "freeze_generator": args.freeze_generator, "box_weight": args.box_weight, "detector_steps": args.detector_steps,
            "base_lr_scale": args.base_lr_scale, "lr": args.lr, "batch": args.batch, **CONFIG}
    save_assets(finalize(g, e, meta, init=args.init), Path(args.out))
    print(f"wrote {args.out} after {steps} steps; use it with DYNODE_TOY_ASSETS={args.out}")


def finalize(g, e, meta, init=None, log=print):
    """Everything found from a trained generator + encoder: edit directions, latent mappers, the attribute
    regressor and the shape classifier (those two do not depend on the generator: reused from ``init`` when there)."""
    from .assets import ToyAssets, load_assets
    from .attributes import train_regressor
    from .directions import find_directions
    from .mappers import train_mappers
    from .quality import train_shape_classifier

    g.eval(), e.eval()
    old = load_assets(init) if init is not None else None
    regressor = (old and old.regressor) or train_regressor(log=log)
    shape = (old and old.shape_classifier) or train_shape_classifier(log=log)
    return ToyAssets(g, e, find_directions(e), meta, train_mappers(e, log=log), regressor, shape)


if __name__ == "__main__":
    main()
