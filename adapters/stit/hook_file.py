"""The ``.pth`` file that installs the startup hook (``dynode stit install-hook``).

Python runs ``import`` lines of ``.pth`` files in site-packages at interpreter start. Ours
checks the kill switch, then whether this package is still installed (an uninstalled
package must not break the interpreter), then calls ``import_hook.install()``.
"""
from __future__ import annotations

import sysconfig
from pathlib import Path
from typing import Optional

from dynode_plugin.atomic import atomic_path

from .import_hook import ENV_SWITCH

PTH_NAME = "dynode_stit_hook.pth"
PTH_LINE = (
    f'import os; os.environ.get("{ENV_SWITCH}", "1").strip().lower() in ("0", "false", "no", "off") or exec('
    '"try:\\n import dynode_adapters.stit.import_hook as h\\nexcept ImportError:\\n pass\\nelse:\\n h.install()")\n'
)


def site_dir(site: Optional[str] = None) -> Path:
    return Path(site) if site else Path(sysconfig.get_paths()["purelib"])


def install_hook(site: Optional[str] = None) -> Path:
    path = site_dir(site) / PTH_NAME
    if not path.parent.is_dir():
        from dynode_plugin.errors import DynodeInputError

        raise DynodeInputError(f"site-packages folder {path.parent} not found; pass --site-dir")
    with atomic_path(path, overwrite=True) as tmp:
        tmp.write_text(PTH_LINE)
    return path


def uninstall_hook(site: Optional[str] = None) -> Optional[Path]:
    path = site_dir(site) / PTH_NAME
    if path.exists():
        path.unlink()
        return path
    return None
