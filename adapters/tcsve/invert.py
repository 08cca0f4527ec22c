"""``dynode tcsve invert``: TCSVE's inversion (e4e + multi-frame PTI) on 1 aligned frame in K.

TCSVE inverts a video with ``PTI/scripts/run_pti_multi.py``: an e4e pivot per aligned frame,
saved as ``<inverted_root>/embeddings/<run>/PTI/<frame>/0.pt``, then one generator tuned on all
of them (``model_multi_id.pt``). Both scale with the number of frames. Here the checkout's own
``run_PTI`` runs on a temporary folder that holds only the selected frames (links to the aligned
images), so e4e and the generator tuning see those frames and nothing else; the dynamics model,
fitted on their pivots at the true frame numbers, writes the ``0.pt`` of every other frame in
the same format. Frame numbers missing from the aligned folder (the aligner found no face there)
are detection failures: never inverted, filled, listed in the report.

Compat for a CPU-only machine (the host code is untouched): ``configs.global_config.device`` is
set to ``--device``, and so is the device e4e's checkpoint options name (``opts.device``); the rosinality op packages of e4e and of PTI's car generator (which
compile CUDA kernels or call ``.cuda()``) are served by pure-PyTorch ops; ``wandb``, imported
by the coaches but unused by this run (``use_wandb=False``), gets an empty stand-in module when
it is not installed. The working directory, ``sys.path`` and the environment variables
``run_PTI`` sets are put back afterwards.
"""
from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.frame_selection import FrameSelection, SelectionSpec

from . import layout

SCRIPT = Path("PTI") / "scripts" / "run_pti_multi.py"
# rosinality op packages imported on the inversion path: e4e's (calls .cuda()) and the car
# generator's (compiles CUDA kernels at import; imported by the coaches, unused for faces)
INVERSION_OPS = ("models.e4e.stylegan2.op", "models.stylegan2.op")


@dataclasses.dataclass
class AlignedClip:
    """The aligned frames of one video, frame numbers first..last (gaps are frames without a face)."""

    folder: Path
    names: List[str]  # a name per frame number ('frame0005'), made up from the neighbours' pattern for gaps
    numbers: List[int]
    files: Dict[int, Path]  # index -> aligned image, only where one exists

    @property
    def failed(self) -> List[int]:
        return [i for i in range(len(self.numbers)) if i not in self.files]


def read_aligned(folder) -> AlignedClip:
    """The aligned images the way ``run_PTI`` lists them (sorted, named by their stem)."""
    folder = Path(folder).resolve()
    names = layout.frame_names_from_images(folder)
    numbers = layout.check_numbering(names, folder, allow_gaps=True)
    if len(names) < 2:
        raise DynodeInputError(f"{folder} holds {len(names)} aligned frame; a video needs at least 2")
    prefix, _ = layout.split_number(names[0])
    width = len(names[0]) - len(prefix)
    by_number = {n: name for n, name in zip(numbers, names)}
    suffix = {Path(p).stem: Path(p) for p in folder.iterdir() if p.suffix in layout.IMAGE_SUFFIXES}
    all_numbers = list(range(numbers[0], numbers[-1] + 1))
    return AlignedClip(folder=folder, names=[by_number.get(n, f"{prefix}{n:0{width}d}") for n in all_numbers],
                       numbers=all_numbers,
                       files={i: suffix[by_number[n]] for i, n in enumerate(all_numbers) if n in by_number})


def check_outputs(inverted_root: Path, run: str, force: bool) -> None:
    """Refuse, before any work, to overwrite an earlier inversion of this run (unless ``force``)."""
    existing = [p for p in (layout.embeddings_dir(inverted_root, run), inverted_root / layout.GENERATOR_FILE)
                if p.exists() and (not p.is_dir() or any(p.iterdir()))]
    if existing and not force:
        raise DynodeInputError(f"{existing[0]} already exists (an earlier inversion of run '{run}'); "
                               "pass --force to replace it, or choose another --run / --inverted-root")


