"""The fuzz suite's seeded random cases: truncated and bit-flipped files, junk option values,
unsafe manifest ids (``random_cases(n, seed)``, reproducible; the table cases are in ``fuzz_corpus``)."""
from __future__ import annotations

import functools
import json
import random
from typing import List

import click

from fuzz_corpus import UNSAFE_IDS, Case, _copy, _manifest


def random_cases(n: int, seed: int = 0) -> List[Case]:
    """Reproducible random malformed inputs: truncated/flipped files and junk option values."""
    rng = random.Random(seed)
    cases: List[Case] = []
    junk_chars = "0123456789.eE+-xXnaif,; \t\x00é"  # no '/': junk never names a system path
    for i in range(n):
        kind = rng.choice(["dynode-flip", "dynode-trunc", "latent-trunc", "junk-option", "junk-times", "junk-manifest"])
        if kind == "dynode-flip":
            off, bit = rng.random(), rng.randrange(8)

            def setup(s, a, off=off, bit=bit):
                data = bytearray(a.dynode.read_bytes())
                data[int(off * (len(data) - 1))] ^= 1 << bit
                (s / "m.dynode").write_bytes(bytes(data))
            cases.append(Case(f"random/{i}/dynode-flip@{off:.3f}:{bit}", "dynode", ["interpolate", "{S}/m.dynode", "--out", "{S}/o.pt"], setup))
        elif kind in ("dynode-trunc", "latent-trunc"):
            frac = rng.random()
            src = "dynode" if kind == "dynode-trunc" else "latents"

            def setup(s, a, frac=frac, src=src):
                data = getattr(a, src).read_bytes()
                (s / ("m.dynode" if src == "dynode" else "z.pt")).write_bytes(data[: int(frac * (len(data) - 1))])
            args = (["interpolate", "{S}/m.dynode", "--out", "{S}/o.pt"] if src == "dynode"
                    else ["fit", "{S}/z.pt", "--out", "{S}/o.dynode", "--model", "linear"])
            cases.append(Case(f"random/{i}/{kind}@{frac:.3f}", src if src == "dynode" else "latents", args, setup))
        elif kind == "junk-option":
            opt = rng.choice(["--steps", "--seed", "--observe-every", "--subspace-dim"])
            v = "".join(rng.choice(junk_chars) for _ in range(rng.randint(1, 12)))
            if _valid_int(v, opt):
                v += "x"
            cases.append(Case(f"random/{i}/{opt}={v!r}", "options", ["fit", "{S}/z.pt", "--out", "{S}/o.dynode", "--model", "linear", opt, v],
                              lambda s, a: _copy(a.latents, s / "z.pt")))
        elif kind == "junk-times":
            v = "".join(rng.choice(junk_chars) for _ in range(rng.randint(1, 20)))
            cases.append(Case(f"random/{i}/times={v!r}", "options", ["interpolate", "{S}/m.dynode", "--out", "{S}/o.pt", "--times", v + ",nan"],
                              lambda s, a: _copy(a.dynode, s / "m.dynode")))
        else:
            uid = rng.choice(UNSAFE_IDS) + rng.choice(["", "x", "/.."])
            cases.append(Case(f"random/{i}/manifest-id={uid!r}", "manifests", ["batch", "{S}/m.csv", "--edit", "colour=1", "--out", "{S}/o", "-q"],
                              _manifest([["path", "id"], ["a.mp4", json.dumps(uid)]]), multiline=True))
    return cases


@functools.lru_cache(maxsize=None)
def _fit_option(opt: str) -> click.Parameter:
    from dynode_plugin.cli import build_cli

    return next(p for p in build_cli().commands["fit"].params if opt in p.opts)


def _valid_int(v: str, opt: str) -> bool:
    """Would ``dynode fit`` accept ``v`` for ``opt``? (Then the case appends junk to stay invalid.)
    Asked of the command's own click type, so the fuzz suite cannot drift from the real bounds."""
    param = _fit_option(opt)
    try:
        param.type.convert(v, param, None)
        return True
    except click.BadParameter:
        return False
