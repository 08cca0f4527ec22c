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
    """A video to score; ``role`` is "source" or "edited".

    ``frames``: float ``[N,3,H,W]`` in [0,1], or uint8 ``[N,3,H,W]`` pixels as decoded
    (``read_frames(..., keep_uint8=True)``, which ``dynode metrics`` uses). uint8 pixels go
    unconverted to encoders that take them (``Encoder.takes_uint8``: dlib rounds floats back
    to uint8 itself, ~4 ms per 720p frame); everything else reads :attr:`frames`, the float
    frames, converted once on first use (:func:`~dynode_plugin.video.pixels_to_float`, the
    values ``read_frames`` gives without ``keep_uint8``), so every metric has the value it
    has on float input. Memory: identity metrics with dlib alone hold only the uint8 pixels (a
    quarter of the float frames); a float consumer (MSE, SSIM, FVD, ArcFace, ...) adds the
    float copy, and both are then kept (1.25x the float frames) for the consumers that follow.
    """

    def __init__(self, frames: torch.Tensor, name: str = "video", role: str = "edited", cache=None, progress: bool = False):
        if frames.dtype == torch.uint8:
            self.pixels: Optional[torch.Tensor] = frames
            self._frames: Optional[torch.Tensor] = None
        else:
            self.pixels, self._frames = None, frames
        self.name, self.role, self.cache, self.progress = name, role, cache, progress
        self._memo: Dict[Any, Any] = {}
        self._hashes: Dict[torch.dtype, str] = {}

    @property
    def frames(self) -> torch.Tensor:
        """Float frames ``[N,3,H,W]`` in [0,1] (from uint8 pixels: converted once, then kept)."""
        if self._frames is None:
            from ..video import pixels_to_float

            self._frames = pixels_to_float(self.pixels)
        return self._frames

    def __len__(self) -> int:
        return len(self.pixels if self.pixels is not None else self._frames)

    def input_for(self, encoder) -> torch.Tensor:
        """What ``encoder`` is given: the uint8 pixels if it takes them and there are any, else float frames."""
        if self.pixels is not None and getattr(encoder, "takes_uint8", False):
            return self.pixels
        return self.frames

    def content_hash(self, frames: Optional[torch.Tensor] = None) -> str:
        """The cache key of ``frames`` (default: the float frames) as encoders get them (:mod:`.content_key`);
        computed once per video and input."""
        frames = self.frames if frames is None else frames
        k = frames.dtype  # the video's one uint8 or one float tensor
        if k not in self._hashes:
            from .content_key import content_key

            self._hashes[k] = content_key(frames)
        return self._hashes[k]

    def _once(self, key, make):
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def embeddings(self, encoder, worker=None) -> Embeddings:
        """Identity embeddings of every frame (memoised under ``encoder``; cached on disk for sources).
        ``worker``: an ``encoder.fork()`` that does the work (another thread's copy), same values."""
        run = worker if worker is not None else encoder

        def make():
            frames = self.input_for(encoder)
            cache = self.cache if self.role == "source" else None
            ckey = encoder.cache_key() if cache is not None else None
            if ckey:
                hit = cache.load(ckey, self.content_hash(frames), len(self))
                if hit is not None:
                    return hit
            emb = Embeddings.cat(batched(run.embed, frames, encoder.batch, f"{encoder.id} {self.role} {self.name}",
                                         self.progress))
            if ckey:
                cache.save(ckey, self.content_hash(frames), emb)
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
