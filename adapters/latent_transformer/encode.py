"""``dynode lt encode``: pSp on 1 aligned frame in K, ``latent_code_%05d.npy`` for every frame.

Latent Transformer's pipeline encodes every aligned frame with pSp (its README's modified
``pixel2style2pixel/scripts/inference.py``) into ``<name>_crop_align_latent/latent_code_%05d.npy``.
Here pSp (loaded from the user's checkout, as that script loads it: ``opts`` from the checkpoint,
``pSp(opts)``, images resized to 256 and normalised to [-1, 1]) runs on the selected frames only;
the dynamics model fitted on their codes at the true frame times writes the codes of every other
frame. Frames missing from the aligned folder (LT's ``align_frames`` found no face there) are
detection failures: unobserved, filled, and listed in the report.
"""
from __future__ import annotations

import re
from argparse import Namespace
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import torch

from dynode_plugin.errors import DynodeInputError

from . import layout

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def read_aligned_folder(folder: Path) -> Tuple[Dict[int, Path], int]:
    """Aligned frames by index (the number in each file name, e.g. frame0007.jpg -> 7) and the
    clip length (the largest index + 1): indices without a file are frames without a face."""
    if not folder.is_dir():
        raise DynodeInputError(f"aligned frames folder {folder} not found; give LT's <name>_crop_align/ folder")
    frames: Dict[int, Path] = {}
    for p in folder.iterdir():
        m = re.search(r"(\d+)$", p.stem)
        if p.suffix.lower() in IMAGE_SUFFIXES and m:
            i = int(m.group(1))
            if i in frames:
                raise DynodeInputError(f"two aligned frames have index {i} ({frames[i].name}, {p.name}); one file per frame")
            frames[i] = p
    if len(frames) < 2:
        raise DynodeInputError(f"{folder} holds {len(frames)} numbered image(s); need at least 2 (e.g. frame0000.jpg, frame0001.jpg)")
    return frames, max(frames) + 1


def load_encoder(root: Path, checkpoint: Path, device: str = "cpu") -> torch.nn.Module:
    """pSp from the checkout with the checkpoint's own options, as pSp's inference script builds it."""
    from .host_imports import _load_state, lt_modules

    ckpt = _load_state(checkpoint, "pSp checkpoint")
    if not isinstance(ckpt, dict) or not isinstance(ckpt.get("opts"), dict):
        raise DynodeInputError(f"{checkpoint} has no 'opts'; expected pSp's checkpoint (psp_ffhq_encode.pt)")
    opts = {**ckpt["opts"], "checkpoint_path": str(checkpoint), "device": device}
    with lt_modules(root) as m:
        m.import_module("trainer")  # puts pSp on the path the way LT does
        net = m.import_module("pixel2style2pixel.models.psp").pSp(Namespace(**opts))
    return net.to(device).eval()


def encode_frames(net, files: List[Path], device: str = "cpu") -> torch.Tensor:
    """W+ codes ``[n, 18, 512]`` of aligned frames (pSp: 256 px input in [-1, 1], no noise, no resize)."""
    from PIL import Image

    codes = []
    with torch.no_grad():
        for f in files:
            img = Image.open(f).convert("RGB").resize((256, 256), Image.BILINEAR)
            x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 127.5 - 1).permute(2, 0, 1)[None].to(device)
            _, latent = net(x, randomize_noise=False, resize=False, return_latents=True)
            codes.append(latent.reshape(1, *layout.W_PLUS_SHAPE).float().cpu())
    return torch.cat(codes)


def write_codes(codes: torch.Tensor, out: Path) -> None:
    for i, z in enumerate(codes):
        np.save(out / (layout.LATENT_PATTERN % i), z[None].numpy().astype(np.float32))
