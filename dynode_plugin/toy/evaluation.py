"""Scores of edited toy clips, and the temporal-smoothing baseline, shared by `dynode demo` and
``benchmarks/toy_dynamics.py``.

* ``flicker``: mean |y_{t+1} - y_t| of the edited frames (the demo's historic number); blurrier
  reconstructions lower it, so it cannot tell jitter from a soft generator.
* ``edit_flicker``: mean |(y_{t+1} - y_t) - (x_{t+1} - x_t)|: how much the edited clip's frame-to-frame
  change differs from the source's. 0 = the edit and the reconstruction are the same in every frame
  (no added flicker); per-frame jitter of the codes or of the edit raises it. The issue's flicker
  target is judged on this one.
* ``attribute_strength``: mean over t of r(y_t) - r(x_t) for the edited attribute, r = the toy
  attribute regressor (``toy/attributes.py``): "more consistent" cannot be won by editing less.
* ``identity_preservation``: mean cosine similarity of each edited frame's appearance embedding
  to its own source frame's (the usual companion of TL-ID/TG-ID, which are temporal ratios).
* ``jitter_stats``: how jittery a clip's codes are relative to its motion, the numbers docs/toy.md
  compares with the real FFHQ inversions in ``shared/data/dynode_example``.
"""
from __future__ import annotations

from typing import Dict

import torch


def flicker(y: torch.Tensor) -> float:
    return float((y[1:] - y[:-1]).abs().mean())


def edit_flicker(x: torch.Tensor, y: torch.Tensor) -> float:
    return float(((y[1:] - y[:-1]) - (x[1:] - x[:-1])).abs().mean())


@torch.no_grad()
def attribute_strength(regressor, x: torch.Tensor, y: torch.Tensor, attribute: str) -> float:
    from .attributes import ATTRIBUTES

    i = ATTRIBUTES.index(attribute.removesuffix("-mapper"))
    return float((regressor(y)[:, i] - regressor(x)[:, i]).mean())


def identity_preservation(encoder, x: torch.Tensor, y: torch.Tensor) -> float:
    a, b = encoder.embed(x).vectors, encoder.embed(y).vectors
    return float(torch.nn.functional.cosine_similarity(a, b, dim=1).mean())


def gaussian_smooth(latents: torch.Tensor, sigma: float) -> torch.Tensor:
    """Gaussian filter over time of per-frame codes ``[N, ...]`` (edges replicated): the usual
    fix for flickering per-frame edits (STIT's ``freeze_fine_layers`` in spirit, many users' post-filter)."""
    n = len(latents)
    r = max(1, int(3 * sigma))
    k = torch.exp(-0.5 * (torch.arange(-r, r + 1, dtype=torch.float64) / sigma) ** 2)
    k = (k / k.sum()).float()
    flat = latents.reshape(n, -1).T[:, None]  # [D, 1, N]
    padded = torch.nn.functional.pad(flat, (r, r), mode="replicate")
    return torch.nn.functional.conv1d(padded, k[None, None])[:, 0].T.reshape(latents.shape)


def jitter_stats(latents: torch.Tensor) -> Dict[str, float]:
    """``jitter_index``: latent MSE of each interior code against the mean of its two neighbours,
    over the per-element temporal variance (0 = straight-line motion; independent noise alone ~1.5);
    ``roughness``: mean ||second difference||² / mean ||first difference||² (0 smooth, 3 pure noise)."""
    z = latents.reshape(len(latents), -1).double()
    mid = (z[:-2] + z[2:]) / 2
    d1, d2 = z[1:] - z[:-1], z[2:] - 2 * z[1:-1] + z[:-2]
    return {"jitter_index": float(((mid - z[1:-1]) ** 2).mean() / z.var(0).mean()),
            "roughness": float((d2 ** 2).sum(1).mean() / (d1 ** 2).sum(1).mean())}


def smooth_view(model):
    """The fitted model returning its smooth trajectory (``residual="none"``: the part of each code outside
    the motion subspace, where most per-frame jitter lives, is dropped). ``residual`` is read only when
    predicting, so this equals a model fitted with ``residual="none"`` without fitting twice."""
    import copy
    import dataclasses

    view = copy.copy(model)
    view.config = dataclasses.replace(model.config, residual="none")
    return view


def edit_rows(host, frames, latents, edit, model, appearance, sigma: float = 1.5):
    """Every way of editing the clip compared on one fitted model: per-frame, a Gaussian filter over the
    per-frame edited codes, and DynODE (offset, smooth, flow, reintegrate). Returns (rows, {label: frames})."""
    import time

    from ..metrics.identity import tg_id, tl_id

    name, strength = edit
    fn = lambda z: host.edit(z, name, strength)  # noqa: E731
    t0 = time.perf_counter()
    per = fn(latents)
    per_s = time.perf_counter() - t0
    codes = {"per-frame": (per, per_s), f"gaussian sigma={sigma:g}": (gaussian_smooth(per, sigma), per_s)}
    fit_s = model.report.seconds if getattr(model, "report", None) is not None else float("nan")
    for label, m, mode in (("dynode offset", model, "offset"), ("dynode smooth", smooth_view(model), "offset"),
                           ("dynode flow", model, "flow"), ("dynode reintegrate", model, "reintegrate")):
        t0 = time.perf_counter()
        out = m.propagate(fn(latents[:1]), mode=mode)
        codes[label] = (out, fit_s + time.perf_counter() - t0)
    es = appearance.embed(frames)
    rows, rendered = [], {}
    for label, (z, ops_s) in codes.items():
        y = host.synthesize(z)
        ee = appearance.embed(y)
        rendered[label] = y
        rows.append({"method": label, "tl_id": tl_id(es, ee).value, "tg_id": tg_id(es, ee).value,
                     "edit_flicker_x1e3": edit_flicker(frames, y) * 1e3, "flicker_x1e3": flicker(y) * 1e3,
                     "attribute_strength": attribute_strength(host.regressor, frames, y, name) if host.regressor else None,
                     "identity_preservation": identity_preservation(appearance, frames, y), "edit_ops_s": ops_s})
    return rows, rendered
