"""Issue 15 Part 0 on the shipped toy weights: does the inversion reproduce the object, and does the
linear ``colour`` edit edit it as strongly as the ``colour`` mapper?

    python benchmarks/toy_shape.py [--scenes 64] [--features 0,0.001] [--parts shape,colour] --out benchmarks/results/toy_shape.json

``shape``: ``--scenes`` held-out random scenes (seed ``--seed``, 99: the scenes of docs/toy.md's Part-0
table) inverted by the encoder alone, by ``few-step`` and by ``optimize`` (``--steps`` Adam steps from
the encoder's code), the optimiser modes once per ``--features`` weight of the inverter's feature term
(0 = pixel MSE alone, the loss before; ``toy/inversion_loss.py``). Scores (``toy/quality.py``): PSNR
over the whole frame, PSNR and SSIM over the object's 18x18 crop, and shape agreement: the shipped
shape classifier, and in ``shape_agreement_2`` a second one trained here with seed 5, sees the
source's shape in the reconstruction.

``colour``: attribute strength (``toy-attributes`` regressor: the change of red minus blue of the
object, rendered edit against the source frames, as the metric does) of ``colour=+1`` and of
``colour-mapper=+1`` on the 5 benchmark clips (48 frames, seeds 0-4; encoder inversion through pixel
noise ``--jitters``: 0.12 the realistic setting, 0.16 the previous one, 0 clean), and on 128 random scenes (seed 7) by shape,
for the direction in the loaded weights and for the clean paired direction (``directions.NOISY``
emptied: the direction shipped before), derived here.
The machine is shared: load in the JSON, wall times only as steps/s of the same run.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, print_table, write_json  # noqa: E402

SHAPE_COLUMNS = ["mode", "steps", "feature", "psnr_frame_db", "psnr_object_db", "ssim_object_x100", "shape_agreement",
                 "shape_agreement_2", "steps_per_s"]


def shape_rows(a, args):
    from dynode_plugin.toy import world
    from dynode_plugin.toy.inverter import FEW_STEPS, invert
    from dynode_plugin.toy.quality import crop_object, object_quality, train_shape_classifier

    second = train_shape_classifier(seed=5, log=lambda *_: None)
    f = world.random_factors(args.scenes, torch.Generator().manual_seed(args.seed))
    x = world.render(f)
    runs = [("encoder", 0, 0.0)] + [(m, s, w) for m, s in (("few-step", FEW_STEPS), ("optimize", args.steps)) for w in args.features]
    rows = []
    for mode, steps, weight in runs:
        t0 = time.perf_counter()
        w = invert(a.generator, a.encoder, x, steps=steps, progress=False, feature=weight)
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            recon = a.generator.synthesis(w)
            q, q2 = object_quality(recon, x, f, a.shape_classifier), object_quality(recon, x, f, second)
            agree = (a.shape_classifier(crop_object(recon, f)) > 0.5) == (a.shape_classifier(crop_object(x, f)) > 0.5)
        rows.append({"mode": mode, "steps": steps, "feature": weight if steps else None, **q,
                     "shape_agreement_2": q2["shape_agreement"], "seconds": seconds,
                     "steps_per_s": steps / seconds if steps else None, "load_avg": machine()["load_avg"],
                     "agree_per_scene": [int(v) for v in agree]})
        print(f"{mode} steps {steps} feature {weight}: agreement {q['shape_agreement']:.3f} ({q2['shape_agreement']:.3f}), "
              f"object {q['psnr_object_db']:.2f} dB, {seconds:.0f} s", flush=True)
    return rows


def colour_rows(a, args, directions):
    from dynode_plugin.toy import world
    from dynode_plugin.toy.inverter import invert

    strength = lambda x, w, d: float((a.regressor(a.generator.synthesis(w + d))[:, 0] - a.regressor(x)[:, 0]).mean())  # noqa: E731
    rows = []
    with torch.no_grad():
        for jitter in args.jitters:
            per_clip = {}
            for seed in range(5):
                x = world.render_clip(48, seed)
                w = invert(a.generator, a.encoder, x, steps=0, jitter=jitter, progress=False)
                per_clip[seed] = {"mapper": strength(x, w, a.mappers["colour"](w)),
                                  **{name: strength(x, w, d) for name, d in directions.items()}}
            mapper = sum(c["mapper"] for c in per_clip.values()) / 5
            for edit in per_clip[0]:
                value = sum(c[edit] for c in per_clip.values()) / 5
                rows.append({"scenes": f"5 clips x 48, jitter {jitter:g}", "edit": edit, "attribute_strength": value,
                             "vs_mapper": value / mapper, "per_clip": [round(c[edit], 3) for c in per_clip.values()]})
        f = world.random_factors(128, torch.Generator().manual_seed(7))
        x = world.render(f)
        w = a.encoder(x)
        box = f["shape"] > 0.5
        for edit, d in {"mapper": a.mappers["colour"](w), **directions}.items():
            per = a.regressor(a.generator.synthesis(w + d))[:, 0] - a.regressor(x)[:, 0]
            rows.append({"scenes": "128 random (seed 7), jitter 0", "edit": edit, "attribute_strength": float(per.mean()),
                         "boxes": float(per[box].mean()), "discs": float(per[~box].mean())})
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="shape,colour")
    ap.add_argument("--scenes", type=int, default=64)
    ap.add_argument("--seed", type=int, default=99)
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--features", default="0,0.001", help="weights of the inverter's feature term to compare")
    ap.add_argument("--assets", default=None, help="toy weights folder (default: the shipped ones)")
    ap.add_argument("--jitters", default="0.12,0.16,0", help="pixel noise of the clips' encoder inversion (colour part)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="benchmarks/results/toy_shape.json")
    args = ap.parse_args(argv)
    args.features = [float(v) for v in args.features.split(",")]
    args.jitters = [float(v) for v in args.jitters.split(",")]
    torch.set_num_threads(args.threads)
    from dynode_plugin.toy.assets import load_assets

    a = load_assets(args.assets)
    payload = {"machine_start": machine(), "args": vars(args)}
    if "shape" in args.parts:
        payload["shape"] = shape_rows(a, args)
        print_table(payload["shape"], SHAPE_COLUMNS)
    if "colour" in args.parts:
        from dynode_plugin.toy import directions as found

        noisy = dict(found.NOISY)
        found.NOISY.clear()  # the clean paired direction (the one shipped before), derived here
        clean = found.find_directions(a.encoder, names=["colour"])["colour"]
        found.NOISY.update(noisy)
        directions = {"linear (loaded weights)": a.directions["colour"], "linear clean (re-derived here)": clean}
        payload["colour"] = colour_rows(a, args, directions)
        print_table(payload["colour"], ["scenes", "edit", "attribute_strength", "boxes", "discs", "per_clip"])
    payload["machine_end"] = machine()
    print(f"wrote {write_json(args.out, payload)}")


if __name__ == "__main__":
    main()
