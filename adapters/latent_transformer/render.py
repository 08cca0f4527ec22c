"""Rendering edited latents with the checkout's generator into ``frame%04d.jpg`` files.

Same files as ``latent_manipulation``: ``Generator([w], input_is_latent=True,
randomize_noise=False)``, then LT's ``clip_img`` ((x + 1) / 2 clamped to [0, 1]) and
torchvision's ``save_image`` conversion (x * 255 + 0.5, clamped, to uint8; PIL's JPEG
defaults), reproduced here so torchvision is not needed. The folder appears only when
every frame is written (:func:`dynode_plugin.atomic.atomic_dir`).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import List

import numpy as np
import torch

from . import layout


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """Generator output ``[3, H, W]`` in [-1, 1] -> ``[H, W, 3]`` uint8, as clip_img + save_image do."""
    img = ((x.detach().float().cpu() + 1) / 2).clamp(0, 1)
    return img.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()


@torch.no_grad()
def synthesize(generator, latents: torch.Tensor, device: str = "cpu") -> torch.Tensor:
    """Latents ``[N, 18, 512]`` -> generator images ``[N, 3, H, W]`` in [-1, 1], one frame at a time."""
    outs = []
    for w in latents:
        img, _ = generator([w[None].to(device)], input_is_latent=True, randomize_noise=False)
        outs.append(img[0].cpu())
    return torch.stack(outs)


@torch.no_grad()
def render_frames(generator, latents: torch.Tensor, out_dir, *, device: str = "cpu", progress: bool = True,
                  overwrite: bool = True) -> List[float]:
    """Write ``out_dir/frame%04d.jpg`` for every latent; returns seconds per frame (synthesis + save)."""
    from PIL import Image
    from tqdm import tqdm

    from dynode_plugin.atomic import atomic_dir

    seconds = []
    with atomic_dir(Path(out_dir), overwrite=overwrite) as tmp:
        for k, w in enumerate(tqdm(latents, desc="render", unit="frame", disable=not progress)):
            t0 = time.perf_counter()
            img, _ = generator([w[None].to(device)], input_is_latent=True, randomize_noise=False)
            Image.fromarray(to_uint8(img[0])).save(tmp / (layout.FRAME_PATTERN % k))
            seconds.append(time.perf_counter() - t0)
    return seconds
