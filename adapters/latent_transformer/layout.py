"""Where things live in a Latent Transformer checkout, and its file formats.

Layout (github.com/InterDigitalInc/latent-transformer, README + ``run_video_manip.sh``)::

    <lt-root>/trainer.py, nets.py, utils/functions.py      the code we import (never copied)
    <lt-root>/configs/001.yaml                             mapping_* settings, the attribute list
    <lt-root>/logs/001/tnet_<attr_num>.pth.tar             one attribute model (T_net state dict)
    <lt-root>/pixel2style2pixel/                            pSp clone (generator code)
    <lt-root>/pixel2style2pixel/pretrained_models/psp_ffhq_encode.pt   generator weights ('decoder.*')
    outputs/video/<name>/<name>_crop_align_latent/latent_code_%05d.npy  (1, 18, 512) per frame
    outputs/video/<name>/<name>_crop_align_<Attr>/frame%04d.jpg         what latent_manipulation writes

Attribute numbers are positions in CelebA's 40-attribute list (the ``attr`` entry of the
config, and ``attr_dict`` in the scripts). ``video_processing.py``'s ``attr_dict`` leaves out
``Blurry`` (10); we accept it like ``test.py`` does, if its model file exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from dynode_plugin.errors import DynodeInputError, MissingWeightsError

URL = "https://github.com/InterDigitalInc/latent-transformer"
HOST_NAME = "Latent Transformer"
REQUIRED_FILES = [
    "trainer.py",
    "nets.py",
    "utils/functions.py",
    "configs",
    "pixel2style2pixel/models/psp.py",
    "pixel2style2pixel/models/stylegan2/model.py",
    "pixel2style2pixel/models/stylegan2/op/__init__.py",
]
# Top-level names LT and pSp import (removed from sys.modules after use).
HOST_PACKAGES = ["trainer", "nets", "datasets", "utils", "models", "configs", "criteria", "options",
                 "training", "pixel2style2pixel"]
# pSp's model.py imports "models.stylegan2.op"; the package is also reachable as this name.
OP_PACKAGES = ["models.stylegan2.op", "pixel2style2pixel.models.stylegan2.op"]
GENERATOR_FILE = "pixel2style2pixel/pretrained_models/psp_ffhq_encode.pt"
LATENT_PATTERN = "latent_code_%05d.npy"
FRAME_PATTERN = "frame%04d.jpg"
W_PLUS_SHAPE = (18, 512)
KEEP_FROM_LAYER = 11  # latent_manipulation copies rows 11..17 back from w0

CELEBA_ATTRS = (
    "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips", "Big_Nose",
    "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin", "Eyeglasses",
    "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Mustache",
    "Narrow_Eyes", "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks",
    "Sideburns", "Smiling", "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick",
    "Wearing_Necklace", "Wearing_Necktie", "Young",
)


def read_config(root: Path, config: str) -> Dict:
    import yaml

    path = Path(root) / "configs" / f"{config}.yaml"
    if not path.is_file():
        found = sorted(p.stem for p in (Path(root) / "configs").glob("*.yaml"))
        raise DynodeInputError(f"config {path} not found; configs in the checkout: {', '.join(found) or 'none'}")
    try:
        cfg = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise DynodeInputError(f"cannot read {path} as YAML ({exc})") from None
    if not isinstance(cfg, dict):
        raise DynodeInputError(f"{path} is not a YAML mapping")
    return cfg


def attribute_names(cfg: Optional[Dict] = None) -> List[str]:
    """The config's comma-separated ``attr`` list (LT's own), else CelebA's 40 names."""
    listed = (cfg or {}).get("attr")
    if isinstance(listed, str) and listed.strip():
        return [a.strip() for a in listed.split(",")]
    return list(CELEBA_ATTRS)


def attr_model_path(log_dir: Path, num: int) -> Path:
    return Path(log_dir) / f"tnet_{num}.pth.tar"


@dataclass(frozen=True)
class Attribute:
    name: str
    num: int
    model: Path


def _listing(names: Sequence[str], log_dir: Path) -> str:
    rows = []
    for i, n in enumerate(names):
        mark = "*" if attr_model_path(log_dir, i).is_file() else " "
        rows.append(f" {mark}{i:>3} {n}")
    return "\n".join(rows) + f"\n(* = model file present in {log_dir})"


