"""Shared fixtures. Tests never download anything; real data is optional and skipped when absent."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Tests build their own registries; third-party plugins in the environment must not leak in.
os.environ.setdefault("DYNODE_DISABLE_PLUGIN_AUTOLOAD", "1")
# The embedding cache of `dynode metrics` goes to a temporary folder, never the user's ~/.cache.
if "DYNODE_EMBEDDING_CACHE" not in os.environ:
    os.environ["DYNODE_EMBEDDING_CACHE"] = tempfile.mkdtemp(prefix="dynode-test-embeddings-")
    atexit.register(shutil.rmtree, os.environ["DYNODE_EMBEDDING_CACHE"], True)


def shared_data_dir() -> Path:
    """``$DYNODE_SHARED_DATA`` or ``../shared/data`` beside the project root."""
    return Path(os.environ.get("DYNODE_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def shared_data():
    """Path to the shared real data; skips the test cleanly when it is not there."""
    d = shared_data_dir()
    if not d.is_dir():
        pytest.skip(f"real data not found at {d} (set DYNODE_SHARED_DATA to run this test)")
    return d


def shared_file(rel: str) -> Path:
    p = shared_data_dir() / rel
    if not p.exists():
        pytest.skip(f"real data file {p} not found (set DYNODE_SHARED_DATA to run this test)")
    return p
