"""Where TCSVE (VideoEditGAN) keeps things, and reading its per-frame PTI latents.

Layout of a run, as ``PTI/scripts/run_pti_multi.py --checkpoint_path <inverted_root>``
leaves it and ``PTI/scripts/pti_styleclip.py`` reads it::

    <inverted_root>/embeddings/<run>/PTI/<frame>/0.pt    one [1,18,512] latent per frame
    <inverted_root>/model_multi_id.pt                     the PTI-tuned generator (pickled module)
    <tcsve_root>/PTI/pretrained_models/<edit>.pt          StyleCLIP mapper checkpoints
    <output_root>/StyleCLIP/<edit>/latents.pth            the edited latents [N,18,512]

Frame folders are named after the aligned frames (``frame0000`` ... from
``scripts/vid2frame.py``); the host orders them with a plain string sort, and
``temp_consist.py`` pairs row i of ``latents.pth`` with the i-th aligned frame in that
same order. We therefore read in string order and refuse names whose string order is
not their numeric order, as well as gaps in the numbering (a missing frame would shift
every later row onto the wrong image).
"""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from dynode_plugin.lazy import torch  # imported on first use (a bad command line answers before torch loads)

from dynode_plugin.errors import DynodeInputError

PTI_KEYWORD = "PTI"  # configs/paths_config.py: pti_results_keyword
LATENT_FILE = "0.pt"
GENERATOR_FILE = "model_multi_id.pt"
W_PLUS_SHAPE = (18, 512)
IMAGE_SUFFIXES = (".jpeg", ".jpg", ".png")  # what pti_styleclip.py globs in --aligned_frame_path
MAPPER_URL = "https://drive.google.com/file/d/1CEO3eQr46KnfB8e-U8AZ9LDHaL0NwJda/view?usp=sharing"
_NUMBER = re.compile(r"^(.*?)(\d+)$")


def embeddings_dir(inverted_root, run: str) -> Path:
    return Path(inverted_root) / "embeddings" / run / PTI_KEYWORD


def default_inverted_root(tcsve_root, run: str) -> Path:
    """The README's layout: ``out/<video>/inverted`` under the checkout."""
    return Path(tcsve_root) / "out" / run / "inverted"


def mapper_candidates(tcsve_root, edit: str) -> List[Path]:
    """Where the host looks for ``<edit>.pt``: PTI's ``pretrained_models`` (run from PTI/),
    then the repository's own ``pretrained_models`` (temp_consist.py, run from the root)."""
    root = Path(tcsve_root)
    return [root / "PTI" / "pretrained_models" / f"{edit}.pt", root / "pretrained_models" / f"{edit}.pt"]


@dataclasses.dataclass
class FrameLatents:
    """Per-frame latents in the host's frame order (every frame of the video, gaps included)."""

    names: List[str]  # frame folder names, e.g. frame0000 ('' for a filled gap)
    numbers: List[int]  # the trailing frame numbers, consecutive
    latents: torch.Tensor  # [N, 18, 512] float32 CPU; NaN rows where a frame is missing
    observed: torch.Tensor  # [N] bool: the frame had a 0.pt

    @property
    def missing(self) -> List[int]:
        return [n for n, o in zip(self.numbers, self.observed.tolist()) if not o]


def split_number(name: str) -> Tuple[str, int]:
    m = _NUMBER.match(name)
    if not m:
        raise DynodeInputError(f"frame name '{name}' does not end in a frame number (expected e.g. frame0000, as scripts/vid2frame.py writes)")
    return m.group(1), int(m.group(2))


