"""The ``.dynode`` file: one safetensors file whose metadata holds a JSON header.

Header: ``{"format": "dynode", "version": 2, "model": id, "shape": [...], "config": {...},
"report": {...}, "checksum": "sha256:..."}``. Tensors: the observed frames (``times``,
``mask``, ``observed``) and the model's own state. Written atomically (one temp file).

Loading trusts nothing in the file: the checksum of every tensor (name, dtype, shape,
bytes) and of the other header fields must match the header's, every header field is type- and range-checked, and the
tensors must have the layout, dtypes and finite values the model needs (times strictly
increasing, a sane subspace). Any problem is one :class:`DynodeInputError` naming it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Dict

import torch

from ..atomic import atomic_path
from ..errors import DynodeInputError
from .config import LIMITS

FORMAT = "dynode"
VERSION = 2  # 2: tensor checksum in the header
MAX_FRAMES = 100_000
MAX_STATE = 50_000_000  # elements of one latent (18x512 = 9 216)
# config values that size tensors, checked before the model is built from them
CONFIG_BOUNDS = LIMITS
_FAILURES = (KeyError, RuntimeError, ValueError, TypeError, IndexError, AttributeError, ZeroDivisionError, AssertionError)


def checksum(tensors: Dict[str, torch.Tensor], header: Dict[str, Any] = None) -> str:
    """sha256 over every tensor's name, dtype, shape and bytes, in name order, and over the
    header's other fields (canonical JSON): a changed byte anywhere in the file is noticed."""
    h = hashlib.sha256()
    if header is not None:
        h.update(json.dumps({k: v for k, v in header.items() if k != "checksum"}, sort_keys=True).encode())
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{list(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return "sha256:" + h.hexdigest()


def save_dynamics(model, path) -> None:
    tensors: Dict[str, torch.Tensor] = {"times": model.times, "mask": model.mask.to(torch.uint8), "observed": model.observed}
    tensors.update(model._state())
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    header = {"format": FORMAT, "version": VERSION, "model": model.id, "shape": list(model.shape),
              "config": model.config_dict(), "report": model.report.to_dict() if model.report is not None else None}
    write_file(path, tensors, header)


def write_file(path, tensors: Dict[str, torch.Tensor], header: Dict[str, Any]) -> None:
    """``tensors`` and ``header`` (its "format" names the metadata key) as one safetensors file,
    the header's checksum added, written atomically."""
    from safetensors.torch import save

    header = dict(header)
    header["checksum"] = checksum(tensors, json.loads(json.dumps(header)))  # as it will read back
    data = save(tensors, metadata={header["format"]: json.dumps(header)})  # bytes: one temp file, written by us
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


@dataclasses.dataclass(frozen=True)
class FileKind:
    """One safetensors + JSON-header format of the package (``.dynode``; ``.dynode-prior`` in dynamics/prior.py)."""

    format: str  # the header's "format" and the safetensors metadata key
    version: int
    noun: str  # for messages: ".dynode file"
    remake: str  # the command that writes one: "dynode fit"
    create_hint: str  # how to create one, after "not found"


DYNODE = FileKind(FORMAT, VERSION, ".dynode file", "dynode fit", "create one with `dynode fit LATENTS --out {name}`")


def _bad(path, problem: str, kind: FileKind = DYNODE) -> DynodeInputError:
    problem = " ".join(problem.split())  # one line, whatever the underlying error printed
    return DynodeInputError(f"{path} is not a valid {kind.noun}: {problem}; re-create it with `{kind.remake}`")


def read_header(path, kind: FileKind = DYNODE) -> Dict[str, Any]:
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise DynodeInputError(f"{kind.noun} not found: {path} ({kind.create_hint.format(name=path.name)})")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
        text = meta[kind.format]
        header = json.loads(text)
    except Exception as exc:  # corrupt, truncated, or not safetensors at all
        raise DynodeInputError(f"{path} is not a readable {kind.noun} ({type(exc).__name__}: {' '.join(str(exc)[:120].split())}); "
                               f"re-create it with `{kind.remake}`") from None
    if isinstance(header, dict) and json.dumps(header) != text:  # our writer's exact text: '1E-5' for '1e-05' is damage too
        raise _bad(path, "its header text was changed", kind)
    if not isinstance(header, dict) or header.get("format") != kind.format:
        raise DynodeInputError(f"{path} is a safetensors file but not a {kind.noun}; re-create it with `{kind.remake}`")
    if header.get("version") != kind.version:
        raise DynodeInputError(f"{path} was written by format version {header.get('version')}, this dynode-plugin reads version "
                               f"{kind.version}; re-create it with `{kind.remake}`")
    _check_header(path, header, kind)
    return header


def _check_header(path, h: Dict[str, Any], kind: FileKind = DYNODE) -> None:
    if not isinstance(h.get("model"), str) or not h["model"]:
        raise _bad(path, "the header's 'model' is not a model id", kind)
    shape = h.get("shape")
    if (not isinstance(shape, list) or not 1 <= len(shape) <= 4
            or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in shape) or math.prod(shape) > MAX_STATE):
        raise _bad(path, f"the header's 'shape' {str(shape)[:60]} is not a list of 1-4 positive sizes (at most {MAX_STATE} values)", kind)
    if not isinstance(h.get("config"), dict):
        raise _bad(path, "the header's 'config' is not a dict", kind)
    for key, value in h["config"].items():
        if isinstance(value, float) and not math.isfinite(value):
            raise _bad(path, f"config '{key}' is {value}", kind)
        if key in CONFIG_BOUNDS and value is not None:
            lo, hi = CONFIG_BOUNDS[key]
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise _bad(path, f"config '{key}' = {str(value)[:30]} is outside {lo}..{hi}", kind)
    if h.get("report") is not None and not isinstance(h["report"], dict):
        raise _bad(path, "the header's 'report' is not a dict", kind)
    if not isinstance(h.get("checksum"), str):
        raise _bad(path, "the header has no tensor checksum", kind)


def _check_tensors(path, h: Dict[str, Any], t: Dict[str, torch.Tensor]) -> None:
    for name in ("times", "mask", "observed"):
        if name not in t:
            raise _bad(path, f"tensor '{name}' is missing")
    times, mask, observed = t["times"], t["mask"], t["observed"]
    d = math.prod(h["shape"])
    if times.dtype != torch.float64 or times.ndim != 1 or not 2 <= len(times) <= MAX_FRAMES:
        raise _bad(path, f"'times' is {times.dtype} {list(times.shape)}; expected float64 [N], 2 <= N <= {MAX_FRAMES}")
    if not torch.isfinite(times).all() or not (torch.diff(times) > 0).all():
        raise _bad(path, "'times' are not finite and strictly increasing")
    if mask.dtype != torch.uint8 or tuple(mask.shape) != tuple(times.shape) or not ((mask == 0) | (mask == 1)).all():
        raise _bad(path, f"'mask' is {mask.dtype} {list(mask.shape)}; expected 0/1 uint8 [{len(times)}]")
    n_obs = int(mask.sum())
    if n_obs < 2:
        raise _bad(path, f"only {n_obs} observed frame(s); a trajectory needs 2")
    if observed.dtype != torch.float32 or tuple(observed.shape) != (n_obs, d):
        raise _bad(path, f"'observed' is {observed.dtype} {list(observed.shape)}; expected float32 [{n_obs}, {d}]")
    for name, x in t.items():
        if x.is_floating_point() and not torch.isfinite(x).all():
            raise _bad(path, f"tensor '{name}' holds NaN or inf")
    if "subspace.mean" in t:
        mean, scale, basis = t["subspace.mean"], t.get("subspace.scale"), t.get("subspace.basis")
        if tuple(mean.shape) != (d,) or scale is None or scale.numel() != 1 or not float(scale.reshape(())) > 0:
            raise _bad(path, "the subspace's mean/scale do not fit the latent shape")
        if basis is not None and (basis.ndim != 2 or basis.shape[0] != d or not 1 <= basis.shape[1] <= d):
            raise _bad(path, f"the subspace basis is {list(basis.shape)}; expected [{d}, k] with 1 <= k <= {d}")


def load_dynamics(path):
    """Load any registered dynamics model from a ``.dynode`` file (every field checked)."""
    from safetensors.torch import load_file

    from ..plugins import get_registry

    header = read_header(path)
    cls = get_registry().get("dynamics", header["model"])
    try:
        tensors = load_file(str(path))
    except Exception as exc:
        raise _bad(path, f"its tensors cannot be read ({type(exc).__name__})") from None
    if checksum(tensors, header) != header["checksum"]:
        raise _bad(path, "its tensors or header do not match the header's checksum (the file was changed or damaged)")
    _check_tensors(path, header, tensors)
    try:
        model = cls(**header["config"])
    except DynodeInputError as exc:
        raise _bad(path, f"its config is invalid ({exc})") from None
    except _FAILURES as exc:
        raise _bad(path, f"its config does not fit the '{header['model']}' model ({type(exc).__name__}: {str(exc)[:120]})") from None
    model.shape = tuple(header["shape"])
    model.times, model.mask, model.observed = tensors["times"], tensors["mask"].bool(), tensors["observed"]
    try:
        model._set_state(tensors, header)
        if header.get("report"):
            from .fitting import FitReport

            rep = dict(header["report"])
            rep.pop("steps_per_second", None)
            model.report = FitReport(**rep)
        probe = model.predict(model.times[[0, -1]])  # a layout the model cannot use fails here, not later
    except DynodeInputError:
        raise
    except _FAILURES as exc:
        raise _bad(path, f"it does not match the '{header['model']}' model's layout ({type(exc).__name__}: {str(exc)[:120]})") from None
    if not torch.isfinite(probe).all():
        raise _bad(path, "the model predicts NaN or inf")
    return model
