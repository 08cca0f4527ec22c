"""A video handed to the metrics: frames, a name, and what encoders made of it, computed once.

Several metrics share one pass of each encoder over a video (TL-ID, TG-ID and ACD all use
the same embeddings). Encoders run in batches of ``encoder.batch`` frames (or clips) with a
progress bar per video; the embeddings of a *source* video go through the on-disk
embedding cache when one is given (:mod:`dynode_plugin.metrics.embedding_cache`), so
scoring several edits of one source embeds it once.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import torch

from .base import Embeddings


def batched(fn: Callable[[torch.Tensor], Any], items: torch.Tensor, batch: int, desc: str, progress: bool,
            unit: str = "frame") -> List[Any]:
    """``fn`` over consecutive slices of ``batch`` items, with one progress bar (unit: items)."""
    from tqdm import tqdm

    batch = max(1, int(batch or 1))
    out = []
    with tqdm(total=len(items), desc=desc, unit=unit, leave=False, disable=not progress) as bar:
        for i in range(0, len(items), batch):
            out.append(fn(items[i:i + batch]))
            bar.update(min(batch, len(items) - i))
    return out


class Video:
    """``frames`` ``[N,3,H,W]`` in [0,1]; ``role`` is "source" or "edited"."""

    def __init__(self, frames: torch.Tensor, name: str = "video", role: str = "edited", cache=None, progress: bool = False):
        self.frames, self.name, self.role, self.cache, self.progress = frames, name, role, cache, progress
        self._memo: Dict[Any, Any] = {}
        self._hash: Optional[str] = None

    def __len__(self) -> int:
        return len(self.frames)

    def content_hash(self) -> str:
        """The cache key of the frames as encoders get them (:mod:`.content_key`); computed once per video."""
        if self._hash is None:
            from .content_key import content_key

            self._hash = content_key(self.frames)
        return self._hash

    def _once(self, key, make):
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def embeddings(self, encoder) -> Embeddings:
        """Identity embeddings of every frame (memoised; cached on disk for sources)."""
        def make():
            cache = self.cache if self.role == "source" else None
            ckey = encoder.cache_key() if cache is not None else None
            if ckey:
                hit = cache.load(ckey, self.content_hash(), len(self))
                if hit is not None:
                    return hit
            emb = Embeddings.cat(batched(encoder.embed, self.frames, encoder.batch, f"{encoder.id} {self.role} {self.name}",
                                         self.progress))
            if ckey:
                cache.save(ckey, self.content_hash(), emb)
            return emb

        return self._once(("embed", id(encoder)), make)

    def predictions(self, regressor) -> torch.Tensor:
        """A regressor's ``[N, K]`` attribute values (memoised)."""
        return self._once(("predict", id(regressor)), lambda: torch.cat(
            batched(regressor.predict, self.frames, regressor.batch, f"{regressor.id} {self.role} {self.name}", self.progress)))

    def clip_features(self, encoder, starts: List[int], clip_len: int) -> torch.Tensor:
        """A video encoder's features ``[len(starts), D]`` of the clips starting at ``starts``."""
        clips = torch.stack([self.frames[s:s + clip_len] for s in starts])
        return torch.cat(batched(encoder.embed_clips, clips, encoder.batch, f"{encoder.id} {self.role} {self.name}",
                                 self.progress, unit="clip"))
