"""Builders for Latent Transformer test checkouts: the fake tree plus its binary files.

``make_fake_checkout(dest)`` copies ``latent-transformer/`` (our fake) to ``dest`` and writes
``logs/001/tnet_<n>.pth.tar`` (F_mapping state dicts) and
``pixel2style2pixel/pretrained_models/psp_ffhq_encode.pt`` (``{'state_dict': {'decoder.*',
'encoder.*'}, 'opts': {...}, 'latent_avg'}``, pSp's format). ``write_weights(root, ...)``
does the weights part for any checkout (real or fake), building the networks through the
checkout's own code with random weights.
"""
from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Dict, Iterable

import numpy as np
import torch

FAKE_ROOT = Path(__file__).resolve().parent / "latent-transformer"


def _tnet_state(seed: int, layers: int = 18, width: int = 512) -> Dict[str, torch.Tensor]:
    """Random attribute model weights, scaled so that A(w) is of the order of w
    (F_mapping multiplies weights by 1/sqrt(512) at run time)."""
    g = torch.Generator().manual_seed(seed)
    state = {}
    for i in range(layers):
        state[f"dense.{i}.weight"] = torch.randn(width, width, generator=g) * 0.5
        state[f"dense.{i}.bias"] = torch.randn(width, generator=g) * 0.1
    return state


def write_weights(root, attr_nums: Iterable[int] = (31, 15), *, seed: int = 0, generator: bool = True,
                  config: str = "001", dest=None) -> Path:
    """Attribute models for ``attr_nums`` and (optionally) a generator checkpoint, random weights.

    Written where the checkout keeps them, or under ``dest`` (``dest/logs/<config>/``,
    ``dest/psp_ffhq_encode.pt``: use --log-path/--stylegan-model-path) to leave a real
    checkout untouched. Returns the log folder."""
    root = Path(root)
    log_dir = (Path(dest) if dest else root) / "logs" / config
    log_dir.mkdir(parents=True, exist_ok=True)
    for n in attr_nums:
        torch.save(_tnet_state(seed + n), log_dir / f"tnet_{n}.pth.tar")
    if generator:
        from dynode_adapters.latent_transformer.host_imports import lt_modules

        torch.manual_seed(seed)
        from argparse import Namespace

        with lt_modules(root) as m:
            gen = m.import_module("trainer").Generator(1024, 512, 8)
            encoders = m.import_module("pixel2style2pixel.models.encoders.psp_encoders")
            enc = encoders.GradualStyleEncoder(50, "ir_se", Namespace(input_nc=3, n_styles=18, output_size=1024))
        state = {f"decoder.{k}": v for k, v in gen.state_dict().items()}
        state.update({f"encoder.{k}": v for k, v in enc.state_dict().items()})  # pSp's encoder, for `dynode lt encode`
        path = Path(dest) / "psp_ffhq_encode.pt" if dest else root / "pixel2style2pixel" / "pretrained_models" / "psp_ffhq_encode.pt"
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": state, "opts": {"output_size": 1024, "encoder_type": "GradualStyleEncoder", "input_nc": 3,
                                                  "start_from_latent_avg": True, "learn_in_w": False, "device": "cuda:0"},
                    "latent_avg": torch.zeros(18, 512)}, path)
    return log_dir


def make_fake_checkout(dest, attr_nums: Iterable[int] = (31, 15), seed: int = 0) -> Path:
    dest = Path(dest)
    shutil.copytree(FAKE_ROOT, dest, ignore=shutil.ignore_patterns("__pycache__"))
    write_weights(dest, attr_nums, seed=seed)
    return dest


def write_latents_dir(folder, latents) -> Path:
    """``latent_code_%05d.npy`` files of shape (1, 18, 512), as pSp's modified inference.py saves them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for k, w in enumerate(np.asarray(latents, dtype=np.float32)):
        np.save(folder / ("latent_code_%05d.npy" % k), w[None])
    return folder


def reference_edit(tnet_states, w0: torch.Tensor, alphas) -> torch.Tensor:
    """The LT edit computed from the weight files alone (independent of the checkout's code):
    per row i, w_i + alpha * (W_i w_i / sqrt(512) + b_i), attributes in turn, rows 11-17 from w0."""
    w = w0.double().clone()
    for state, alpha in zip(tnet_states, alphas):
        rows = []
        for i in range(18):
            W, b = state[f"dense.{i}.weight"].double(), state[f"dense.{i}.bias"].double()
            rows.append(w[:, i] + alpha * (w[:, i] @ W.T / math.sqrt(512) + b))
        w = torch.stack(rows, 1)
    w[:, 11:] = w0[:, 11:].double()
    return w.float()
