"""Scores of edited toy clips, and the temporal-smoothing baseline, shared by `dynode demo` and
``benchmarks/toy_dynamics.py``.

TL-ID, TG-ID, flicker, identity preservation and attribute strength come from the metrics
registry (``dynode_plugin.metrics``; ``toy-appearance`` encoder, ``toy-attributes`` regressor).
Added here, for the toy world only:

* ``edit_flicker``: mean |(y_{t+1} - y_t) - (x_{t+1} - x_t)|: how much the edited clip's frame-to-frame
  change differs from the source's. 0 = the edit and the reconstruction are the same in every frame;
  per-frame jitter of the codes or of the edit raises it. The registry's ``flicker`` (mean |y_{t+1} - y_t|)
  is lowered by a blurrier reconstruction, so it cannot tell jitter from a soft generator; the issue's
  flicker target is judged on ``edit_flicker``.
* ``jitter_stats``: how jittery a clip's codes are relative to its motion, the numbers docs/toy.md
  compares with the real FFHQ inversions in ``shared/data/dynode_example``.
"""
from __future__ import annotations

from typing import Dict

import torch

METRICS = ["tl-id", "tg-id", "flicker", "identity-preservation"]
# Fit settings for a smooth trajectory of jittery codes (``--smooth``): a smaller field trained on longer
# windows cannot pass through every code's jitter, so the flow-carried neighbours it averages do not all
# land on the jittery code again (the default fit, 128 wide and 8-frame windows, follows the jitter), and a
# flow trained over 32-frame windows stays accurate over a 3-gap averaging window (``smooth_sigma``, read
# when predicting), where a Gaussian filter of that width starts to blur the motion. Chosen on toy seeds 5-9
# at the calibrated jitter (benchmarks/toy_dynamics.py, docs/toy.md "Smooth trajectories").
SMOOTH_FIT = {"hidden": 32, "window": 32, "smooth_sigma": 3.0}


def edit_flicker(x: torch.Tensor, y: torch.Tensor) -> float:
    return float(((y[1:] - y[:-1]) - (x[1:] - x[:-1])).abs().mean())


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
    over the per-element temporal variance (0 = straight-line motion; independent noise alone 1.5);
    ``roughness``: mean ||second difference||² / mean ||first difference||² (0 smooth, 3 pure noise)."""
    z = latents.reshape(len(latents), -1).double()
    mid = (z[:-2] + z[2:]) / 2
    d1, d2 = z[1:] - z[:-1], z[2:] - 2 * z[1:-1] + z[:-2]
    return {"jitter_index": float(((mid - z[1:-1]) ** 2).mean() / z.var(0).mean()),
            "roughness": float((d2 ** 2).sum(1).mean() / (d1 ** 2).sum(1).mean())}


def scores(frames, y, appearance, regressor=None, attribute=None) -> Dict[str, float]:
    """Registry metrics of one edited clip (attribute strength when a regressor is given) + edit flicker."""
    from ..metrics.evaluate import score_pair, values_of

    ids = METRICS + (["attribute-strength"] if regressor is not None else [])
    s = score_pair(frames, y, ids, appearance, encoders={"regressor": regressor} if regressor is not None else None,
                   settings={"attribute": attribute.removesuffix("-mapper")} if attribute else None)
    out = values_of(s)
    out["flicker_x1e3"], out["added_flicker_x1e3"] = out.pop("flicker") * 1e3, s["flicker"]["added"] * 1e3
    out["edit_flicker_x1e3"] = edit_flicker(frames, y) * 1e3
    return out


def smooth_view(model, sigma: float = None):
    """The fitted model returning its smooth trajectory (``smooth=True``: the part of each code outside
    the motion subspace, where most per-frame jitter lives, is dropped; ``sigma``: ``smooth_sigma``, the
    window in observed gaps). Both are read only when predicting, so this equals a model fitted with
    ``smooth=True`` without fitting twice."""
    import copy
    import dataclasses

    view = copy.copy(model)
    extra = {} if sigma is None else {"smooth_sigma": sigma}
    view.config = dataclasses.replace(model.config, smooth=True, **extra)
    return view


def edit_rows(host, frames, latents, edit, model, appearance, sigma: float = 1.5, sigmas=(), smooth_sigmas=(), clean=None,
              smooth_models=None):
    """Every way of editing the clip compared on one fitted model: per-frame, a Gaussian filter over the
    per-frame edited codes (``sigma``, and every one of ``sigmas``), and DynODE (offset, smooth at the
    model's ``smooth_sigma`` and at each of ``smooth_sigmas``, flow, reintegrate; ``smooth_models``:
    ``{label: model}``, more fits whose smooth trajectories become rows ``dynode smooth LABEL``). ``clean``: the
    jitter-free codes of the same frames; each row then gets ``clean_edit_mse_x1e3``, the image MSE
    against the per-frame edit of those codes (what the edit should look like without the jitter:
    a smoother that lags or blurs the motion moves away from it). Returns (rows, {label: frames})."""
    import time

    from .attributes import ToyAttributeRegressor

    name, strength = edit
    regressor = ToyAttributeRegressor(host.regressor) if host.regressor is not None else None
    fn = lambda z: host.edit(z, name, strength)  # noqa: E731
    t0 = time.perf_counter()
    per = fn(latents)
    per_s = time.perf_counter() - t0
    codes = {"per-frame": (per, per_s)}
    for sg in dict.fromkeys([sigma, *sigmas]):
        codes[f"gaussian sigma={sg:g}"] = (gaussian_smooth(per, sg), per_s)
    fit_s = model.report.seconds if getattr(model, "report", None) is not None else float("nan")
    views = [("dynode offset", model, "offset"), ("dynode smooth", smooth_view(model), "offset")]
    views += [(f"dynode smooth sigma={sg:g}", smooth_view(model, sg), "offset") for sg in smooth_sigmas]
    for label, other in (smooth_models or {}).items():
        views += [(f"dynode smooth {label}", smooth_view(other), "offset")]
        views += [(f"dynode smooth {label} sigma={sg:g}", smooth_view(other, sg), "offset") for sg in smooth_sigmas]
    for label, m, mode in views + [("dynode flow", model, "flow"), ("dynode reintegrate", model, "reintegrate")]:
        t0 = time.perf_counter()
        out = m.propagate(fn(latents[:1]), mode=mode)
        codes[label] = (out, (m.report.seconds if m.report is not None else fit_s) + time.perf_counter() - t0)
    reference = host.synthesize(fn(clean)) if clean is not None else None
    rows, rendered = [], {}
    for label, (z, ops_s) in codes.items():
        rendered[label] = y = host.synthesize(z)
        row = {"method": label, **scores(frames, y, appearance, regressor, name), "edit_ops_s": ops_s}
        if reference is not None:
            row["clean_edit_mse_x1e3"] = float((y - reference).pow(2).mean()) * 1e3
        rows.append(row)
    return rows, rendered
