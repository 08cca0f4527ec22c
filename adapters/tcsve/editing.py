"""TCSVE's original editing step, and the file the next TCSVE steps read.

(DynODE's way, the mapper on frame 0 only and the edit carried by the dynamics model, is the
one flow of every host: ``TCSVEHost`` + :mod:`dynode_plugin.pipeline`.)

* :func:`edit_per_frame`: the original ``PTI/scripts/pti_styleclip.py: styleclip_edit``,
  ``w + strength * M(w)`` on every frame, with its cost: per frame the mapper checkpoint is
  read twice (``run_`` and ``StyleCLIPMapper.load_weights``) and the network rebuilt; with
  ``render`` the generator is reloaded and the edited frame written to ``frames/`` too.

Output (:func:`write_latents`): what ``styleclip_edit`` saves, a plain CPU float32 tensor
``[N,18,512]`` (``torch.stack`` of ``w_hat[0].detach().cpu()``), read by
``scripts/temp_consist.py`` with a bare ``torch.load`` and by
``STIT/video_stitching_tuning_ours.py --latent_code_path``. Written atomically; an
existing file is replaced only with ``force``.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Dict, List, Optional

import torch

from dynode_plugin.atomic import atomic_path
from dynode_plugin.errors import DynodeInputError

from . import layout
from .host_imports import host_modules
from .mapper import load_generator, load_mapper, read_checkpoint


def check_output(out, force: bool) -> Path:
    """Refuse an existing output before any work is done (and again when writing)."""
    out = Path(out)
    if out.is_dir():
        raise DynodeInputError(f"--out {out} is a folder; give the file path, e.g. <output_root>/StyleCLIP/<edit>/latents.pth")
    if out.exists() and not force:
        raise DynodeInputError(f"{out} already exists; pass --force to replace it (it is replaced only once the new file is complete)")
    if out.suffix not in (".pth", ".pt"):
        raise DynodeInputError(f"--out must be a .pth file (TCSVE reads StyleCLIP/<edit>/latents.pth); got {out.name}")
    return out


def write_latents(latents: torch.Tensor, out, force: bool = False) -> Path:
    out = check_output(out, force)
    z = latents.detach().to("cpu", torch.float32).contiguous().clone()  # clone: save only these N rows
    if z.ndim != 3 or tuple(z.shape[1:]) != layout.W_PLUS_SHAPE or not torch.isfinite(z).all():
        raise DynodeInputError(f"refusing to write {out}: edited latents have shape {list(z.shape)} or non-finite values")
    with atomic_path(out, overwrite=force) as tmp:
        torch.save(z, tmp)
    return out


def _save_png(image: torch.Tensor, path: Path) -> None:
    import numpy as np
    from PIL import Image

    # inference.py: (x.permute(1, 2, 0) * 127.5 + 128).clamp(0, 255) as uint8
    arr = (image.permute(1, 2, 0) * 127.5 + 128).clamp(0, 255).to(torch.uint8).cpu().numpy()
    with atomic_path(path) as tmp:
        Image.fromarray(np.ascontiguousarray(arr)).save(tmp, format="PNG")


def _one_frame(tcsve_root, frames, i, mapper_path, edit, strength, meta, rows, render_from, frames_dir) -> float:
    """One frame of ``styleclip_edit``: reload the mapper (and the generator), edit, render."""
    t0 = time.perf_counter()
    read_checkpoint(mapper_path, "StyleCLIP mapper")  # run_ reads it once for its opts...
    mapper = load_mapper(tcsve_root, mapper_path, edit, meta)  # ...and StyleCLIPMapper.load_weights once more
    w_hat = mapper.apply(frames.latents[i:i + 1], strength)
    if render_from is not None:
        G = load_generator(tcsve_root, render_from)
        with torch.no_grad():
            image = G.synthesis(w_hat, noise_mode="const", force_fp32=True)[0]
        _save_png(image, Path(frames_dir) / f"{frames.names[i]}.png")
    rows.append(w_hat[0].detach().cpu())
    return time.perf_counter() - t0


def edit_per_frame(tcsve_root, clip, mapper_path, edit: str, strength: float, *,
                   meta: Optional[Dict[str, list]] = None, render_from=None,
                   frames_dir=None, progress: bool = True):
    """The original step: every frame edited on its own, models reloaded for every frame.

    render_from: ``model_multi_id.pt`` to reload and render each edited frame into ``frames_dir``
    like the host (``<output_root>/StyleCLIP/<edit>/frames/<frame>.png``). clip: what ``TCSVEHost.read`` returns.
    """
    from tqdm import tqdm

    from dynode_plugin.pipeline import EditResult

    frames = clip.extras["frames"]
    if not bool(frames.observed.all()):
        raise DynodeInputError(f"--per-frame needs a latent for every frame; missing frame numbers {frames.missing[:10]} "
                               "(only the DynODE mode can fill gaps)")
    meta = layout.read_meta_data(tcsve_root) if meta is None else meta
    t_start = time.perf_counter()
    per_frame: List[float] = []
    rows = []
    with host_modules(tcsve_root):  # the host imports its modules once per process, not per frame
        for i in tqdm(range(len(frames.numbers)), desc=f"per-frame {edit}", disable=not progress, unit="frame"):
            per_frame.append(_one_frame(tcsve_root, frames, i, mapper_path, edit, strength, meta, rows, render_from, frames_dir))
    seconds = {"total_edit": time.perf_counter() - t_start}
    return EditResult(clip, [(edit, strength)], torch.stack(rows), "per-frame", seconds, frame_seconds=per_frame)
