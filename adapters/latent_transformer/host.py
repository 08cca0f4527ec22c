"""The ``latent-transformer`` host: reads pSp's per-frame latent files, edits with LT's attribute
models, renders ``frame%04d.jpg`` with pSp's generator, all from the user's LT checkout.

* read: ``latent_code_%05d.npy`` files (what pSp's ``scripts/inference.py`` writes), frames 0..N-1;
* edit: exactly ``latent_manipulation``'s ``w + alpha * A(w)``, several attributes in one pass,
  rows 11-17 kept from w0 (:mod:`.editing`); after DynODE's propagation the fine rows are copied
  back from every frame's own w0, as the original does per frame (:meth:`finish`);
* write: ``frame%04d.jpg`` rendered on the CPU (pure-PyTorch ops), the folder the later LT steps
  read, and optionally the edited latents (``--latents-out``).

:meth:`check` resolves the attributes, imports the checkout and loads the networks (and the
generator, when rendering) *before* anything is fitted: a broken environment fails in seconds,
as a one-line error with its fix. Networks are loaded once per host object.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from dynode_plugin.lazy import torch  # imported on first use (a bad command line answers before torch loads)

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.hosts import Clip, Host

from . import layout
from .options import ROOT_ENV


class LatentTransformerHost(Host):
    id = "latent-transformer"
    summary = "Latent Transformer: attribute models on W+ latents, pSp generator (user's checkout)"
    latent_shape = layout.W_PLUS_SHAPE
    source_help = "Folder of latent_code_%05d.npy (1,18,512), e.g. outputs/video/<name>/<name>_crop_align_latent."
    out_help = "Output folder of frame%04d.jpg, e.g. outputs/video/<name>/<name>_crop_align_<Attr>."

    @classmethod
    def cli_options(cls) -> List[Any]:
        from . import options

        return options.CHECKOUT + options.OUTPUT

    def __init__(self, root=None, config: str = "001", log_path=None, stylegan_model_path=None, device: str = "cpu",
                 render: bool = True, latents_out=None):
        root = root or os.environ.get(ROOT_ENV)
        if not root:
            raise DynodeInputError(f"give --lt-root (your latent-transformer checkout) or set ${ROOT_ENV}")
        from .host_imports import validate_checkout

        self.root = validate_checkout(root)
        self.cfg = layout.read_config(self.root, config)
        self.log_dir = (Path(log_path).resolve() if log_path else self.root / "logs") / config
        # absolute paths: the checkout is imported with its root as the working directory
        self.stylegan_model_path = Path(stylegan_model_path).resolve() if stylegan_model_path else None
        self.device = device
        self.render = render
        self.latents_out = Path(latents_out).resolve() if latents_out else None
        if not render and self.latents_out is None:
            raise DynodeInputError("--no-render writes no frames: give --latents-out to keep the edited latents")
        if self.latents_out is not None and self.latents_out.suffix not in (".pt", ".pth", ".npy"):
            raise DynodeInputError(f"--latents-out must end in .pt, .pth or .npy; got {self.latents_out.name}")
        self._nets: Dict[int, torch.nn.Module] = {}
        self._generator = None

    @classmethod
    def from_options(cls, lt_root=None, no_render: bool = False, **options: Any) -> "LatentTransformerHost":
        return cls(root=lt_root, render=not no_render, **options)

    # -- edits -----------------------------------------------------------------------------
    def edit_names(self) -> List[str]:
        names = layout.attribute_names(self.cfg)
        return [n for i, n in enumerate(names) if layout.attr_model_path(self.log_dir, i).is_file()]

    def attributes(self, spec: str) -> List[layout.Attribute]:
        """``'Smiling'``, ``'31'`` or ``'Smiling,Young'`` -> attributes whose model files exist."""
        return layout.resolve_attrs(spec, self.cfg, self.log_dir)

    def attribute_net(self, name: str):
        (attr,) = self.attributes(name)
        if attr.num not in self._nets:
            from .host_imports import load_attribute_nets

            self._nets[attr.num] = load_attribute_nets(self.root, [attr], self.cfg, device=self.device)[0]
        return self._nets[attr.num]

    def edit_many(self, latents: torch.Tensor, edits) -> torch.Tensor:
        """All attributes in one pass, as ``latent_manipulation`` chains them, fine rows kept from w0."""
        from dynode_adapters.common.checkout import host_errors

        from .editing import lt_edit

        z = torch.as_tensor(latents, dtype=torch.float32)
        if z.ndim != 3 or tuple(z.shape[1:]) != self.latent_shape:
            raise DynodeInputError(f"latents must be [N, 18, 512] W+ codes; got {tuple(z.shape)}")
        nets = [self.attribute_net(name) for name, _ in edits]
        with host_errors("Latent Transformer's attribute model"):
            return lt_edit(z, nets, [float(s) for _, s in edits])

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        return self.edit_many(latents, [(name, strength)])

    def check(self, edits, render: Optional[bool] = None) -> None:
        """Attributes resolved, networks imported and loaded, generator loaded: before any fit."""
        for name, _ in edits:
            self.attribute_net(name)
        if self.render if render is None else render:
            self.generator()

    def check_output(self, out, force: bool = False) -> None:
        out = Path(out)
        if self.render and out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
            raise DynodeInputError(f"{out.resolve()} exists and is not empty; pass --force to replace it")
        if self.latents_out is not None and self.latents_out.exists() and not force:
            raise DynodeInputError(f"{self.latents_out} exists; pass --force to replace it")

    # -- read, finish, write -----------------------------------------------------------------
    def read(self, source, select=None, progress: bool = True) -> Clip:
        return Clip(torch.from_numpy(layout.read_latents_dir(Path(source).resolve())), source=str(source))

    def finish(self, clip: Clip, edited: torch.Tensor) -> torch.Tensor:
        from .editing import keep_fine_layers

        return keep_fine_layers(edited, clip.latents)

    def write(self, result, out, force: bool = False, progress: bool = True) -> List[str]:
        from dynode_plugin.latent_io import save_latents

        from .render import render_frames

        files = []
        if self.render:
            # not wrapped as a host error: the generator was loaded in check(); what fails here is our writing
            per_frame = render_frames(self.generator(), result.edited, Path(out).resolve(), device=self.device,
                                      progress=progress, overwrite=force)
            result.seconds["render_per_frame"] = sum(per_frame) / len(per_frame)
            files.append(str(out))
        if self.latents_out is not None:  # after the frames: a failed render leaves no new file at all
            save_latents(result.edited, self.latents_out)
            files.append(str(self.latents_out))
        return files

    # -- rendering ---------------------------------------------------------------------------
    def generator(self):
        if self._generator is None:
            from .host_imports import find_generator, load_generator

            path = find_generator(self.root, self.stylegan_model_path)
            self._generator = load_generator(self.root, path, device=self.device)
        return self._generator

    def synthesize(self, latents: torch.Tensor) -> torch.Tensor:
        from .render import synthesize

        z = torch.as_tensor(latents, dtype=torch.float32)
        if z.ndim != 3 or tuple(z.shape[1:]) != self.latent_shape:
            raise DynodeInputError(f"latents must be [N, 18, 512] W+ codes; got {tuple(z.shape)}")
        with self._host_code("pSp's generator"):
            return ((synthesize(self.generator(), z, self.device) + 1) / 2).clamp(0, 1)

    def invert(self, frames: torch.Tensor, progress: bool = True) -> torch.Tensor:
        raise NotImplementedError("the latent-transformer host does not invert frames: run pSp's scripts/inference.py "
                                  "(as in the checkout's run_video_manip.sh) to get latent_code_%05d.npy files, then read that folder")

    @staticmethod
    def _host_code(what: str):
        from dynode_adapters.common.checkout import host_errors

        return host_errors(what)
