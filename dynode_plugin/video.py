"""Video and frame-folder IO (imageio + imageio-ffmpeg), with the package's frame convention.

Frames are float32 tensors ``[N, 3, H, W]`` in [0, 1]. Reads .mp4/.avi/.mov/.webm/.mkv,
.gif and folders of .png/.jpg (natural order: frame2 before frame10); writes .mp4 (h264,
yuv420p), .gif, or a folder of PNGs, always atomically. imageio is imported inside the
functions so that importing this module stays cheap.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from .lazy import torch  # imported on first use (a bad command line answers before torch loads)

from .atomic import atomic_dir, atomic_path
from .errors import DynodeInputError

VIDEO_EXT = {".mp4", ".avi", ".mov", ".webm", ".mkv", ".m4v"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}
DEFAULT_FPS = 25.0


def natural_key(p: Path):
    """Sort key putting frame2 before frame10 (digit runs compare as numbers)."""
    return [int(s) if s.isdigit() else s.lower() for s in re.split(r"(\d+)", p.name)]


def _image_files(paths: Iterable[Path]) -> List[Path]:
    """Image files among ``paths`` in natural order (hidden files ignored)."""
    return sorted((p for p in paths if p.suffix.lower() in IMAGE_EXT and not p.name.startswith(".") and p.is_file()),
                  key=natural_key)


def list_frame_files(folder: Path) -> List[Path]:
    """The image files of a frame folder in natural order (hidden files ignored)."""
    return _image_files(Path(folder).iterdir())


def is_pattern(path) -> bool:
    """A glob pattern in the file-name part (``frames/edit_*.jpeg``): selects some images of a folder."""
    return any(ch in Path(path).name for ch in "*?[")


def match_frame_files(pattern) -> List[Path]:
    """The image files matching a glob pattern, in natural order."""
    pattern = Path(pattern)
    return _image_files(pattern.parent.glob(pattern.name))


def _as_rgb(a: np.ndarray) -> np.ndarray:
    """One decoded image (H,W) or (H,W,1|3|4) -> (H,W,3), dtype kept (alpha dropped, grey repeated)."""
    if a.ndim == 2:
        a = a[..., None]
    if a.ndim != 3:
        raise DynodeInputError(f"expected an image of shape (H, W[, C]); got {a.shape}")
    return a[..., :3] if a.shape[2] >= 3 else np.repeat(a[..., :1], 3, axis=2)


def _stack(arrays: Iterator[np.ndarray], source, max_frames: Optional[int], keep_uint8: bool = False) -> torch.Tensor:
    """Decoded images -> float32 [N,3,H,W] in [0,1] (or, with ``keep_uint8`` and 8-bit images, uint8 pixels).

    The compact decoded arrays are kept and converted one by one into a preallocated float
    tensor: a whole-clip float intermediate would double the peak memory (and time).
    ``keep_uint8``: 8-bit images stay uint8, ``[N,3,H,W]`` viewed over ``[N,H,W,3]`` memory
    (see :func:`pixels_to_float`); 16-bit or float images are converted to float as usual.
    """
    kept: List[np.ndarray] = []
    for i, a in enumerate(arrays):
        if max_frames is not None and i >= max_frames:
            break
        a = _as_rgb(np.asarray(a))
        if kept and a.shape != kept[0].shape:
            raise DynodeInputError(f"frame {i} of {source} is {a.shape[1]}x{a.shape[0]} but frame 0 is "
                                   f"{kept[0].shape[1]}x{kept[0].shape[0]}; all frames must have one size (resize them first)")
        kept.append(a)
    if not kept:
        raise DynodeInputError(f"{source} has no frames")
    if keep_uint8 and all(a.dtype == np.uint8 for a in kept):
        return torch.from_numpy(np.stack(kept)).permute(0, 3, 1, 2)
    h, w = kept[0].shape[:2]
    out = torch.empty(len(kept), 3, h, w, dtype=torch.float32)
    for i, a in enumerate(kept):
        scale = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(a.dtype, 1.0)
        _frame_to_float(out[i], torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1), scale)
    return out.clamp_(0, 1)


def _frame_to_float(row: torch.Tensor, frame: torch.Tensor, scale: float) -> None:
    """``row`` (float32 ``[3,H,W]``) = ``frame`` / ``scale``, copied then divided in float32. The one place
    this arithmetic lives: :func:`read_frames` and :func:`pixels_to_float` must give identical values
    (``dynode metrics`` scores uint8 pixels for dlib and their float conversion for everything else)."""
    row.copy_(frame)
    if scale != 1.0:
        row /= scale


def pixels_to_float(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 frames ``[N,3,H,W]`` -> float32 in [0,1]: the very values :func:`read_frames` gives
    for 8-bit images."""
    out = torch.empty(pixels.shape, dtype=torch.float32)
    for i in range(len(pixels)):  # frame by frame: no whole-clip temporaries
        _frame_to_float(out[i], pixels[i], 255.0)
    return out


