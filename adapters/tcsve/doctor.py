"""``dynode doctor --host tcsve``: can ``dynode tcsve edit`` and VideoEditGAN's next steps run here?

Checks: the checkout; what the adapter imports (PTI's StyleCLIP mapper) and what the steps
after ours import (``scripts/temp_consist.py``, ``STIT/video_stitching_tuning_ours.py``), found
by reading them; the device; the StyleCLIP mapper checkpoints; importing the mapper with the
adapter's CPU ops.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Optional

from dynode_plugin.doctor import FAIL, OK, Check, Doctor

from ..common.environment import environment_checks, import_check, no_checkout, scan_imports
from .host import ROOT_ENV
from .layout import MAPPER_URL

URL = "https://github.com/Twizwei/VideoEditGAN"
MAPPER_MODULE = "models.StyleCLIP.mapper.styleclip_mapper"


def _import_mapper(root: Path) -> str:
    from .host_imports import host_modules

    with host_modules(root) as m:
        m.import_module(MAPPER_MODULE)
    return f"{MAPPER_MODULE} imports from {root / 'PTI'} (with the adapter's CPU ops)"


class TCSVEDoctor(Doctor):
    id = "tcsve"
    summary = "VideoEditGAN (TCSVE) checkout + environment: imports, StyleCLIP mappers, CPU/GPU path"
    root_env = ROOT_ENV

    def checks(self, root: Optional[Path]) -> Iterator[Check]:
        from .host_imports import validate_checkout

        try:
            root = validate_checkout(root)
        except Exception as exc:
            yield from no_checkout(exc, f"git clone {URL} and pass --root PATH (or set ${ROOT_ENV})")
            return
        yield Check("checkout", OK, str(root))
        needed = scan_imports([root / "PTI" / (MAPPER_MODULE.replace(".", "/") + ".py")], [root / "PTI"], root)
        for script, search in (("scripts/temp_consist.py", [root / "scripts", root]),
                               ("STIT/video_stitching_tuning_ours.py", [root / "STIT"])):
            for name, files in scan_imports([root / script], search, root).items():
                needed.setdefault(name, []).extend(f for f in files if f not in needed[name])
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
