"""Video and frame-folder IO (imageio + imageio-ffmpeg), with the package's frame convention.

Frames are float32 tensors ``[N, 3, H, W]`` in [0, 1]. Reads .mp4/.avi/.mov/.webm/.mkv,
.gif and folders of .png/.jpg (natural order: frame2 before frame10); writes .mp4 (h264,
yuv420p), .gif, or a folder of PNGs, always atomically.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch

from .atomic import atomic_dir, atomic_path
from .errors import DynodeInputError

VIDEO_EXT = {".mp4", ".avi", ".mov", ".webm", ".mkv", ".m4v"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}
DEFAULT_FPS = 25.0


def _natural(p: Path):
    return [int(s) if s.isdigit() else s.lower() for s in re.split(r"(\d+)", p.name)]


def _to_tensor(arrays: List[np.ndarray], source) -> torch.Tensor:
    shapes = {a.shape[:2] for a in arrays}
    if len(shapes) > 1:
        raise DynodeInputError(f"frames in {source} have different sizes {sorted(shapes)[:4]}; resize them to one size first")
    rgb = [a[..., :3] if a.ndim == 3 else np.repeat(a[..., None], 3, axis=2) for a in arrays]
    x = torch.from_numpy(np.stack(rgb)).permute(0, 3, 1, 2).float()
    return (x / 255.0).clamp(0, 1) if x.max() > 1.0 or arrays[0].dtype == np.uint8 else x


def read_frames(path) -> Tuple[torch.Tensor, float]:
    """Read a video file or a folder of images -> (frames [N,3,H,W] in [0,1], fps)."""
    import imageio.v3 as iio

    path = Path(path)
    if not path.exists():
        raise DynodeInputError(f"video or frame folder not found: {path}")
    if path.is_dir():
        files = sorted((p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXT), key=_natural)
        if not files:
            raise DynodeInputError(f"no image frames (.png/.jpg) in {path}")
        try:
            arrays = [iio.imread(f) for f in files]
        except Exception as exc:
            raise DynodeInputError(f"cannot read a frame in {path}: {exc}") from None
        frames, fps = _to_tensor(arrays, path), DEFAULT_FPS
    else:
        ext = path.suffix.lower()
        if ext not in VIDEO_EXT | {".gif"}:
            raise DynodeInputError(f"unsupported video type '{ext}' ({path}); use .mp4/.avi/.mov/.webm/.gif or a folder of images")
        try:
            arrays = list(iio.imiter(path))
            meta = iio.immeta(path)
        except Exception as exc:
            raise DynodeInputError(f"cannot read video {path}: {type(exc).__name__}: {exc}") from None
        if not arrays:
            raise DynodeInputError(f"{path} has no frames")
        frames = _to_tensor(arrays, path)
        fps = float(meta.get("fps") or (1000.0 / meta["duration"] if ext == ".gif" and meta.get("duration") else DEFAULT_FPS))
    if len(frames) == 0:
        raise DynodeInputError(f"{path} has no frames")
    return frames, fps


def _to_uint8(frames: torch.Tensor) -> np.ndarray:
    if not isinstance(frames, torch.Tensor) or frames.ndim != 4 or frames.shape[1] != 3:
        raise DynodeInputError(f"frames must be [N, 3, H, W] in [0, 1]; got {tuple(getattr(frames, 'shape', ()))}")
    return (frames.detach().cpu().clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy()


def write_video(frames: torch.Tensor, path, fps: float = DEFAULT_FPS, pattern: str = "frame%04d.png") -> Path:
    """Write frames to .mp4, .gif or (no suffix / trailing slash) a folder of PNGs, atomically."""
    import imageio.v3 as iio

    arr = _to_uint8(frames)
    path = Path(path)
    ext = path.suffix.lower()
    if ext == "" or str(path).endswith("/"):
        with atomic_dir(path) as tmp:
            for i, a in enumerate(arr):
                iio.imwrite(tmp / (pattern % i), a)
        return path
    if ext == ".gif":
        with atomic_path(path) as tmp:
            iio.imwrite(tmp, arr, extension=".gif", duration=1000.0 / fps, loop=0)
        return path
    if ext in VIDEO_EXT:
        h, w = arr.shape[1:3]
        if h % 2 or w % 2:  # yuv420p needs even sizes: pad by one edge row/column
            arr = np.pad(arr, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        import imageio_ffmpeg  # noqa: F401  (clear ImportError if the encoder is missing)

        with atomic_path(path) as tmp:
            iio.imwrite(tmp, arr, extension=ext, fps=fps, codec="libx264", plugin="FFMPEG",
                        macro_block_size=1)
        return path
    raise DynodeInputError(f"cannot write video to '{ext}' ({path}); use .mp4, .gif or a folder")


def hstack_videos(videos: Sequence[torch.Tensor], labels: Optional[Sequence[str]] = None) -> torch.Tensor:
    """Side by side: clips of equal length, padded to the tallest; a 2-px white gap between."""
    n = min(len(v) for v in videos)
    h = max(v.shape[2] for v in videos)
    parts = []
    for i, v in enumerate(videos):
        v = v[:n]
        if v.shape[2] < h:
            v = torch.nn.functional.pad(v, (0, 0, 0, h - v.shape[2]))
        parts.append(v)
        if i < len(videos) - 1:
            parts.append(torch.ones(n, 3, h, 2))
    return torch.cat(parts, dim=3)
