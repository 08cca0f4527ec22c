"""Where encoder weights are looked for, and their sha256 (recorded next to every number).

Order: an explicit path (``--xxx-weights``), then an environment variable, then the cache
folder ``$DYNODE_CACHE_DIR`` (default ``~/.cache/dynode``). Nothing is ever downloaded.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from ..errors import MissingWeightsError

_SHA_CACHE: Dict[Tuple[str, float, int], str] = {}


def cache_dir() -> Path:
    return Path(os.environ.get("DYNODE_CACHE_DIR") or Path.home() / ".cache" / "dynode")


def find_weights(what: str, filenames: Sequence[str], explicit: Optional[str], env: str, how_to_get: str) -> Path:
    """The first existing file among: ``explicit``, ``$env``, ``cache_dir()/<each filename>``.

    An explicit path or env var that does not exist is an error (not silently skipped):
    the user asked for that file.
    """
    for given, label in ((explicit, None), (os.environ.get(env), env)):
        if given:
            p = Path(given).expanduser()
            if p.is_file():
                return p
            where = f"{p}" + (f" (from ${label})" if label else "")
            raise MissingWeightsError(what, p.name, [where], how_to_get)
    searched = [cache_dir() / f for f in filenames]
    for p in searched:
        if p.is_file():
            return p
    raise MissingWeightsError(what, filenames[0], [f"--weights option / ${env} (not set)"] + [str(p) for p in searched], how_to_get)


def sha256_file(path: Path) -> str:
    """sha256 of a file, memoised by (path, mtime, size): weights files are large."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime, st.st_size)
    if key not in _SHA_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _SHA_CACHE[key] = h.hexdigest()
    return _SHA_CACHE[key]
