"""The ``tcsve`` host: PTI's per-frame latents in, StyleCLIP mapper edits, ``latents.pth`` out.

``TCSVEHost(root)`` (default ``$DYNODE_TCSVE_ROOT``), from the user's VideoEditGAN checkout:

* read: ``embeddings/<run>/PTI/<frame>/0.pt`` (what ``run_pti_multi.py`` writes); times are the
  frame numbers, frames without a latent are unobserved (with ``fill_gaps``) or refused;
* edit: ``w + strength * M(w)``, M the mapper ``<edit>.pt`` found where the host keeps it
  (``PTI/pretrained_models``), loaded once per host object;
* write: ``latents.pth`` ``[N,18,512]``, the file ``scripts/temp_consist.py`` and the stitching
  step read (rendering stays the host's: it needs the PTI-tuned generator, see ``--render``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from dynode_plugin.lazy import torch  # imported on first use (a bad command line answers before torch loads)

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.hosts import Clip, Host

from . import layout
from .options import ROOT_ENV
# PTI keeps its other weights beside the mappers (configs/paths_config.py): not edits.
NOT_MAPPERS = {"e4e_ffhq_encode", "stylegan2-car-config-f"}


class TCSVEHost(Host):
    id = "tcsve"
    summary = "TCSVE / VideoEditGAN: PTI latents, StyleCLIP mapper edits (user's checkout)"
    latent_shape = layout.W_PLUS_SHAPE
    source_help = "The folder of <frame>/0.pt latents: <inverted-root>/embeddings/<run>/PTI."
    out_help = "Output latents, e.g. <output_root>/StyleCLIP/<edit>/latents.pth (what temp_consist.py reads)."

    @classmethod
    def cli_options(cls) -> List[Any]:
        from .options import HOST

        return HOST

    def __init__(self, root=None, mappers: Optional[Dict[str, str]] = None, mapper=None, aligned_frames=None,
                 fill_gaps: bool = False):
        root = root or os.environ.get(ROOT_ENV)
        if not root:
            raise DynodeInputError(f"give --tcsve-root (your VideoEditGAN checkout) or set ${ROOT_ENV}")
        from .host_imports import validate_checkout

        self.root = validate_checkout(root)
        self.mappers = {k: Path(v) for k, v in (mappers or {}).items()}  # edit -> explicit checkpoint
        self.mapper_path = Path(mapper) if mapper else None  # --mapper: the checkpoint of whichever edit is asked
        self.aligned_frames = aligned_frames
        self.fill_gaps = fill_gaps
        self._meta = layout.read_meta_data(self.root)
        self._loaded = {}

    @classmethod
    def from_options(cls, tcsve_root=None, **options: Any) -> "TCSVEHost":
        return cls(root=tcsve_root, **options)

    def edit_names(self) -> List[str]:
        names = set(self._meta) | set(self.mappers)
        for folder in {c.parent for c in layout.mapper_candidates(self.root, "x")}:
            if folder.is_dir():
                names |= {p.stem for p in folder.glob("*.pt")} - NOT_MAPPERS
        return sorted(names)

    def default_strength(self, name: str) -> float:
        from .mapper import DEFAULT_STRENGTH

        return float(self._meta[name][4]) if name in self._meta else DEFAULT_STRENGTH

    def mapper_file(self, name: str) -> Path:
        from .mapper import find_mapper

        return find_mapper(self.root, name, self.mappers.get(name, self.mapper_path), self._meta)

    def mapper(self, name: str):
        """The loaded mapper for edit ``name`` (read from disk once)."""
        if name not in self._loaded:
            from .mapper import load_mapper

            self._loaded[name] = load_mapper(self.root, self.mapper_file(name), name, self._meta)
        return self._loaded[name]

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        from dynode_adapters.common.checkout import host_errors

        mapper = self.mapper(name)
        with host_errors("TCSVE's StyleCLIP mapper"):
            return mapper.apply(latents, strength)

    def check(self, edits, render: bool = True) -> None:
        """Mapper files found, the checkout imported and each mapper built: before any fit."""
        for name, _ in edits:
            self.mapper(name)

    def check_output(self, out, force: bool = False) -> None:
        from .editing import check_output

        check_output(out, force)

    def read(self, source, select=None, progress: bool = True) -> Clip:
        names = layout.frame_names_from_images(self.aligned_frames) if self.aligned_frames else None
        frames = layout.read_frame_latents(Path(source), names=names, allow_gaps=self.fill_gaps)
        # frame numbers as times: a skipped frame number leaves a longer step, as in the video
        return Clip(frames.latents, times=torch.tensor(frames.numbers, dtype=torch.float64), mask=frames.observed,
                    source=str(source), extras={"frames": frames})

    def write(self, result, out, force: bool = False, progress: bool = True) -> List[str]:
        from .editing import write_latents

        return [str(write_latents(result.edited, out, force=force))]
