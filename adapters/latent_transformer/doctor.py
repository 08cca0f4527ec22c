"""``dynode doctor --host lt``: can ``dynode lt`` and Latent Transformer's own scripts run here?

Checks: the checkout (LT with pixel2style2pixel inside); what the code ``dynode lt`` imports
(``trainer.py``, ``nets.py``) and what LT's own ``video_processing.py`` imports (its other
steps: cutting/aligning frames, ``reproject_manipulate``), found by reading them; the device;
the config, attribute models and generator weights; importing the checkout with the
adapter's CPU ops and compat fixes. torchvision is needed by LT's scripts but not by
``dynode lt`` (a stand-in is served), so a broken torchvision fails only when
``video_processing.py`` is present to need it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from dynode_plugin.doctor import FAIL, OK, Check

from ..common.environment import CheckoutDoctor, environment_checks, files_check, import_check, merge_scans, scan_imports
from . import layout
from .host import ROOT_ENV
from .host_imports import validate_checkout

ADAPTER_CODE = ("trainer.py", "nets.py")  # what dynode lt imports
HOST_SCRIPTS = ("video_processing.py",)  # LT's own steps around ours
CONFIG = "001"
STAND_IN = "dynode lt works with its stand-in, LT's own scripts do not"


def _import_checkout(root: Path) -> str:
    from .host_imports import lt_modules

    with lt_modules(root) as m:
        m.import_module("nets")
        m.import_module("trainer")
    return f"nets, trainer and pSp's Generator import from {root} (with the adapter's CPU ops)"


class LatentTransformerDoctor(CheckoutDoctor):
    id = "lt"
    summary = "Latent Transformer checkout + environment: imports, config, attribute models, generator, CPU/GPU path"
    root_env = ROOT_ENV
    clone_fix = f"git clone {layout.URL}, clone github.com/eladrich/pixel2style2pixel inside it,"
    find_root = staticmethod(validate_checkout)

    def checkout_checks(self, root: Path) -> Iterator[Check]:
        search = [root, root / "pixel2style2pixel"]
        ours = scan_imports([root / f for f in ADAPTER_CODE], search)
        theirs = scan_imports([root / f for f in HOST_SCRIPTS], search)
        needed = merge_scans(ours, theirs)
        stand_ins = {"torchvision": STAND_IN} if "torchvision" not in theirs else {}
        yield from environment_checks(
            needed, stand_ins=stand_ins,
            cpu_note="dynode lt runs pSp's generator through pure-PyTorch ops (--device cpu, the default)",
            gpu_note="dynode lt --device cuda; LT's own scripts expect CUDA")
        yield files_check("config", [root / "configs" / f"{CONFIG}.yaml"], f"restore configs/{CONFIG}.yaml from {layout.URL}")
        yield self._attribute_models(root / "logs" / CONFIG)
        yield files_check("generator weights", [root / layout.GENERATOR_FILE],
                          "download psp_ffhq_encode.pt (pSp's pretrained models, linked from LT's README) into "
                          f"{(root / layout.GENERATOR_FILE).parent}; without it only `dynode lt manipulate --no-render` works")
        yield import_check("checkout imports", lambda: _import_checkout(root),
                           "fix the lines above first; DYNODE_DEBUG=1 dynode lt attrs --lt-root PATH shows the traceback")

    @staticmethod
    def _attribute_models(log_dir: Path) -> Check:
        models = sorted(log_dir.glob("tnet_*.pth.tar")) if log_dir.is_dir() else []
        if models:
            nums = sorted(int(p.name[len("tnet_"):-len(".pth.tar")]) for p in models if p.name[5:-8].isdigit())
            names = layout.CELEBA_ATTRS
            shown = ", ".join(f"{names[n]} ({n})" if n < len(names) else str(n) for n in nums)
            return Check("attribute models", OK, f"{len(models)} in {log_dir}: {shown}")
        return Check("attribute models", FAIL, f"no tnet_<n>.pth.tar in {log_dir}",
                     "run the checkout's download.sh (unzip into logs/) or train one: python train.py --config 001")


class LatentTransformerAliasDoctor(LatentTransformerDoctor):
    """``dynode doctor --host latent-transformer``: the host's own id, the same checks as ``--host lt``."""

    id = "latent-transformer"
