"""Content keys of videos for the embedding cache: a hash of exactly the tensor an encoder is given.

The key covers the frames' dtype, shape and raw bytes as handed to ``encoder.embed``, with no
conversion first: two videos share a key only when every encoder sees the same input, so an
entry stays valid for encoders that take float frames as well as for those (dlib) that round
to uint8 themselves. Frames that round to the same uint8 picture but differ as floats get
different keys (a miss, never a wrong hit); float32 and float64 copies of a video too.

The hash is xxHash's XXH3-128 when the ``xxhash`` package is installed (extra ``metrics``):
~0.6 ms per 720p float32 frame here against ~6-16 ms for sha256 (which was a twentieth of
a first edit's scoring time). Collision resistance against an attacker is not needed: the key
only decides which of the user's own cached embeddings are reused, and 128 bits make an
accidental collision negligible. Without ``xxhash``, hashlib's sha256 (slower, same safety).
The algorithm's name starts the key, so entries of one algorithm are never read for another.
"""
from __future__ import annotations

import hashlib

import torch

KEY_VERSION = 2  # 1: sha256 of the frames converted to float32 (dynode-embeddings-1); 2: this module


def _hasher():
    try:
        import xxhash
    except ImportError:  # optional dependency: the same keys' meaning, computed slower
        return "sha256", hashlib.sha256()
    return "xxh3_128", xxhash.xxh3_128()


def content_key(frames: torch.Tensor) -> str:
    """``"<algorithm>-<hex>"`` of ``frames``' dtype, shape and bytes (frame by frame, no whole-video copy).

    uint8 frames ``[N,3,H,W]`` are hashed in ``[H,W,3]`` order (marked in the key): decoded
    pixels are stored that way (``read_frames(..., keep_uint8=True)``), so no frame is copied.
    """
    algo, h = _hasher()
    hwc = frames.dtype == torch.uint8 and frames.ndim == 4
    h.update(f"dynode-content-v{KEY_VERSION}:{str(frames.dtype)}:{tuple(frames.shape)}{':hwc' if hwc else ''}".encode())
    for f in frames.detach():
        f = f.permute(1, 2, 0) if hwc else f
        # a byte view of the frame as it is in memory (any dtype, bfloat16 included); copies only
        # a non-contiguous or non-CPU frame
        h.update(f.cpu().contiguous().reshape(-1).view(torch.uint8).numpy())
    return f"{algo}-{h.hexdigest()}"
