"""Using a host's code from the user's own checkout, without shipping any of it.

The hosts' licences forbid vendoring their code, and their scripts import top-level
packages with generic names (``models``, ``utils``, ``configs``, ``trainer``, ...) from
their working directory. :func:`validate_checkout` checks a checkout root up front (one
clear error naming the missing file and the expected layout, instead of an ImportError
deep inside the host). :func:`checkout_on_path` makes the root importable for the
duration of a block and then puts ``sys.path``, the working directory and
``sys.modules`` back, so two hosts with clashing module names can be used in one
process. Objects created inside the block keep working afterwards.
"""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

from dynode_plugin.errors import DynodeError, DynodeInputError, HostError

# What a failure inside host code usually means, and the one-line fix (matched on the message).
HINTS = (
    ("torchvision::", "torch and torchvision do not match; install a pair that does, e.g. "
                      "pip install torch==2.14.1 torchvision==0.29.1"),
    ("weights_only", "torch >= 2.6 refuses pickled host checkpoints; enable the torch_load compat fix"),
    ("CUDA", "no GPU here; use --device cpu or enable the cpu compat fix"),
    ("cuda", "no GPU here; use --device cpu or enable the cpu compat fix"),
    ("ANTIALIAS", "Pillow >= 10; enable the pillow compat fix"),
)


def hint(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return next((f" ({fix})" for key, fix in HINTS if key in text), "")


@contextlib.contextmanager
def host_errors(what: str) -> Iterator[None]:
    """Failures inside host code become one-line :class:`HostError` lines with a hint (our own errors pass)."""
    try:
        yield
    except DynodeError:
        raise
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise HostError(f"{what} failed: {type(exc).__name__}: {first}{hint(exc)}") from exc


def validate_checkout(root, required: Sequence[str], *, host: str, url: Optional[str] = None,
                      option: Optional[str] = None) -> Path:
    """Return the absolute checkout root; raise if it or any ``required`` file is missing.

    required: paths relative to the root (files or folders). host: a human name for the
    messages; url: where to clone it; option: the CLI option that gives the root.
    """
    if root is None or str(root) == "":
        how = f" (pass {option})" if option else ""
        raise DynodeInputError(f"no {host} checkout given{how}; clone {url or 'it'} and point to its root")
    root = Path(root).expanduser().resolve()
    layout = "\n".join(f"  {root.name}/{r}" for r in required)
    clone = f"clone {url} there" if url else "point to a complete checkout"
    if not root.is_dir():
        raise DynodeInputError(f"{host} checkout not found: {root} is not a folder; {clone}. Expected layout:\n{layout}")
    missing = [r for r in required if not (root / r).exists()]
    if missing:
        raise DynodeInputError(f"{root} does not look like a {host} checkout: missing {missing[0]}"
                               + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
                               + f". Expected layout:\n{layout}\n({clone})")
    return root


def _under(path: Optional[str], roots: Sequence[Path]) -> bool:
    if not path:
        return False
    try:
        p = Path(path).resolve()
    except (OSError, ValueError):
        return False
    return any(p == r or r in p.parents for r in roots)


def _is_host_module(name: str, module, packages: Sequence[str], roots: Sequence[Path]) -> bool:
    if any(name == p or name.startswith(p + ".") for p in packages):
        return True
    return _under(getattr(module, "__file__", None), roots)


@contextlib.contextmanager
def checkout_on_path(root, host_packages: Iterable[str] = (), *, extra_paths: Iterable = (),
                     chdir: bool = False) -> Iterator[Path]:
    """Make ``root`` importable (first on ``sys.path``) while the block runs.

    host_packages: top-level module names the host uses (``models``, ``utils``, ...).
    Modules already loaded under those names (another host's, or a library's) are set
    aside on entry and restored on exit; every module imported from the checkout or
    under those names is removed on exit. extra_paths: more folders to put on the path
    (after root). chdir: also make root the working directory (for hosts that append
    relative paths such as ``'pixel2style2pixel/'`` to ``sys.path``): resolve user paths
    to absolute ones before entering.
    """
    root = Path(root).resolve()
    extra = [Path(p).resolve() for p in extra_paths]
    roots = [root, *extra]
    packages = list(host_packages)
    saved_path = list(sys.path)
    saved_cwd = os.getcwd()
    before = set(sys.modules)
    set_aside = {k: v for k, v in sys.modules.items() if any(k == p or k.startswith(p + ".") for p in packages)}
    for k in set_aside:
        del sys.modules[k]
    sys.path[:0] = [str(p) for p in roots]
    if chdir:
        os.chdir(root)
    saved_finders = set(sys.path_importer_cache)
    try:
        yield root
    finally:
        # Modules first: ones found through a relative sys.path entry the host added
        # have relative __file__ values, which resolve only from the host's cwd.
        for name in [k for k in sys.modules if k not in before or k in set_aside]:
            mod = sys.modules.get(name)
            if _is_host_module(name, mod, packages, roots):
                del sys.modules[name]
        sys.modules.update(set_aside)
        for key in [k for k in sys.path_importer_cache if k not in saved_finders]:
            del sys.path_importer_cache[key]
        sys.path[:] = saved_path
        if chdir:
            os.chdir(saved_cwd)
