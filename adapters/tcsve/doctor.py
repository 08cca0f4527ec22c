"""``dynode doctor --host tcsve``: can ``dynode tcsve edit`` and VideoEditGAN's next steps run here?

Checks: the checkout; what the adapter imports (PTI's StyleCLIP mapper) and what the steps
after ours import (``scripts/temp_consist.py``, ``STIT/video_stitching_tuning_ours.py``), found
by reading them; the device; the StyleCLIP mapper checkpoints; importing the mapper with the
adapter's CPU ops.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from dynode_plugin.doctor import FAIL, OK, Check

from ..common.environment import CheckoutDoctor, environment_checks, import_check, merge_scans, scan_imports
from .host import ROOT_ENV
from .host_imports import validate_checkout
from .layout import MAPPER_URL

URL = "https://github.com/Twizwei/VideoEditGAN"
MAPPER_MODULE = "models.StyleCLIP.mapper.styleclip_mapper"


def _import_mapper(root: Path) -> str:
    from .host_imports import host_modules

    with host_modules(root) as m:
        m.import_module(MAPPER_MODULE)
    return f"{MAPPER_MODULE} imports from {root / 'PTI'} (with the adapter's CPU ops)"


class TCSVEDoctor(CheckoutDoctor):
    id = "tcsve"
    summary = "VideoEditGAN (TCSVE) checkout + environment: imports, StyleCLIP mappers, CPU/GPU path"
    root_env = ROOT_ENV
    clone_fix = f"git clone {URL}"
    find_root = staticmethod(validate_checkout)

    def checkout_checks(self, root: Path) -> Iterator[Check]:
        needed = merge_scans(  # the adapter's import, then the two steps after ours (each run from its own folder)
            scan_imports([root / "PTI" / (MAPPER_MODULE.replace(".", "/") + ".py")], [root / "PTI"], root),
            scan_imports([root / "scripts" / "temp_consist.py"], [root / "scripts", root], root),
            scan_imports([root / "STIT" / "video_stitching_tuning_ours.py"], [root / "STIT"], root))
        yield from environment_checks(
            needed, cpu_note="dynode tcsve runs StyleCLIP's mapper through pure-PyTorch ops; VideoEditGAN's own "
                             "steps (temp_consist.py, stitching) expect CUDA",
            gpu_note="VideoEditGAN's own steps run as written")
        yield self._mappers(root)
        yield import_check("checkout imports", lambda: _import_mapper(root),
                           "fix the lines above first; DYNODE_DEBUG=1 dynode tcsve edit ... shows the traceback")

    @staticmethod
    def _mappers(root: Path) -> Check:
        folders = [root / "PTI" / "pretrained_models", root / "pretrained_models"]
        found = [p for f in folders if f.is_dir() for p in sorted(f.glob("*.pt")) if p.name != "model_multi_id.pt"]
        if found:
            return Check("StyleCLIP mappers", OK, ", ".join(f"{p.stem} ({p.parent})" for p in found)
                         + "; use --edit NAME (or --mapper PATH)")
        return Check("StyleCLIP mappers", FAIL, f"no <edit>.pt in {folders[0]} or {folders[1]}",
                     f"download the mappers ({MAPPER_URL}) into {folders[0]}, or pass --mapper PATH to dynode tcsve edit")
