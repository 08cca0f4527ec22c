"""The ``tcsve`` host: StyleCLIP mapper edits from the user's VideoEditGAN checkout.

``TCSVEHost(root)`` (default ``$DYNODE_TCSVE_ROOT``) edits W+ latents ``[N,18,512]`` with
``w + strength * M(w)``, M the mapper ``<edit>.pt`` found where the host keeps it
(``PTI/pretrained_models``). Each mapper is loaded once per host object. Inversion (PTI
tunes a generator per video, hours on a GPU) and rendering stay the host's own scripts.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional

import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.hosts import Host

from . import layout

ROOT_ENV = "DYNODE_TCSVE_ROOT"
# PTI keeps its other weights beside the mappers (configs/paths_config.py): not edits.
NOT_MAPPERS = {"e4e_ffhq_encode", "stylegan2-car-config-f"}


class TCSVEHost(Host):
    id = "tcsve"
    summary = "TCSVE / VideoEditGAN: PTI latents, StyleCLIP mapper edits (user's checkout)"
    latent_shape = layout.W_PLUS_SHAPE

    def __init__(self, root=None, mappers: Optional[Dict[str, str]] = None):
        root = root or os.environ.get(ROOT_ENV)
        if not root:
            raise DynodeInputError(f"the tcsve host needs your VideoEditGAN checkout: pass root=... or set ${ROOT_ENV}")
        from .host_imports import validate_checkout

        self.root = validate_checkout(root)
        self.mappers = {k: Path(v) for k, v in (mappers or {}).items()}  # edit -> explicit checkpoint
        self._meta = layout.read_meta_data(self.root)
        self._loaded = {}

    def edit_names(self) -> List[str]:
        names = set(self._meta) | set(self.mappers)
        for folder in {c.parent for c in layout.mapper_candidates(self.root, "x")}:
            if folder.is_dir():
                names |= {p.stem for p in folder.glob("*.pt")} - NOT_MAPPERS
        return sorted(names)

    def default_strength(self, name: str) -> float:
        from .mapper import DEFAULT_STRENGTH

        return float(self._meta[name][4]) if name in self._meta else DEFAULT_STRENGTH

    def mapper(self, name: str):
        """The loaded mapper for edit ``name`` (read from disk once)."""
        if name not in self._loaded:
            from .mapper import find_mapper, load_mapper

            path = find_mapper(self.root, name, self.mappers.get(name), self._meta)
            self._loaded[name] = load_mapper(self.root, path, name, self._meta)
        return self._loaded[name]

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        return self.mapper(name).apply(latents, strength)
