"""Build a TCSVE world for tests: a checkout copy, a PTI run, a mapper checkpoint, a generator.

Everything is written under a temporary folder, in the host's own layout and formats:
``<inverted_root>/embeddings/<run>/PTI/frame%04d/0.pt`` ([1,18,512]),
``<root>/PTI/pretrained_models/<edit>.pt`` ({'state_dict': {'mapper.*', 'decoder.*'}, 'opts'}),
``<inverted_root>/model_multi_id.pt`` (a whole pickled generator module).
For the inversion step: ``PTI/pretrained_models/e4e_ffhq_encode.pt`` and ``ffhq.pkl``
(:func:`make_inversion_models`, :func:`make_real_inversion_models` for a real checkout) and a
folder of aligned frames (:func:`write_aligned_video`).
The networks are built with the checkout's own classes (randomly initialised).
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np
import torch

FAKE_ROOT = Path(__file__).resolve().parent / "VideoEditGAN"


def copy_checkout(dest, source=FAKE_ROOT) -> Path:
    """A writable copy of a checkout (tests never write into tests/fakes)."""
    dest = Path(dest)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".git"))
    return dest


def frame_names(n: int, start: int = 0) -> List[str]:
    return [f"frame{i:04d}" for i in range(start, start + n)]  # scripts/vid2frame.py: 'frame%04d'


def write_run(inverted_root, run: str, latents: torch.Tensor, names: Optional[Sequence[str]] = None) -> Path:
    """One PTI pivot per frame, saved as run_pti_multi.py does: ``torch.save(w_pivot [1,18,512], .../0.pt)``."""
    folder = Path(inverted_root) / "embeddings" / run / "PTI"
    names = list(names) if names is not None else frame_names(len(latents))
    for name, z in zip(names, latents):
        (folder / name).mkdir(parents=True, exist_ok=True)
        torch.save(z.reshape(1, *z.shape[-2:]).clone(), folder / name / "0.pt")
    return folder


def write_aligned(aligned_dir, names: Sequence[str], size: int = 8) -> Path:
    from PIL import Image

    aligned_dir = Path(aligned_dir)
    aligned_dir.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        Image.fromarray(np.full((size, size, 3), i % 255, np.uint8)).save(aligned_dir / f"{name}.png")
    return aligned_dir


def mapper_opts(no_coarse=False, no_medium=False, no_fine=True) -> dict:
    """Training options as StyleCLIP's mapper training stores them (``vars(opts)``)."""
    return {"exp_dir": "results/eyeglasses", "mapper_type": "LevelsMapper", "no_coarse_mapper": no_coarse,
            "no_medium_mapper": no_medium, "no_fine_mapper": no_fine, "stylegan_size": 1024,
            "description": "eyeglasses", "batch_size": 2, "learning_rate": 0.5, "checkpoint_path": None}


def make_mapper_checkpoint(root, path, seed: int = 0, decoder_params: int = 16, **levels) -> Path:
    """A randomly initialised mapper of the checkout's own architecture, saved like StyleCLIP does.

    StyleCLIP's coach saves ``net.state_dict()``, decoder included (a 1024 px generator, about
    30M parameters): ``decoder_params`` sets the size of that stand-in (timing realism)."""
    from argparse import Namespace

    from dynode_adapters.tcsve.host_imports import host_modules

    opts = mapper_opts(**levels)
    torch.manual_seed(seed)
    with host_modules(root) as m:
        net = m.import_module("models.StyleCLIP.mapper.styleclip_mapper").StyleCLIPMapper(Namespace(**opts))
    state = {f"mapper.{k}": v for k, v in net.mapper.state_dict().items()}
    state["decoder.style.1.weight"] = torch.randn(decoder_params)  # the real files carry the generator too; get_keys drops it
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "opts": opts}, path)
    return path


def make_generator(root, path, seed: int = 0) -> Path:
    """The checkout's (fake, tiny) generator pickled whole, like PTI's ``torch.save(self.G, ...)``."""
    from dynode_adapters.tcsve.host_imports import host_modules

    torch.manual_seed(seed)
    with host_modules(root) as m:
        G = m.import_module("training.networks").Generator()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(G, path)
    return path


