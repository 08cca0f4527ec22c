"""Text on videos: a caption band above a clip, so a saved comparison explains itself."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

LINE_HEIGHT = 12  # PIL's built-in bitmap font is ~11 px high


def caption_band(width: int, lines: Sequence[str]) -> torch.Tensor:
    """A ``[3, H, width]`` white-on-black band (H a multiple of 16) holding ``lines`` (PIL's built-in font, clipped at the right edge)."""
    from PIL import Image, ImageDraw, ImageFont

    height = -(-(LINE_HEIGHT * len(lines) + 4) // 16) * 16  # a multiple of 16: video encoders' macro blocks
    img = Image.new("RGB", (width, height), (0, 0, 0))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    for i, line in enumerate(lines):
        draw.text((3, 2 + LINE_HEIGHT * i), line, fill=(255, 255, 255), font=font)
    return torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)


def add_caption(frames: torch.Tensor, lines: Sequence[str]) -> torch.Tensor:
    """Frames ``[N, 3, H, W]`` in [0, 1] with the caption band stacked on top of every frame."""
    band = caption_band(frames.shape[-1], lines).to(frames.dtype)
    return torch.cat([band.expand(len(frames), -1, -1, -1), frames], dim=2)
