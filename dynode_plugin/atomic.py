"""Atomic outputs: a crash never leaves a half-written file that looks complete.

Every writer in the package goes through :func:`atomic_path` (files) or
:func:`atomic_dir` (folders): content is written to ONE temporary name in the target's
folder and renamed into place only after it is complete. Temporary names carry the
writer's process id (``.<name>.<pid>-<random>.dynode-tmp<suffix>``) so that

* SIGTERM/SIGINT remove the temps of this process (:func:`install_signal_cleanup`, done
  by the CLI): SIGTERM is turned into ``SystemExit`` so every ``finally`` runs, and any
  temp still registered is removed by the handler itself;
* the next write into the same folder removes temps whose process is gone (SIGKILL,
  power loss): :func:`remove_stale_temps`.

Whether an existing target may be replaced at all is decided before any work by
:mod:`dynode_plugin.outputs` (``--force``); ``overwrite=False`` here is a last guard.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import threading
from pathlib import Path
from typing import Iterator, Set, Union

PathLike = Union[str, os.PathLike]
TAG = ".dynode-tmp"
# .<target name>.<pid>-<random>.dynode-tmp[<suffix>]
_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[0-9a-f]{8}" + re.escape(TAG) + r"(\.[^.]*)?$")
_LEGACY_RE = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.part(\.[^.]*)?$")  # mkstemp names of older versions

_live: Set[Path] = set()  # temps of this process, removed on SIGTERM/SIGINT
_lock = threading.Lock()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temp_name(target: Path, suffix: str = "") -> Path:
    """The temporary sibling of ``target`` this process writes to."""
    name = target.name[:120]  # keep the temp name within the file-system's 255 bytes
    return target.with_name(f".{name}.{os.getpid()}-{secrets.token_hex(4)}{TAG}{suffix}")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or unknown: leave it
    return True


def remove_stale_temps(folder: PathLike, target_name: str = "") -> int:
    """Remove temps of our naming in ``folder`` whose writer process is gone; returns how many.

    Legacy ``.<name>.XXXXXXXX.part<suffix>`` temps (no process id) are removed only for
    ``target_name``, the file about to be written.
    """
    folder = Path(folder)
    removed = 0
    try:
        entries = list(folder.iterdir())
    except OSError:
        return 0
    for p in entries:
        m = _TEMP_RE.match(p.name)
        stale = m is not None and not _pid_alive(int(m.group("pid")))
        if m is None and target_name:
            legacy = _LEGACY_RE.match(p.name)
            stale = legacy is not None and legacy.group("name") == target_name
        if not stale:
            continue
        try:
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _register(tmp: Path) -> None:
    with _lock:
        _live.add(tmp)


def _forget(tmp: Path) -> None:
    with _lock:
        _live.discard(tmp)


def _remove(p: Path) -> None:
    try:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        elif p.exists() or p.is_symlink():
            p.unlink()
    except OSError:
        pass


def cleanup_live_temps() -> None:
    """Remove every temp this process has open (called from the signal handler)."""
    with _lock:
        live = list(_live)
        _live.clear()
    for p in live:
        _remove(p)


def _on_signal(signum, frame):
    cleanup_live_temps()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def install_signal_cleanup() -> None:
    """SIGTERM/SIGINT remove this process's temps, then exit (130/143). Main thread only;
    a handler someone else installed (Ray, a host) is left in place."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        current = signal.getsignal(sig)
        if current in (signal.SIG_DFL, signal.default_int_handler, None):
            signal.signal(sig, _on_signal)


def _prepare(target: Path, overwrite: bool, is_dir: bool) -> None:
    from .errors import DynodeInputError

    if target.exists() and not overwrite:
        if not is_dir or any(target.iterdir()):
            raise DynodeInputError(f"{target} already exists; pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(target.parent, target.name)


@contextlib.contextmanager
def atomic_path(target: PathLike, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path in the target's folder (same suffix, so writers pick the
    format by extension); rename it onto ``target`` on success, remove it otherwise."""
    target = Path(target)
    _prepare(target, overwrite, is_dir=False)
    tmp = temp_name(target, target.suffix)
    _register(tmp)
    try:
        tmp.touch(mode=0o666 & ~_umask(), exist_ok=False)
        yield tmp
        os.replace(tmp, target)
    finally:
        _forget(tmp)
        _remove(tmp)


@contextlib.contextmanager
def atomic_dir(target: PathLike, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; it replaces ``target`` only when the block succeeds."""
    target = Path(target)
    _prepare(target, overwrite, is_dir=True)
    tmp = temp_name(target)
    _register(tmp)
    try:
        tmp.mkdir(mode=0o777 & ~_umask())
        yield tmp
        if target.exists():
            old = temp_name(target)  # the old folder leaves under a temp name: a crash here is cleaned up later
            _register(old)
            os.replace(target, old)
            os.replace(tmp, target)
            _forget(old)
            _remove(old)
        else:
            os.replace(tmp, target)
    finally:
        _forget(tmp)
        _remove(tmp)