@contextlib.contextmanager
def _wandb_stand_in() -> Iterator[None]:
    """PTI's coaches import wandb at module level; this run never calls it (use_wandb=False)."""
    if importlib.util.find_spec("wandb") is not None:
        yield
        return
    sys.modules["wandb"] = types.ModuleType("wandb")
    try:
        yield
    finally:
        sys.modules.pop("wandb", None)


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """PTI's paths are relative to PTI/ and run_PTI sets CUDA_* variables: both put back after."""
    cwd, env = os.getcwd(), {k: os.environ.get(k) for k in ("CUDA_DEVICE_ORDER", "CUDA_VISIBLE_DEVICES")}
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _link_frames(files: Sequence[Path], folder: Path) -> None:
    for f in files:
        try:
            os.symlink(f, folder / f.name)
        except OSError:  # no symlinks on this filesystem: copy
            shutil.copy2(f, folder / f.name)


def run_pti(root: Path, files: Sequence[Path], inverted_root: Path, run: str, *, device: str = "cpu",
            pti_steps: Optional[int] = None) -> None:
    """The checkout's ``run_PTI`` on exactly ``files`` (aligned images), writing into ``inverted_root``."""
    from dynode_adapters.common.checkout import host_errors
    from dynode_adapters.common.cpu_ops import install_cpu_ops

    from .host_imports import host_modules

    script = root / SCRIPT
    if not script.is_file():
        raise DynodeInputError(f"{script} not found; is {root} a complete VideoEditGAN checkout?")
    with tempfile.TemporaryDirectory(prefix="dynode-tcsve-selected-") as tmp:
        _link_frames(files, Path(tmp))
        with host_modules(root) as modules, install_cpu_ops(INVERSION_OPS), _wandb_stand_in(), _inside(root / "PTI"):
            modules.import_module("configs.global_config").device = device
            _e4e_on(modules.import_module("models.e4e.psp").pSp, device)
            if pti_steps is not None:
                modules.import_module("configs.hyperparameters").max_pti_steps = pti_steps
            spec = importlib.util.spec_from_file_location("dynode_tcsve_run_pti_multi", script)
            with host_errors("TCSVE's PTI inversion (run_pti_multi.py)"):
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                module.run_PTI(input_data_path=tmp, checkpoint_path=str(inverted_root), batch_size=1, run_name=run,
                               use_multi_id_training=True)


def _e4e_on(psp_class, device: str) -> None:
    """e4e's checkpoint carries the device it was trained on (``opts.device``, 'cuda:0'), where
    ``pSp`` moves its latent average: use ours. The class is this run's own import, dropped after it."""
    build = psp_class.__init__

    def __init__(self, opts):
        opts.device = device
        build(self, opts)
    psp_class.__init__ = __init__


def write_pivot(z: torch.Tensor, path: Path) -> None:
    """One frame's latent as PTI saves its pivots: a ``[1, 18, 512]`` float32 tensor."""
    from dynode_plugin.atomic import atomic_path

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path, overwrite=True) as tmp:
        torch.save(z.detach().to("cpu", torch.float32).reshape(1, *layout.W_PLUS_SHAPE).clone(), tmp)


def invert(root, aligned_dir, inverted_root, run: str, spec: SelectionSpec, *, device: str = "cpu",
           pti_steps: Optional[int] = None, model_id: str = "ode", settings=None, force: bool = False,
           progress: bool = True):
    """Select, invert the selected frames with the checkout's PTI, fill the others; returns
    ``(selection, clip, model, seconds)`` (model None when every frame was inverted)."""
    from dynode_plugin.frame_selection import fill_latents

    from .host_imports import validate_checkout

    root = validate_checkout(root)
    inverted_root = Path(inverted_root).resolve()
    clip = read_aligned(aligned_dir)
    times = [float(n) for n in clip.numbers]  # frame numbers as times, as the host reads them back
    sel: FrameSelection = spec.resolve(len(clip.numbers), failed=clip.failed, times=times)  # every check before work
    check_outputs(inverted_root, run, force)
    seconds: Dict[str, float] = {}
    t0 = time.perf_counter()
    run_pti(root, [clip.files[i] for i in sel.selected], inverted_root, run, device=device, pti_steps=pti_steps)
    seconds["inversion"] = time.perf_counter() - t0
    folder = layout.embeddings_dir(inverted_root, run)
    pivots = torch.stack([layout.load_latent(folder / clip.names[i] / layout.LATENT_FILE) for i in sel.selected])
    full, model, seconds["fit"] = fill_latents(pivots, sel, model_id, settings or {}, progress=progress)
    for i in sel.unobserved:
        write_pivot(full[i], folder / clip.names[i] / layout.LATENT_FILE)
    return sel, clip, model, seconds