def run_original_step(root, inverted_root, run: str, aligned_dir, output_root, force: bool = False):
    """Run the checkout's own ``PTI/scripts/pti_styleclip.py: styleclip_edit`` (the fake's) on the CPU.

    The host resolves ``./pretrained_models`` from its working folder (PTI/), reads the device
    from ``configs.global_config`` and needs the CPU ops: all provided here for the call only.
    """
    import importlib.util
    import os

    from dynode_adapters.tcsve.host_imports import host_modules

    root = Path(root)
    cwd = os.getcwd()
    with host_modules(root) as m:
        m.import_module("configs.global_config").device = "cpu"
        spec = importlib.util.spec_from_file_location("tcsve_fake_pti_styleclip", root / "PTI" / "scripts" / "pti_styleclip.py")
        script = importlib.util.module_from_spec(spec)
        os.chdir(root / "PTI")
        try:
            spec.loader.exec_module(script)
            script.styleclip_edit(str(aligned_dir), True, str(inverted_root), run, output_dir=str(output_root), force=force)
        finally:
            os.chdir(cwd)
    return Path(output_root) / "StyleCLIP" / "eyeglasses" / "latents.pth"


def make_stylegan2_ada_generator(root, path, resolution: int = 1024, seed: int = 0) -> Path:
    """A real-architecture PTI generator for a real checkout: StyleGAN2-ADA's ``training.networks``
    from ``<root>/STIT`` (the same persistent classes PTI pickles), randomly initialised and
    pickled whole like ``model_multi_id.pt``. 1024 px gives the 18 W+ rows TCSVE uses."""
    from dynode_adapters.common.checkout import checkout_on_path

    torch.manual_seed(seed)
    with checkout_on_path(Path(root) / "STIT", ["training", "torch_utils", "dnnlib"]):
        import training.networks as networks

        G = networks.Generator(z_dim=512, c_dim=0, w_dim=512, img_resolution=resolution, img_channels=3)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(G.eval(), path)
    return path


def reference_mapper_delta(state_dict, w, no_coarse=False, no_medium=False, no_fine=True):
    """M(w) computed from a mapper checkpoint's weights alone (StyleCLIP's LevelsMapper maths:
    PixelNorm over dim 1, then 4 x [EqualLinear(lr_mul 0.01) + leaky ReLU(0.2) * sqrt 2]),
    an independent check of the host code running on our CPU ops."""
    import math

    import torch.nn.functional as F

    parts = []
    for prefix, rows, off in (("course_mapping", slice(0, 4), no_coarse), ("medium_mapping", slice(4, 8), no_medium),
                              ("fine_mapping", slice(8, 18), no_fine)):
        x = w[:, rows].double()
        if off:
            parts.append(torch.zeros_like(x))
            continue
        x = x * torch.rsqrt(torch.mean(x ** 2, dim=1, keepdim=True) + 1e-8)
        for i in range(1, 5):
            weight = state_dict[f"mapper.{prefix}.mapping.{i}.weight"].double()
            bias = state_dict[f"mapper.{prefix}.mapping.{i}.bias"].double()
            x = F.linear(x, weight * (0.01 / math.sqrt(weight.shape[1])))
            x = F.leaky_relu(x + bias * 0.01, 0.2) * math.sqrt(2)
        parts.append(x)
    return torch.cat(parts, dim=1).float()


def write_aligned_video(aligned_dir, n: int, size: int = 16, missing: Sequence[int] = (), seed: int = 0) -> Path:
    """Aligned frames ``frame%04d.png`` of a smoothly moving picture; the numbers in ``missing``
    are left out (the aligner found no face there)."""
    from PIL import Image

    aligned_dir = Path(aligned_dir)
    aligned_dir.mkdir(parents=True, exist_ok=True)
    g = np.random.default_rng(seed)
    base, drift = g.uniform(40, 215, (size, size, 3)), g.uniform(-3, 3, (size, size, 3))
    for i, name in enumerate(frame_names(n)):
        if i not in set(missing):
            Image.fromarray(np.clip(base + i * drift, 0, 255).astype(np.uint8)).save(aligned_dir / f"{name}.png")
    return aligned_dir


