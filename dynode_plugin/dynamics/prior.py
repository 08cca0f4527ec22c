"""A motion prior learned across clips: the ``.dynode-prior`` file and what a fit takes from it.

A per-clip fit from sparse observations knows only those observations: between them it cannot
tell a curved motion from a chord. A prior, trained on many clips of one domain
(``dynode prior train``, :mod:`.prior_training`), holds what a new clip's fit needs:

* a shared coordinate system: the domain's mean latent and PCA basis (every clip's motion in the
  same coordinates; the per-clip PCA differs from clip to clip and cannot carry a field over);
* a pretrained vector field in those coordinates: the fit starts from it and is pulled towards it
  (``prior_weight``), so the shapes of the domain's motions survive sparse data;
* the :class:`~.config.ODEConfig` it was trained with: the architecture (width, depth, activation,
  order, ...) a fit with the prior must use, and the fit settings measured best with it.

File: one safetensors file (tensors ``subspace.*`` and ``field.*``) whose metadata holds a JSON
header ``{"format": "dynode-prior", "version": 1, "model": "ode", "shape": [...], "config": {...},
"fit": {...}, "report": {...}, "trained_against": {...}, "checksum": "sha256:..."}``, written and
validated by the same code as ``.dynode`` files (:mod:`.io`): every tensor's checksum, every
header field, the layout the field needs. Any problem is one :class:`DynodeInputError`.
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import torch

from ..errors import DynodeInputError
from . import io
from .config import ODEConfig
from .context_field import new_field
from .subspace import Subspace

SUFFIX = ".dynode-prior"
KIND = io.FileKind("dynode-prior", 1, ".dynode-prior file", "dynode prior train",
                   "create one with `dynode prior train CLIPS... --out {name}`")
# ODEConfig fields that shape the field's network: a fit with the prior takes them from the prior
ARCHITECTURE = ("hidden", "depth", "activation", "time_dependent", "order", "context")
# ODEConfig fields a prior may recommend for fitting a new clip (used where the user kept the default)
FIT_FIELDS = ("steps", "lr", "lr_final", "batch", "window", "curriculum", "straightness", "substeps", "min_step",
              "prior_weight", "predict", "residual")


@dataclasses.dataclass
class MotionPrior:
    shape: Tuple[int, ...]  # the latent shape it was trained on ([10, 64] toy, [18, 512] StyleGAN2 W+)
    subspace: Subspace  # the domain's mean, basis [D, k] and scale
    field_state: Dict[str, torch.Tensor]  # the vector field's network weights
    config: Dict[str, Any]  # the ODEConfig it was trained with (ARCHITECTURE taken by every fit)
    fit: Dict[str, Any] = dataclasses.field(default_factory=dict)  # fit settings recommended with it (FIT_FIELDS)
    report: Dict[str, Any] = dataclasses.field(default_factory=dict)  # training: clips, frames, steps, seconds, losses
    trained_against: Dict[str, Any] = dataclasses.field(default_factory=dict)  # e.g. the toy weights' sha256
    checksum: Optional[str] = None  # set by load / save: what a FitReport names
    path: Optional[str] = None

    @property
    def dim(self) -> int:
        return self.subspace.dim

    def tensors(self) -> Dict[str, torch.Tensor]:
        t = {f"field.{k}": v for k, v in self.field_state.items()}
        t.update(self.subspace.state_dict())
        return {k: v.detach().cpu().float().contiguous() for k, v in t.items()}

    def header(self) -> Dict[str, Any]:
        return {"format": KIND.format, "version": KIND.version, "model": "ode", "shape": list(self.shape),
                "config": self.config, "fit": self.fit, "report": self.report, "trained_against": self.trained_against}

    def save(self, path) -> None:
        """Write the prior to one file (atomically)."""
        tensors = self.tensors()
        io.write_file(path, tensors, self.header())
        self.checksum = io.checksum(tensors, _as_read(self.header()))  # the same bytes: the same checksum
        self.path = self.path or str(path)  # a freshly trained prior is named by where it was written

    def fit_config(self, cfg: ODEConfig) -> ODEConfig:
        """``cfg`` as a fit with this prior runs it: the prior's architecture (a user value that differs
        from both the default and the prior's is an error), and the prior's fit settings where ``cfg``
        kept the defaults. The subspace is the prior's, so ``subspace_dim`` becomes its size."""
        default = ODEConfig()
        values = cfg.to_dict()
        for name in ARCHITECTURE:
            if name not in self.config or not hasattr(default, name):
                continue
            mine = getattr(cfg, name)
            if mine != getattr(default, name) and mine != self.config[name]:
                raise DynodeInputError(f"{name} = {mine!r} conflicts with the prior {self.path or ''} (trained with "
                                       f"{name} = {self.config[name]!r}); leave {name} at its default with --prior")
            values[name] = self.config[name]
        for name, value in self.fit.items():
            if hasattr(default, name) and getattr(cfg, name) == getattr(default, name):
                values[name] = value
        values["subspace_dim"] = self.dim
        return ODEConfig.from_dict(values).validate()

    def check_latents(self, shape: Tuple[int, ...]) -> None:
        if tuple(shape) != tuple(self.shape):
            raise DynodeInputError(f"the prior {self.path or ''} was trained on latents of shape {list(self.shape)}; these are "
                                   f"{list(shape)} (train a prior on this host's inversions: `dynode prior train`)")

    def start(self, field: torch.nn.Module) -> None:
        """Load the prior's network weights into a new clip's ``field`` (built from :meth:`fit_config`;
        per-clip parameters a field may have, such as second-order velocities, keep their own start)."""
        own = field.state_dict()
        missing = [k for k in self.field_state if k not in own or own[k].shape != self.field_state[k].shape]
        if missing:
            raise DynodeInputError(f"the prior {self.path or ''} does not fit this model's field (e.g. '{missing[0]}'); "
                                   "re-train it with this dynode-plugin")
        field.load_state_dict({**own, **{k: v.clone() for k, v in self.field_state.items()}})

    def with_pull(self, field: torch.nn.Module, weight: float, extra_loss=None):
        """``extra_loss`` (may be None) plus the regulariser towards the prior: ``weight`` x the mean squared
        difference of the network weights (the fit's latent loss is a mean too, so the scales compare)."""
        if not weight:
            return extra_loss
        named = dict(field.named_parameters())
        pairs = [(named[k], v) for k, v in self.field_state.items() if k in named]
        count = sum(v.numel() for _, v in pairs)

        def loss(z, idx, step):
            pull = weight * sum(((p - v) ** 2).sum() for p, v in pairs) / count
            return pull if extra_loss is None else pull + extra_loss(z, idx, step)

        return loss

    def describe(self) -> Dict[str, Any]:
        """What a FitReport records of the prior."""
        return {"path": self.path, "checksum": self.checksum, "clips": self.report.get("clips"),
                "trained_against": self.trained_against}