def _folder_arrays(files: List[Path]) -> Iterator[np.ndarray]:
    import imageio.v3 as iio

    for f in files:
        try:
            yield iio.imread(f, plugin="pillow")
        except Exception as exc:  # a corrupt or non-image file with an image suffix
            raise DynodeInputError(f"cannot read frame {f}: {type(exc).__name__}: {exc}") from None


def _video_fps(path: Path) -> float:
    import imageio.v3 as iio

    try:
        meta = iio.immeta(path)
    except Exception:
        return DEFAULT_FPS
    if meta.get("fps"):
        return float(meta["fps"])
    if path.suffix.lower() == ".gif" and meta.get("duration"):  # GIF frame duration, in milliseconds
        return 1000.0 / float(meta["duration"])
    return DEFAULT_FPS


def read_frames(path, max_frames: Optional[int] = None, keep_uint8: bool = False) -> Tuple[torch.Tensor, float]:
    """Read a video file, a folder of images or a glob of images -> (frames [N,3,H,W] float32 in [0,1], fps).

    ``keep_uint8``: 8-bit frames are returned as decoded, uint8 ``[N,3,H,W]`` (a channels-last
    view, 4x smaller than float; :func:`pixels_to_float` gives the float frames). ``dynode
    metrics`` reads this way: the dlib encoder consumes uint8, other consumers convert once.

    A glob (``out/frames/age/2.0/edit_*.jpeg``) picks some images of a folder, e.g. STIT's
    ``--output_frames`` folders, which hold source_, inversion_ and edit_ images together.
    Folders have no frame rate: fps is then :data:`DEFAULT_FPS` (25). ``max_frames``
    stops reading early (long clips at 1024px take 12 MB per frame as float).
    """
    import imageio.v3 as iio

    if is_pattern(path):
        files = match_frame_files(path)
        if not files:
            raise DynodeInputError(f"no image frames ({'/'.join(sorted(IMAGE_EXT))}) match {path}")
        return _stack(_folder_arrays(files), path, max_frames, keep_uint8), DEFAULT_FPS
    path = Path(path)
    if not path.exists():
        raise DynodeInputError(f"video or frame folder not found: {path}")
    if path.is_dir():
        files = list_frame_files(path)
        if not files:
            raise DynodeInputError(f"no image frames ({'/'.join(sorted(IMAGE_EXT))}) in folder {path}")
        return _stack(_folder_arrays(files), path, max_frames, keep_uint8), DEFAULT_FPS
    ext = path.suffix.lower()
    if ext in IMAGE_EXT:
        return _stack(_folder_arrays([path]), path, max_frames, keep_uint8), DEFAULT_FPS
    if ext not in VIDEO_EXT | {".gif"}:
        raise DynodeInputError(f"unsupported video type '{ext}' ({path}); use .mp4/.avi/.mov/.webm/.mkv/.gif or a folder of images")
    try:
        # name the plugin: on a broken file imageio would otherwise try every reader it has
        frames = _stack(iio.imiter(path, plugin="pillow" if ext == ".gif" else "FFMPEG"), path, max_frames, keep_uint8)
    except DynodeInputError:
        raise
    except Exception as exc:  # ffmpeg puts its whole banner in the message: keep the last line, the reason
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[-1][:200] if lines else type(exc).__name__
        raise DynodeInputError(f"cannot read video {path}: {reason}; is it a complete video file?") from None
    return frames, _video_fps(path)


def to_uint8(frames: torch.Tensor) -> np.ndarray:
    """[N,3,H,W] float in [0,1] -> C-contiguous uint8 array [N,H,W,3] (rounded, clipped).

    Frame by frame through one float buffer already in [H,W,3] order: the same values as
    ``(x.clamp(0, 1) * 255 + 0.5).to(uint8)`` (clamping 255x to [0.5, 255.5] after the
    multiply is the same float arithmetic), at a quarter of the time of whole-clip
    temporaries plus a transposing copy (the dlib encoder converts every 720p frame it scores).
    """
    if not isinstance(frames, torch.Tensor) or frames.ndim != 4 or frames.shape[1] != 3:
        raise DynodeInputError(f"frames must be a tensor [N, 3, H, W] in [0, 1]; got {tuple(getattr(frames, 'shape', ()))}")
    if len(frames) == 0:
        raise DynodeInputError("no frames to convert")
    n, _, h, w = frames.shape
    out = np.empty((n, h, w, 3), dtype=np.uint8)
    out_t = torch.from_numpy(out)
    buf = torch.empty(h, w, 3)
    for i, f in enumerate(frames.detach()):
        torch.mul(f.cpu().float().permute(1, 2, 0), 255, out=buf)
        out_t[i].copy_(buf.add_(0.5).clamp_(0.5, 255.5))  # float -> uint8 truncates: round half up
    return out