def make_inversion_models(root, seed: int = 0) -> dict:
    """What run_pti_multi.py loads from ``<root>/PTI/pretrained_models``, randomly initialised with
    the checkout's own classes: the e4e checkpoint (``{'opts', 'state_dict': {'encoder.*'},
    'latent_avg'}``) and ``ffhq.pkl`` (``{'G_ema': generator}``, pickled like StyleGAN2-ADA's)."""
    import pickle
    from argparse import Namespace

    from dynode_adapters.tcsve.host_imports import host_modules

    folder = Path(root) / "PTI" / "pretrained_models"
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    with host_modules(root) as m:
        encoder = m.import_module("models.e4e.psp").Encoder4Editing()
        G = m.import_module("training.networks").Generator()
        with open(folder / "ffhq.pkl", "wb") as f:
            pickle.dump({"G_ema": G}, f)
    state = {f"encoder.{k}": v for k, v in encoder.state_dict().items()}
    opts = {"encoder_type": "Encoder4Editing", "stylegan_size": 1024, "start_from_latent_avg": True}
    torch.save({"opts": opts, "state_dict": state, "latent_avg": 0.3 * torch.randn(18, 512)}, folder / "e4e_ffhq_encode.pt")
    return {"e4e": folder / "e4e_ffhq_encode.pt", "ffhq": folder / "ffhq.pkl"}


def run_host_inversion(root, aligned_dir, inverted_root, run: str, pti_steps: int) -> None:
    """The checkout's own run_PTI on a folder of aligned frames, on the CPU (a reference run)."""
    from dynode_adapters.tcsve.invert import run_pti

    run_pti(Path(root), sorted(Path(aligned_dir).glob("*.png")), Path(inverted_root), run, device="cpu", pti_steps=pti_steps)


def make_real_inversion_models(root, seed: int = 0, generator_kwargs=None) -> dict:
    """For a REAL checkout copy: what run_pti_multi.py loads, randomly initialised with the
    checkout's own classes. e4e: ``PTI/models/e4e``'s Encoder4Editing (IR-SE50) and its 1024 px
    decoder, saved as e4e saves them (opts name ``cuda:0`` like the released file); ffhq.pkl:
    ``STIT/training/networks.py``'s StyleGAN2-ADA generator (persistent classes) as ``G_ema``."""
    import pickle
    from argparse import Namespace

    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.common.cpu_ops import install_cpu_ops
    from dynode_adapters.tcsve.host_imports import host_modules
    from dynode_adapters.tcsve.invert import INVERSION_OPS

    root = Path(root)
    folder = root / "PTI" / "pretrained_models"
    folder.mkdir(parents=True, exist_ok=True)
    opts = {"encoder_type": "Encoder4Editing", "stylegan_size": 1024, "start_from_latent_avg": True, "device": "cuda:0",
            "input_nc": 3, "output_size": 1024}
    torch.manual_seed(seed)
    with host_modules(root) as m, install_cpu_ops(INVERSION_OPS):
        encoder = m.import_module("models.e4e.encoders.psp_encoders").Encoder4Editing(50, "ir_se", Namespace(**opts))
        decoder = m.import_module("models.e4e.stylegan2.model").Generator(1024, 512, 8, channel_multiplier=2)
    state = {**{f"encoder.{k}": v for k, v in encoder.state_dict().items()},
             **{f"decoder.{k}": v for k, v in decoder.state_dict().items()}}
    torch.save({"opts": opts, "state_dict": state, "latent_avg": 0.3 * torch.randn(18, 512)}, folder / "e4e_ffhq_encode.pt")
    kw = generator_kwargs or dict(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3)
    with checkout_on_path(root / "STIT", ["training", "torch_utils", "dnnlib"]):
        import training.networks as networks

        G = networks.Generator(**kw).eval()
        with open(folder / "ffhq.pkl", "wb") as f:
            pickle.dump({"G_ema": G}, f)
    return {"e4e": folder / "e4e_ffhq_encode.pt", "ffhq": folder / "ffhq.pkl"}
