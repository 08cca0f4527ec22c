"""On-disk cache of source videos' identity embeddings, keyed by content hash.

Scoring several edits of one source (``dynode metrics`` run once per edit, or sets that
share sources) embeds the source once. Location: ``$DYNODE_EMBEDDING_CACHE`` if set, else
``<cache dir>/embeddings`` (``$DYNODE_CACHE_DIR``, default ``~/.cache/dynode``).
Opt out with ``dynode metrics --no-cache`` or ``DYNODE_EMBEDDING_CACHE=off``.

One safetensors file per (encoder key, video content; the content key is
:func:`~dynode_plugin.metrics.content_key.content_key`): tensors only, never pickle, so a
crafted cache file cannot run code. A file whose metadata, shapes or dtypes do not match
what was asked for is ignored (with a warning) and left in place, never trusted.
"""
from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from typing import Optional

import torch

from .base import Embeddings

ENV = "DYNODE_EMBEDDING_CACHE"
OFF = ("0", "off", "no", "none", "false")
# 2: content keys of .content_key (dtype, shape and bytes as given, XXH3-128 or sha256, named in
# the key); version-1 files keyed the float32 values' sha256 and are never read as version 2
FORMAT = "dynode-embeddings-2"


def default_location() -> Optional[Path]:
    """The cache folder in use, or None when turned off by ``$DYNODE_EMBEDDING_CACHE``."""
    from .weights import cache_dir

    env = os.environ.get(ENV, "").strip()
    if env.lower() in OFF:
        return None
    return Path(env).expanduser() if env else cache_dir() / "embeddings"


class EmbeddingCache:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.hits = self.misses = 0

    @classmethod
    def default(cls) -> Optional["EmbeddingCache"]:
        loc = default_location()
        return cls(loc) if loc is not None else None

    def path(self, encoder_key: str, content: str) -> Path:
        return self.root / hashlib.sha256(encoder_key.encode()).hexdigest()[:16] / f"{content}.safetensors"

    def load(self, encoder_key: str, content: str, frames: int) -> Optional[Embeddings]:
        p = self.path(encoder_key, content)
        if not p.is_file():
            self.misses += 1
            return None
        try:
            from safetensors import safe_open

            with safe_open(str(p), framework="pt") as f:
                meta = f.metadata() or {}
                if meta.get("format") != FORMAT or meta.get("encoder") != encoder_key or meta.get("content") != content:
                    raise ValueError("metadata does not match")
                if set(f.keys()) != {"vectors", "found"}:
                    raise ValueError(f"unexpected tensors {sorted(f.keys())}")
                vectors, found = f.get_tensor("vectors"), f.get_tensor("found")
            if vectors.dtype != torch.float64 or vectors.ndim != 2 or vectors.shape[0] != frames or found.dtype != torch.bool \
                    or tuple(found.shape) != (frames,):
                raise ValueError(f"shapes {tuple(vectors.shape)}/{tuple(found.shape)} do not fit {frames} frames")
        except Exception as exc:  # a damaged or crafted file: recompute, and leave the file for the user to inspect
            warnings.warn(f"dynode: ignoring embedding cache file {p} ({type(exc).__name__}: {exc}); delete it to re-cache",
                          stacklevel=2)
            self.misses += 1
            return None
        self.hits += 1
        return Embeddings(vectors, found)

    def save(self, encoder_key: str, content: str, emb: Embeddings) -> None:
        from safetensors.torch import save_file

        from ..atomic import atomic_path

        p = self.path(encoder_key, content)
        if p.exists():  # not ours to replace (a file that failed to load stays for inspection)
            return
        try:
            with atomic_path(p) as tmp:
                save_file({"vectors": emb.vectors.to(torch.float64).contiguous(), "found": emb.found.to(torch.bool).contiguous()},
                          str(tmp), metadata={"format": FORMAT, "encoder": encoder_key, "content": content})
        except OSError as exc:  # a read-only or full disk must not fail the scoring
            warnings.warn(f"dynode: could not write embedding cache {p}: {exc}", stacklevel=2)