def resolve_attrs(spec: str, cfg: Dict, log_dir: Path) -> List[Attribute]:
    """``'Smiling'``, ``'31'`` or ``'Smiling,Young'`` -> attributes with existing model files."""
    names = attribute_names(cfg)
    lower = {n.lower(): i for i, n in enumerate(names)}
    out = []
    for item in [s.strip() for s in str(spec).split(",")]:
        if item.lstrip("-").isdigit():
            num = int(item)
            if not 0 <= num < len(names):
                raise DynodeInputError(f"attribute number {num} does not exist; attributes:\n{_listing(names, log_dir)}")
        elif item.lower() in lower:
            num = lower[item.lower()]
        else:
            raise DynodeInputError(f"unknown attribute '{item}'; attributes (name or number):\n{_listing(names, log_dir)}")
        model = attr_model_path(log_dir, num)
        if not model.is_file():
            have = [f"{names[i]} ({i})" for i in range(len(names)) if attr_model_path(log_dir, i).is_file()]
            raise MissingWeightsError(f"Latent Transformer model for '{names[num]}' ({num})", model.name, [log_dir],
                                      f"Models present: {', '.join(have) or 'none'}. Get the pretrained ones with the "
                                      f"checkout's download.sh (unzip into logs/) or train one: python train.py --config {log_dir.name}")
        out.append(Attribute(names[num], num, model))
    return out


def parse_alphas(spec: str, n: int) -> List[float]:
    """``--alpha`` like the original: one value per attribute, comma-separated (one value is shared)."""
    parts = [s.strip() for s in str(spec).split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise DynodeInputError(f"--alpha '{spec}' is not a number or a comma-separated list of numbers") from None
    if not all(abs(v) <= 1e3 for v in values):  # also NaN and inf
        raise DynodeInputError(f"--alpha '{spec}': give finite values within +-1000")
    if len(values) == 1:
        values = values * n
    if len(values) != n:
        raise DynodeInputError(f"--alpha has {len(values)} values for {n} attributes; give one per attribute")
    return values


_LATENT_RE = re.compile(r"^latent_code_(\d+)\.npy$")


def read_latents_dir(folder) -> np.ndarray:
    """The per-frame codes ``latent_code_%05d.npy`` (each (1, 18, 512)) -> float32 (N, 18, 512).

    Frames must be numbered 0..N-1 without gaps: that is what latent_manipulation reads
    (it counts the .npy files and opens latent_code_%05d for 0..N-1) and how the output
    frames are named.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DynodeInputError(f"latents folder not found: {folder} (pSp's scripts/inference.py --exp_dir writes "
                               f"{LATENT_PATTERN} files there)")
    numbered = {}
    for p in folder.iterdir():
        m = _LATENT_RE.match(p.name)
        if m:
            numbered[int(m.group(1))] = p
    if not numbered:
        raise DynodeInputError(f"no {LATENT_PATTERN} files in {folder}")
    gaps = sorted(set(range(len(numbered))) - set(numbered))
    if gaps:
        raise DynodeInputError(f"{folder}: frames must be numbered 0..{len(numbered) - 1}; "
                               f"missing {LATENT_PATTERN % gaps[0]}" + (f" and {len(gaps) - 1} more" if len(gaps) > 1 else ""))
    rows = []
    for k in range(len(numbered)):
        path = numbered[k]
        try:
            a = np.load(path, allow_pickle=False)
        except Exception as exc:
            raise DynodeInputError(f"cannot read {path} as .npy ({exc})") from None
        if a.shape not in ((1, *W_PLUS_SHAPE), W_PLUS_SHAPE):
            raise DynodeInputError(f"{path} has shape {a.shape}; expected (1, 18, 512) W+ codes of a 1024 px "
                                   "StyleGAN2 (what pSp's inference.py saves)")
        if not np.issubdtype(a.dtype, np.floating) or not np.isfinite(a).all():
            raise DynodeInputError(f"{path} holds {'non-finite values' if np.issubdtype(a.dtype, np.floating) else a.dtype}; "
                                   "expected finite float W+ codes")
        rows.append(a.reshape(W_PLUS_SHAPE).astype(np.float32))
    return np.stack(rows)