def _as_read(header: Dict[str, Any]) -> Dict[str, Any]:
    import json

    return json.loads(json.dumps(header))


_CACHE: Dict[Tuple[str, int, int], MotionPrior] = {}


def load_prior(path) -> MotionPrior:
    """Read and validate a ``.dynode-prior`` file (cached by path, size and modification time)."""
    from safetensors.torch import load_file

    path = Path(path)
    header = io.read_header(path, KIND)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _CACHE:
        return _CACHE[key]
    try:
        tensors = load_file(str(path))
    except Exception as exc:
        raise io._bad(path, f"its tensors cannot be read ({type(exc).__name__})", KIND) from None
    if io.checksum(tensors, header) != header["checksum"]:
        raise io._bad(path, "its tensors or header do not match the header's checksum (the file was changed or damaged)", KIND)
    for name in ("fit", "trained_against"):
        if not isinstance(header.get(name), dict):
            raise io._bad(path, f"the header's '{name}' is not a dict", KIND)
    unknown = set(header["fit"]) - set(FIT_FIELDS)
    if unknown:
        raise io._bad(path, f"the header's 'fit' names unknown setting(s) {', '.join(sorted(unknown))}", KIND)
    prior = _build(path, header, tensors)
    _CACHE[key] = prior
    return prior


def _build(path, header: Dict[str, Any], tensors: Dict[str, torch.Tensor]) -> MotionPrior:
    d = math.prod(header["shape"])
    for name, x in tensors.items():
        if x.dtype != torch.float32 or not torch.isfinite(x).all():
            raise io._bad(path, f"tensor '{name}' is not finite float32", KIND)
    mean, scale, basis = tensors.get("subspace.mean"), tensors.get("subspace.scale"), tensors.get("subspace.basis")
    if mean is None or basis is None or scale is None or tuple(mean.shape) != (d,) or scale.numel() != 1 or not float(scale.reshape(())) > 0:
        raise io._bad(path, "its subspace (mean, basis, scale) is missing or does not fit the latent shape", KIND)
    if basis.ndim != 2 or basis.shape[0] != d or not 1 <= basis.shape[1] <= min(d, io.LIMITS["subspace_dim"][1]):
        raise io._bad(path, f"the subspace basis is {list(basis.shape)}; expected [{d}, k]", KIND)
    try:
        cfg = ODEConfig.from_dict({**header["config"], "prior": None}).validate()
        cfg = dataclasses.replace(cfg, subspace_dim=basis.shape[1])
    except (DynodeInputError, TypeError) as exc:
        raise io._bad(path, f"its config is invalid ({exc})", KIND) from None
    prior = MotionPrior(tuple(header["shape"]), Subspace(mean, basis, scale.reshape(())),
                        {k[6:]: v for k, v in tensors.items() if k.startswith("field.")}, header["config"], header["fit"],
                        header.get("report") or {}, header["trained_against"], header["checksum"], str(path))
    try:  # the layout the field needs: build one and run it once
        field = new_field(cfg, prior.dim)
        prior.start(field)
        probe = field(field.lift(torch.zeros(2, prior.dim), torch.zeros(2, dtype=torch.long)), torch.zeros(2))
    except DynodeInputError:
        raise
    except io._FAILURES as exc:
        raise io._bad(path, f"its field does not match its config ({type(exc).__name__}: {str(exc)[:120]})", KIND) from None
    if not torch.isfinite(probe).all():
        raise io._bad(path, "its field gives NaN or inf", KIND)
    return prior