def _is_folder_target(path) -> bool:
    s = str(path)
    return s.endswith(("/", "\\")) or Path(s).suffix == "" or Path(s).is_dir()


def write_video(frames: torch.Tensor, path, fps: float = DEFAULT_FPS, pattern: str = "frame%04d.png",
                quality: Optional[float] = 8) -> Path:
    """Write frames atomically to .mp4 (h264, yuv420p), .gif, or a folder of PNGs.

    A folder is chosen by a path without suffix, ending in '/', or an existing folder;
    files are named ``pattern % index`` (default ``frame%04d.png``). h264/yuv420p needs
    even sizes: odd heights/widths are padded by repeating the last row/column, so an
    odd-sized clip reads back one pixel larger. ``quality`` is imageio-ffmpeg's 0-10 scale.
    """
    import imageio.v3 as iio

    arr = to_uint8(frames)
    target = Path(path)
    if fps is None or not fps > 0:
        raise DynodeInputError(f"fps must be a positive number; got {fps}")
    if _is_folder_target(path):
        try:
            pattern % 0
        except TypeError:
            raise DynodeInputError(f"frame name pattern must contain one %d-style field, e.g. frame%04d.png; got {pattern!r}") from None
        with atomic_dir(target) as tmp:
            for i, a in enumerate(arr):
                iio.imwrite(tmp / (pattern % i), a)
        return target
    ext = target.suffix.lower()
    if ext == ".gif":
        with atomic_path(target) as tmp:
            iio.imwrite(tmp, arr, extension=".gif", duration=1000.0 / fps, loop=0)
        return target
    if ext in VIDEO_EXT:
        h, w = arr.shape[1:3]
        if h % 2 or w % 2:
            arr = np.pad(arr, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)), mode="edge")
        with atomic_path(target) as tmp:
            iio.imwrite(tmp, arr, extension=ext, fps=fps, codec="libx264", plugin="FFMPEG",
                        macro_block_size=1, pixelformat="yuv420p", quality=quality)
        return target
    raise DynodeInputError(f"cannot write video to '{ext}' ({target}); use .mp4, .gif or a folder (no suffix)")


def _label_bar(text: str, width: int, height: int) -> torch.Tensor:
    """A white bar with black text, [3, height, width] (PIL's built-in font, scaled when supported)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (width, height), "white")
    try:
        font = ImageFont.load_default(size=max(8, int(height * 0.7)))
    except TypeError:  # Pillow < 10.1: fixed-size bitmap font
        font = ImageFont.load_default()
    ImageDraw.Draw(img).text((4, height // 2), text, fill="black", font=font, anchor="lm")
    return torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float() / 255


def hstack_videos(videos: Sequence[torch.Tensor], labels: Optional[Sequence[str]] = None, gap: int = 2) -> torch.Tensor:
    """Clips side by side -> [N,3,H',W']: cut to the shortest clip, padded (black) to the tallest,
    ``gap`` white pixels between; ``labels`` (one per clip) are drawn in a white bar on top."""
    if not videos:
        raise DynodeInputError("hstack_videos needs at least one clip")
    if labels is not None and len(labels) != len(videos):
        raise DynodeInputError(f"{len(labels)} labels for {len(videos)} clips")
    n = min(len(v) for v in videos)
    h = max(v.shape[2] for v in videos)
    bar = max(12, h // 16) if labels else 0
    parts = []
    for i, v in enumerate(videos):
        v = v[:n].float()
        if v.shape[2] < h:
            v = torch.nn.functional.pad(v, (0, 0, 0, h - v.shape[2]))
        if labels:
            v = torch.cat([_label_bar(str(labels[i]), v.shape[3], bar).expand(n, -1, -1, -1), v], dim=2)
        parts.append(v)
        if gap and i < len(videos) - 1:
            parts.append(torch.ones(n, 3, h + bar, gap))
    return torch.cat(parts, dim=3)
