"""The ``latent-transformer`` host: attribute edits and rendering from the user's LT checkout.

``LatentTransformerHost(root)`` (default ``$DYNODE_LT_ROOT``) edits W+ latents
``[N, 18, 512]`` exactly like ``latent_manipulation`` (``w + strength * A(w)``, rows 11-17
kept) with the attribute models present in ``logs/<config>/``, and renders with pSp's
generator on the CPU (pure-PyTorch ops). Networks are loaded once per host object.
Inversion stays pSp's own ``scripts/inference.py``.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List

import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.hosts import Host

from . import layout

ROOT_ENV = "DYNODE_LT_ROOT"


class LatentTransformerHost(Host):
    id = "latent-transformer"
    summary = "Latent Transformer: attribute models on W+ latents, pSp generator (user's checkout)"
    latent_shape = layout.W_PLUS_SHAPE

    def __init__(self, root=None, config: str = "001", log_path=None, stylegan_model_path=None, device: str = "cpu"):
        root = root or os.environ.get(ROOT_ENV)
        if not root:
            raise DynodeInputError(f"the latent-transformer host needs your checkout: pass root=... or set ${ROOT_ENV}")
        from .host_imports import validate_checkout

        self.root = validate_checkout(root)
        self.cfg = layout.read_config(self.root, config)
        self.log_dir = (Path(log_path).resolve() if log_path else self.root / "logs") / config
        self.stylegan_model_path = stylegan_model_path
        self.device = device
        self._nets: Dict[int, torch.nn.Module] = {}
        self._generator = None

    def edit_names(self) -> List[str]:
        names = layout.attribute_names(self.cfg)
        return [n for i, n in enumerate(names) if layout.attr_model_path(self.log_dir, i).is_file()]

    def attribute_net(self, name: str):
        (attr,) = layout.resolve_attrs(name, self.cfg, self.log_dir)
        if attr.num not in self._nets:
            from .host_imports import load_attribute_nets

            self._nets[attr.num] = load_attribute_nets(self.root, [attr], self.cfg, device=self.device)[0]
        return self._nets[attr.num]

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        from .editing import lt_edit

        z = torch.as_tensor(latents, dtype=torch.float32)
        if z.ndim != 3 or tuple(z.shape[1:]) != self.latent_shape:
            raise DynodeInputError(f"latents must be [N, 18, 512] W+ codes; got {tuple(z.shape)}")
        return lt_edit(z, [self.attribute_net(name)], [float(strength)])

    def generator(self):
        if self._generator is None:
            from .host_imports import load_generator

            self._generator = load_generator(self.root, self.stylegan_model_path, device=self.device)
        return self._generator

    def synthesize(self, latents: torch.Tensor) -> torch.Tensor:
        from .render import synthesize

        z = torch.as_tensor(latents, dtype=torch.float32)
        if z.ndim != 3 or tuple(z.shape[1:]) != self.latent_shape:
            raise DynodeInputError(f"latents must be [N, 18, 512] W+ codes; got {tuple(z.shape)}")
        return ((synthesize(self.generator(), z, self.device) + 1) / 2).clamp(0, 1)

    def invert(self, frames: torch.Tensor, progress: bool = True) -> torch.Tensor:
        raise NotImplementedError("the latent-transformer host does not invert frames: run pSp's scripts/inference.py "
                                  "(as in the checkout's run_video_manip.sh) to get latent_code_%05d.npy files")
