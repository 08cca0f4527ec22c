"""The ``stit`` host: a STIT run's pivots in, STIT's InterFaceGAN edits, edited pivots out.

STIT is mostly driven through its own scripts (``dynode stit edit``, or ``use_dynode = True`` in
its configs: the edit step of ``edit_video.py`` is patched, see patches.py). This class is the same
run seen through the host contract, so ``dynode edit --host stit`` and ``dynode batch --host stit``
work like for every other host:

* read: ``checkpoints/model_<run>.pt`` (a path, or the run name with ``--stit-root``): the pivots
  ``[N,18,512]`` and the crop quads, read without running STIT's pickled code;
* edit: STIT's InterFaceGAN edit ``w + (factor / 2) * d``, ``d`` the first row of
  ``editings/w_directions/<name>.npy``, ``factor`` the strength (what ``-er`` ranges over);
* write: ``{"pivots": edited [N,18,512], "quads": ...}`` as a plain ``.pt`` (rendering and stitching
  need STIT's tuned generator: run ``dynode stit edit`` for frames). With ``--fps-factor F``:
  ``(N - 1) * F + 1`` pivots from the trajectory and as many quads, interpolated in time.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List

from dynode_plugin.lazy import torch  # imported on first use (a bad command line answers before torch loads)

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.hosts import Clip, Host

from .checkpoint import ROOT_ENV


class StitHost(Host):
    id = "stit"
    summary = "STIT: a run's pivots (model_<run>.pt), InterFaceGAN directions (user's checkout)"
    source_help = "A STIT run checkpoint model_<run>.pt, or the run name (with --stit-root)."
    out_help = "Output .pt file: {'pivots': edited [N,18,512], 'quads': ...}."

    @classmethod
    def cli_options(cls) -> List[Any]:
        import click

        return [click.Option(["--stit-root"], type=click.Path(file_okay=False), default=lambda: os.environ.get(ROOT_ENV),
                             help=f"Your STIT checkout (default: ${ROOT_ENV}).")]

    def __init__(self, root=None):
        from .checkpoint import find_root

        self.root = find_root(root or os.environ.get(ROOT_ENV))
        self._directions: Dict[str, torch.Tensor] = {}

    @classmethod
    def from_options(cls, stit_root=None) -> "StitHost":
        return cls(stit_root)

    def _folder(self) -> Path:
        from .checkpoint import config_value

        return self.root / config_value(self.root, "interfacegan_folder", "editings/w_directions/")

    def edit_names(self) -> List[str]:
        folder = self._folder()
        return sorted(p.stem for p in folder.glob("*.npy")) if folder.is_dir() else []

    def direction(self, name: str) -> torch.Tensor:
        if name not in self._directions:
            import numpy as np

            self.check_edit(name)
            d = np.load(self._folder() / f"{name}.npy", allow_pickle=False)
            self._directions[name] = torch.from_numpy(d.reshape(-1, 512)[0].astype("float32"))
        return self._directions[name]

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        return latents + (strength / 2) * self.direction(name)  # STIT's _apply_interfacegan(w, d, factor / 2)

    def read(self, source, select=None, progress: bool = True) -> Clip:
        from .checkpoint import checkpoint_path, read_run

        path = Path(source) if str(source).endswith(".pt") else checkpoint_path(self.root, str(source))
        if not path.is_file():
            raise DynodeInputError(f"no STIT checkpoint {path}; STIT's train.py writes checkpoints/model_<run>.pt")
        pivots, quads = read_run(path)
        return Clip(pivots, source=str(path), extras={"quads": quads})

    def check_output(self, out, force: bool = False) -> None:
        if Path(out).exists() and not force:
            raise DynodeInputError(f"{out} exists; pass --force to replace it")

    def write(self, result, out, force: bool = False, progress: bool = True) -> List[str]:
        from dynode_plugin.atomic import atomic_path

        with atomic_path(out, overwrite=force) as tmp:
            torch.save({"pivots": result.edited.detach().cpu().float().clone(), "quads": output_quads(result)}, tmp)
        return [str(out)]


def output_quads(result):
    """STIT's crop quads, one per output frame: with --fps-factor F the quads between two frames are
    interpolated linearly in time (STIT crops and pastes every frame by its quad)."""
    quads = result.clip.extras.get("quads")
    if quads is None or result.fps_factor == 1:
        return quads
    import numpy as np

    from dynode_plugin.frame_selection import upsample_rows

    return list(upsample_rows(np.stack([np.asarray(q, dtype=np.float64) for q in quads]), result.clip.times, result.fps_factor))
