"""Run one of STIT's edit scripts in this process, with the DynODE patch applied.

The script runs as ``__main__`` from the checkout root (STIT resolves ``./checkpoints``,
``pretrained_models/`` and ``editings/`` against the working directory), with the same
arguments the user would give it. Settings from the command line win over STIT's config
files for this run only; every patch is undone afterwards.
"""
from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from dynode_plugin.errors import DynodeError, DynodeInputError, HostError

from ..common.checkout import checkout_on_path, hint
from . import import_hook
from .checkpoint import SCRIPTS, checkpoint_path, config_value
from .session import StitSession

HOST_PACKAGES = ["configs", "editings", "utils", "training", "models", "torch_utils", "dnnlib", "criteria", "datasets",
                 "edit_video", "edit_video_stitching_tuning"]


def _option(args: Sequence[str], names: Sequence[str], multiple: bool = False) -> List[str]:
    """Values of a click option in an argument list (``-r X``, ``--run_name X``, ``--run_name=X``)."""
    out = []
    for i, a in enumerate(args):
        for n in names:
            if a == n and i + 1 < len(args):
                out.append(args[i + 1])
            elif n.startswith("--") and a.startswith(n + "="):
                out.append(a.split("=", 1)[1])
    return out if multiple else out[-1:]


def absolutize(args: Sequence[str], names=("-i", "--input_folder", "-o", "--output_folder")) -> List[str]:
    """Input/output folders given relative to the caller's directory, made absolute (the script runs from the root)."""
    out = list(args)
    for i, a in enumerate(out):
        if a in names and i + 1 < len(out):
            out[i + 1] = str(Path(out[i + 1]).expanduser().resolve())
        for n in names:
            if n.startswith("--") and a.startswith(n + "="):
                out[i] = f"{n}={Path(a.split('=', 1)[1]).expanduser().resolve()}"
    return out


def check_arguments(root: Path, script: str, args: Sequence[str]) -> Dict[str, Any]:
    """Catch the mistakes STIT reports late or not at all, before anything is loaded."""
    if script not in SCRIPTS:
        raise DynodeInputError(f"unknown STIT script '{script}'; DynODE patches {', '.join(SCRIPTS)}")
    if not (root / script).is_file():
        raise DynodeInputError(f"{root / script} not found; is {root} a complete STIT checkout?")
    run = (_option(args, ["-r", "--run_name"]) or [None])[0]
    if run is None:
        raise DynodeInputError(f"STIT's {script} needs -r/--run_name (the name given to train.py)")
    checkpoint_path(root, run)
    edit_type = ((_option(args, ["-et", "--edit_type"]) or ["interfacegan"])[0]).lower()
    names = _option(args, ["-en", "--edit_name"], multiple=True)
    if edit_type == "interfacegan":
        folder = root / config_value(root, "interfacegan_folder", "editings/w_directions/")
        known = sorted(p.stem for p in folder.glob("*.npy")) if folder.is_dir() else []
        if not names:
            raise DynodeInputError(f"give -en/--edit_name for an InterFaceGAN edit; known: {', '.join(known) or '(none in ' + str(folder) + ')'}")
        unknown = [n for n in names if n not in known]
        if unknown:
            raise DynodeInputError(f"unknown edit '{unknown[0]}'; STIT's InterFaceGAN directions ({folder}): {', '.join(known)}")
    return {"run": run, "edit_type": edit_type, "edit_names": names}


def run_script(root, script: str, args: Sequence[str], *, use_dynode: bool = True,
               overrides: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """Run ``root/script`` with ``args``; return a report (timings, model file, compat fixes)."""
    root = Path(root).resolve()
    args = absolutize(args)
    info = check_arguments(root, script, args)
    session = StitSession(overrides={"use_dynode": use_dynode, **(overrides or {})}, announce=False, run=info["run"])
    report = execute(root, script, args, session)
    return {**report, "run": info["run"], "edit": dict(session.report)}


def execute(root: Path, script: str, args: Sequence[str], session: StitSession,
            prepare: Optional[Callable[[Any], None]] = None) -> Dict[str, Any]:
    """Run ``root/script`` as ``__main__`` from the checkout with the hook's patches and compat fixes,
    all held by ``session``; ``prepare(session.fixes)`` runs inside the checkout first (to patch more of
    STIT, registering each patch with the fixes so it is undone). Everything is put back afterwards."""
    previous = import_hook.finder()
    previous_session = previous.session if previous else None
    import_hook.install(force=True, session=session)
    saved_argv = sys.argv
    t0 = time.perf_counter()
    try:
        with checkout_on_path(root, HOST_PACKAGES, chdir=True):
            sys.argv = [str(root / script), *args]
            try:
                if prepare is not None:
                    prepare(session.fixes)
                runpy.run_path(str(root / script), run_name="__main__")
            except SystemExit as exc:
                if exc.code not in (0, None):
                    raise HostError(f"STIT's {script} exited with status {exc.code} (its message is above)") from None
            except DynodeError:
                raise
            except Exception as exc:
                raise HostError(f"STIT's {script} failed: {type(exc).__name__}: {exc}{hint(exc)}") from exc
        applied = list(session.fixes.applied)
    finally:
        total = time.perf_counter() - t0
        sys.argv = saved_argv
        session.close()
        if previous is None:
            import_hook.uninstall()
        else:
            previous.session = previous_session
    return {"script": script, "args": list(args), "use_dynode": bool(session.overrides.get("use_dynode")),
            "total_seconds": total, "compat": applied}
