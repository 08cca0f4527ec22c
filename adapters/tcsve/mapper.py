"""The StyleCLIP latent mapper, loaded through the user's own VideoEditGAN checkout.

Nothing of the host is shipped: ``StyleCLIPMapper`` and ``get_keys`` are imported from
``<tcsve_root>/PTI/models/StyleCLIP/mapper/styleclip_mapper.py`` (PTI's scripts run
from ``PTI/``, so that folder is the import root), inside :func:`host_modules`.

Compat fixes the checkout needs on a current, CPU-only torch (the host code is untouched):

* ``PTI/models/StyleCLIP/models/stylegan2/op/fused_act.py`` moves every input to CUDA
  (``input = input.cuda()``): the op package is replaced, for this host only and only
  while its modules are imported, by pure-PyTorch ops (``install_cpu_ops``).
* ``torch.load`` now defaults to ``weights_only=True``: mapper checkpoints
  (``{'state_dict', 'opts'}``) are read with it first and, only if that fails, with
  ``weights_only=False`` (the user's own file); PTI's ``model_multi_id.pt`` is a pickled
  module and always needs ``weights_only=False`` (see :func:`load_generator`).
* ``map_location="cpu"`` everywhere, instead of the host's ``.cuda()`` / ``cuda:0``.
* the mapper is built with ``checkpoint_path=None`` and its weights loaded here, so a
  checkpoint that needs the fallback above still loads, and a mismatch is a clear error.
"""
from __future__ import annotations

import dataclasses
import time
from argparse import Namespace
from pathlib import Path
from typing import Dict, Optional

import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.errors import MissingWeightsError as _MissingWeightsError

from ..common.host_checkpoint import load_host_checkpoint
from . import layout
from .host_imports import host_modules


class MissingWeightsError(_MissingWeightsError):
    """The shared error, printed as its message: as a FileNotFoundError with ``filename`` set,
    ``str()`` would otherwise be OSError's ``[Errno None] None: 'file'``."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else super().__str__()

MAPPER_FLAGS = ("no_coarse_mapper", "no_medium_mapper", "no_fine_mapper")
DEFAULT_STRENGTH = 0.15  # pti_styleclip.py meta_data factor for eyeglasses


def read_checkpoint(path, what: str) -> Dict:
    return load_host_checkpoint(path, what)  # weights_only first; see adapters/common/host_checkpoint.py


def find_mapper(tcsve_root, edit: str, mapper=None, meta: Optional[Dict[str, list]] = None) -> Path:
    """The mapper checkpoint: ``mapper`` if given, else ``<edit>.pt`` where the host keeps it."""
    if mapper is not None:
        p = Path(mapper)
        if not p.is_file():
            raise MissingWeightsError(f"StyleCLIP mapper for '{edit}'", p.name, [p],
                                      f"check --mapper, or download the pretrained mapper from {layout.MAPPER_URL}")
        return p
    stem = (meta or {}).get(edit, [edit])[0]
    candidates = layout.mapper_candidates(tcsve_root, stem)
    for c in candidates:
        if c.is_file():
            return c
    raise MissingWeightsError(f"StyleCLIP mapper for '{edit}'", f"{stem}.pt", candidates,
                              f"download it from {layout.MAPPER_URL} into PTI/pretrained_models/, or pass --mapper PATH")


def mapper_opts(ckpt: Dict, mapper_path: Path, edit: str, meta: Dict[str, list]) -> Namespace:
    """The options ``run_`` builds: the checkpoint's training opts updated with the script's
    test options (``meta_data`` fixes the mapper levels for the edits it knows)."""
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        got = sorted(map(str, ckpt))[:8] if isinstance(ckpt, dict) else type(ckpt).__name__
        raise DynodeInputError(f"{mapper_path} is not a StyleCLIP mapper checkpoint (expected a dict with 'state_dict' and 'opts'; got {got})")
    opts = dict(ckpt.get("opts") or {})
    opts.update(exp_dir=None, couple_outputs=False, stylegan_size=1024, test_batch_size=1, test_workers=1, edit_name=edit)
    if edit in meta:
        opts["mapper_type"] = "LevelsMapper"
        opts.update(zip(MAPPER_FLAGS, meta[edit][1:4]))
    else:
        opts.setdefault("mapper_type", "LevelsMapper")
        for flag in MAPPER_FLAGS:
            opts.setdefault(flag, False)
    opts["checkpoint_path"] = None  # weights are loaded by load_mapper (compat, see module doc)
    return Namespace(**opts)


@dataclasses.dataclass
class LoadedMapper:
    """A StyleCLIP mapper from the user's checkout, on the CPU, in eval mode."""

    net: torch.nn.Module  # the host's StyleCLIPMapper
    path: Path
    edit: str
    seconds: float  # time spent reading and building it

    def delta(self, w: torch.Tensor) -> torch.Tensor:
        """M(w) for ``w [B,18,512]``."""
        with torch.no_grad():
            return self.net.mapper(w.float())

    def apply(self, w: torch.Tensor, strength: float) -> torch.Tensor:
        """``w + strength * M(w)`` (PTI/models/StyleCLIP/mapper/scripts/inference.py: run_on_batch)."""
        if w.ndim != 3 or tuple(w.shape[1:]) != layout.W_PLUS_SHAPE:
            raise DynodeInputError(f"the StyleCLIP mapper edits W+ latents [B, 18, 512]; got {list(w.shape)}")
        w = w.detach().cpu().float()
        return w + strength * self.delta(w)


