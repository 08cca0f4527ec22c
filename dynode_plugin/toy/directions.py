"""Edit directions of the toy world, found from data.

For each attribute, render the same random scenes twice, once at each end of the
attribute's range with everything else fixed, encode both with the learned encoder, and
average the W+ differences (a paired difference of class means, the simplest
InterFaceGAN-style estimate; pairing removes the other factors, so a colour edit does not
also change the shape). Strength 1 moves half of the way between the two ends.

``NOISY`` attributes are found from codes of the scenes seen through pixel noise of that standard
deviation (each end its own noise draw; 512 pairs average the noise's own part out), i.e. from the
codes the realistic toy host gives (``inverter.REALISTIC_JITTER``). Why, for ``colour``: the encoder's
box step (``Encoder``: ``p * box_step(h)``) makes the colour step differ between box and disc scenes
(their paired directions differ by 103% of their norm), and the pixel noise gives disc frames a
partial box probability; the clean mean direction then reached 0.49 attribute strength on the
realistic benchmark clips (noise 0.16) where the ``colour`` mapper, which sees each code, reaches 0.66.
Derived through the noise it reaches 0.60 there (0.77 on the clean clips, mapper 0.71; benchmarks/toy_shape.py).
"""
from __future__ import annotations

from typing import Callable, Dict, Tuple

import torch

from .inverter import REALISTIC_JITTER
from .world import random_factors, render


def _set(**values) -> Callable:
    def apply(f):
        return {**f, **{k: torch.full_like(f[k], v) for k, v in values.items()}}

    return apply


ATTRIBUTES: Dict[str, Tuple[Callable, Callable]] = {  # (low end, high end)
    "colour": (_set(obj_r=0.1, obj_g=0.2, obj_b=0.9), _set(obj_r=0.9, obj_g=0.15, obj_b=0.1)),  # blue -> red
    "lighting": (_set(light=0.7), _set(light=1.05)),
    "background": (_set(bg_r=0.2, bg_g=0.2, bg_b=0.2), _set(bg_r=0.85, bg_g=0.85, bg_b=0.85)),  # dark -> bright
    "shape": (_set(shape=0.0), _set(shape=1.0)),  # disc -> box
}
# attribute -> pixel-noise std of the scenes its direction is found from: the realistic host's (see above)
NOISY = {"colour": REALISTIC_JITTER}


@torch.no_grad()
def find_directions(encoder, n: int = 512, seed: int = 1, names=None) -> Dict[str, torch.Tensor]:
    """The paired direction of every attribute (or of ``names``)."""
    gen = torch.Generator().manual_seed(seed)
    f = random_factors(n, gen)
    out = {}
    for name in names or ATTRIBUTES:
        low, high = ATTRIBUTES[name]
        sigma = NOISY.get(name, 0.0)
        codes = []
        for end, noise_seed in ((high, 1), (low, 2)):
            x = render(end(f))
            if sigma:  # seeded: the derivation repeats
                x = (x + sigma * torch.randn(x.shape, generator=torch.Generator().manual_seed(noise_seed))).clamp(0, 1)
            codes.append(torch.cat([encoder(x[i: i + 128]) for i in range(0, n, 128)]))
        out[name] = 0.5 * (codes[0] - codes[1]).mean(0)
    return out


def main(argv=None):
    """Re-derive some directions of a weights folder in place (``--only colour``), leaving the rest of it as it is."""
    import argparse
    from pathlib import Path

    from .assets import load_assets, save_assets

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--assets", required=True, help="toy weights folder (read)")
    ap.add_argument("--only", required=True, help="comma-separated attributes to re-derive")
    ap.add_argument("--out", required=True, help="folder to write (may be --assets)")
    args = ap.parse_args(argv)
    names = args.only.split(",")
    unknown = [k for k in names if k not in ATTRIBUTES]
    if unknown:
        ap.error(f"unknown attribute(s) {unknown}; known: {', '.join(ATTRIBUTES)}")
    a = load_assets(Path(args.assets))
    a.directions.update(find_directions(a.encoder, names=names))
    a.meta["directions_noise"] = {k: NOISY[k] for k in names if k in NOISY}
    save_assets(a, Path(args.out))
    print(f"re-derived {', '.join(names)} into {args.out}")


if __name__ == "__main__":
    main()