def check_numbering(names: Sequence[str], where: Path, allow_gaps: bool = False) -> List[int]:
    """Frame numbers of ``names`` (already in string order); refuse gaps (unless allowed),
    unpadded names, duplicates and mixed prefixes."""
    parsed = [split_number(n) for n in names]
    prefixes = sorted({p for p, _ in parsed})
    if len(prefixes) > 1:
        raise DynodeInputError(f"frame folders in {where} mix name prefixes {prefixes}; keep one video's frames per run folder")
    numbers = [n for _, n in parsed]
    if numbers != sorted(numbers):
        raise DynodeInputError(
            f"frame names in {where} are not zero-padded ({names[0]} ... {names[-1]}): TCSVE sorts them as strings, so their "
            "order would not be the video order; rename the frames with zero-padded numbers (frame%04d) and re-run the inversion")
    if len(set(numbers)) != len(numbers):
        dup = sorted({n for n in numbers if numbers.count(n) > 1})
        raise DynodeInputError(f"frame numbers {dup[:10]} appear twice in {where}")
    missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
    if missing and not allow_gaps:
        shown = ", ".join(str(m) for m in missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise DynodeInputError(
            f"{len(missing)} frame(s) missing from {where} (numbers {numbers[0]}..{numbers[-1]}; missing: {shown}). "
            "temp_consist.py pairs latents with aligned frames by position, so a gap would shift every later frame; "
            "re-run the PTI inversion for the missing frames, or pass --fill-gaps to let the dynamics model predict them")
    return numbers


def load_latent(path: Path) -> torch.Tensor:
    try:
        # PTI saves the pivot straight from the GPU: map to the CPU. A plain tensor needs no pickled code.
        z = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise DynodeInputError(f"cannot read {path} as a PTI latent ({type(exc).__name__}: {exc}); re-run the inversion for this frame") from None
    if not isinstance(z, torch.Tensor):
        raise DynodeInputError(f"{path} holds a {type(z).__name__}, expected a [1,18,512] latent tensor")
    if tuple(z.shape) not in ((1, *W_PLUS_SHAPE), W_PLUS_SHAPE):
        raise DynodeInputError(f"{path} has shape {list(z.shape)}; PTI latents are [1, 18, 512] (W+ of a 1024px FFHQ StyleGAN2)")
    if not z.is_floating_point() or not torch.isfinite(z).all():
        raise DynodeInputError(f"{path} is not a finite floating-point latent ({z.dtype}); re-run the inversion for this frame")
    return z.reshape(W_PLUS_SHAPE).float()


def frame_names_from_images(aligned_dir) -> List[str]:
    """Frame names the way pti_styleclip.py lists them: sorted image paths in the aligned folder.

    (The host derives each name with ``path.split(".")[0].split("/")[-1]``, which yields an empty
    name when a parent folder has a dot in it, e.g. ``../out``; we take the file stem.)
    """
    folder = Path(aligned_dir)
    if not folder.is_dir():
        raise DynodeInputError(f"aligned frame folder not found: {folder}")
    images = sorted(str(p) for p in folder.iterdir() if p.suffix in IMAGE_SUFFIXES)
    if not images:
        raise DynodeInputError(f"no .png/.jpg/.jpeg frames in {folder}")
    return [Path(p).stem for p in images]


def read_frame_latents(folder, names: Optional[Sequence[str]] = None, allow_gaps: bool = False) -> FrameLatents:
    """Read ``<folder>/<frame>/0.pt`` for every frame, in the host's order.

    names: the frames of the video (e.g. from the aligned images, like the host); default:
    every sub-folder of ``folder``. allow_gaps: frames missing from the numbering (or without a
    ``0.pt``) become NaN rows marked unobserved instead of an error, for the caller to fill.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DynodeInputError(f"embeddings folder not found: {folder} (expected <inverted_root>/embeddings/<run>/PTI from PTI/scripts/run_pti_multi.py)")
    listed = names is None
    if listed:
        names = sorted(d.name for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
        if not names:
            raise DynodeInputError(f"no frame folders in {folder}; run the PTI inversion first")
    names = list(names)
    present = {n for n in names if (folder / n / LATENT_FILE).is_file()}
    empty = [n for n in names if n not in present]
    if empty and not allow_gaps:
        raise DynodeInputError(f"{len(empty)} frame(s) have no {LATENT_FILE} in {folder}: {', '.join(empty[:10])}; "
                               "re-run the PTI inversion for them, or pass --fill-gaps to let the dynamics model predict them")
    # A listing's numbering gaps are missing frames; given names (the aligned images) ARE the video,
    # whose own numbering may skip (frames without a face): the host pairs by position, so keep them.
    named_numbers = check_numbering(names, folder, allow_gaps=allow_gaps or not listed)
    if len(present) < 2:
        raise DynodeInputError(f"{folder} holds {len(present)} frame latent(s); a video needs at least 2")
    numbers = list(range(named_numbers[0], named_numbers[-1] + 1)) if listed else named_numbers
    by_number = dict(zip(named_numbers, names))
    latents = torch.full((len(numbers), *W_PLUS_SHAPE), float("nan"))
    observed = torch.zeros(len(numbers), dtype=torch.bool)
    for i, num in enumerate(numbers):
        name = by_number.get(num)
        if name in present:
            latents[i] = load_latent(folder / name / LATENT_FILE)
            observed[i] = True
    return FrameLatents(names=[by_number.get(n, "") for n in numbers], numbers=numbers, latents=latents, observed=observed)


def read_meta_data(tcsve_root) -> Dict[str, list]:
    """``meta_data`` of the user's ``PTI/scripts/pti_styleclip.py``, read as data (never imported:
    that script imports torchvision and cv2 at module level).

    Returns ``{edit: [mapper_stem, no_coarse, no_medium, no_fine, factor]}``; {} if absent.
    """
    script = Path(tcsve_root) / "PTI" / "scripts" / "pti_styleclip.py"
    if not script.is_file():
        return {}
    try:
        tree = ast.parse(script.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "meta_data" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return {}
            return {k: list(v) for k, v in value.items() if isinstance(v, (list, tuple)) and len(v) == 5}
    return {}