def load_mapper(tcsve_root, mapper_path, edit: str, meta: Optional[Dict[str, list]] = None) -> LoadedMapper:
    """Read the checkpoint, build the host's ``StyleCLIPMapper`` and load its weights."""
    t0 = time.perf_counter()
    meta = layout.read_meta_data(tcsve_root) if meta is None else meta
    mapper_path = Path(mapper_path)
    ckpt = read_checkpoint(mapper_path, "StyleCLIP mapper")
    opts = mapper_opts(ckpt, mapper_path, edit, meta)
    with host_modules(tcsve_root) as modules:
        smod = modules.import_module("models.StyleCLIP.mapper.styleclip_mapper")
        try:
            net = smod.StyleCLIPMapper(opts)
        except Exception as exc:
            raise DynodeInputError(f"the checkout's StyleCLIPMapper could not be built from the options in {mapper_path} "
                                   f"({type(exc).__name__}: {exc})") from None
        try:
            net.mapper.load_state_dict(smod.get_keys(ckpt, "mapper"), strict=True)
        except RuntimeError as exc:
            first = str(exc).splitlines()[0]
            levels = ", ".join(f"{f}={getattr(opts, f)}" for f in MAPPER_FLAGS)
            raise DynodeInputError(f"{mapper_path} does not fit a {opts.mapper_type} with {levels} ({first}); "
                                   "is it a StyleCLIP latent mapper trained for this edit?") from None
    net.eval().to("cpu")
    for p in net.parameters():
        p.requires_grad_(False)
    return LoadedMapper(net=net, path=mapper_path, edit=edit, seconds=time.perf_counter() - t0)


def load_generator(tcsve_root, path) -> torch.nn.Module:
    """PTI's tuned generator (``model_multi_id.pt``: ``torch.save(G)`` of a whole module).

    Unpickling rebuilds the StyleGAN2-ADA classes from source stored in the pickle, which
    imports the checkout's ``torch_utils``/``dnnlib``: hence ``host_modules``. This runs
    pickled code, so only for the user's own file (after ``weights_only=True`` refuses it)."""
    path = Path(path)
    if not path.is_file():
        raise MissingWeightsError("PTI-tuned generator", path.name, [path],
                                  "run PTI/scripts/run_pti_multi.py --checkpoint_path <inverted_root> first (it writes model_multi_id.pt)")
    with host_modules(tcsve_root):
        G = load_host_checkpoint(path, "PTI-tuned generator")  # weights_only=True first, as every host checkpoint
    if not hasattr(G, "synthesis"):
        raise DynodeInputError(f"{path} holds a {type(G).__name__} without .synthesis(); expected PTI's pickled StyleGAN2-ADA generator")
    G = G.float().eval()
    for p in G.parameters():
        p.requires_grad_(False)
    return G

