"""The toy host (id "toy") and its appearance encoder (id "toy-appearance")."""
from __future__ import annotations

import json
from typing import Any, List

from ..lazy import torch  # imported on first use (a bad command line answers before torch loads)

from ..errors import DynodeInputError
from ..hosts import Host, check_frames
from ..metrics.base import Embeddings, Encoder

MAX_STRENGTH = 5.0
IMAGE_LOSS = 0.0  # default weight of the fit's image loss: off (benchmarks/image_loss.py measures it)
UNOBSERVED_LOSS = 0.0  # default weight of the image loss at unobserved frames (benchmarks/toy_table1.py measures it)
BLANK_STD = 0.02  # pixel spread below which a frame shows no scene (rendered scenes are far above: ~0.2)


class ToyHost(Host):
    id = "toy"
    summary = "embedded robot-arm world: learned StyleGAN-like generator (W+ 10x64), inverter, data-found edits"
    latent_shape = (10, 64)
    default_encoder = "toy-appearance"

    source_help = "A video (.mp4/.gif) or a folder of frames: inverted here (only the selected frames)."
    out_help = "Output folder: edited.mp4, source_latents.pt, edited_latents.pt, report.json (written atomically)."

    @classmethod
    def cli_options(cls) -> List[Any]:
        import click

        return [click.Option(["--inversion"], type=click.Choice(["encoder", "few-step", "optimize"]), default=None,
                             help="encoder: one e4e-like pass (default); few-step: 10 Adam steps; optimize: 150 steps (clean)."),
                click.Option(["--inversion-steps"], type=int, default=None,
                             help="Optimiser steps per inverted frame (given alone: optimize; or $DYNODE_TOY_INVERSION_STEPS)."),
                click.Option(["--jitter"], type=float, default=0.0, show_default=True,
                             help="Pixel noise each frame is inverted through (0.12, the demo's realistic setting: as jittery as real inversions)."),
                click.Option(["--unobserved-loss"], type=click.FloatRange(0, 1e6), default=UNOBSERVED_LOSS, show_default=True,
                             help="With sparse inversion (--every/--frames/--max-gap): weight of the pixel MSE at the frames not inverted, "
                                  "the fit's predictions there rendered and compared with the video (0 = off).")]

    def __init__(self, inversion_steps: int = None, inversion: str = None, jitter: float = 0.0,
                 unobserved_loss: float = UNOBSERVED_LOSS):
        """inversion: ``encoder`` (one encoder pass like e4e/pSp; the default), ``few-step`` (10 Adam steps)
        or ``optimize`` (150 steps, clean codes); ``inversion_steps`` overrides the steps (given alone it
        means ``optimize``). $DYNODE_TOY_INVERSION / $DYNODE_TOY_INVERSION_STEPS set both. ``jitter``: pixel
        noise each frame is inverted through (``inverter.REALISTIC_JITTER`` = real encoders' jitter).
        ``unobserved_loss``: weight of :meth:`unobserved_loss` (0 = off)."""
        import os

        from .assets import load_assets
        from .inverter import REALISTIC_JITTER, mode_steps

        env_steps = os.environ.get("DYNODE_TOY_INVERSION_STEPS")
        inversion_steps = inversion_steps or (int(env_steps) if env_steps else None)
        self.inversion = inversion or os.environ.get("DYNODE_TOY_INVERSION") or ("optimize" if inversion_steps else "encoder")
        self.inversion_steps = mode_steps(self.inversion, inversion_steps)
        if not 0 <= jitter <= 1:
            raise DynodeInputError(f"jitter {jitter} must be a pixel-noise standard deviation in [0, 1] (realistic: {REALISTIC_JITTER})")
        self.jitter = float(jitter)
        self.image_loss = IMAGE_LOSS  # weight of fit_loss (benchmarks/image_loss.py)
        if not 0 <= unobserved_loss < float("inf"):
            raise DynodeInputError(f"unobserved_loss {unobserved_loss} must be a weight >= 0 (0 = off)")
        self.unobserved_image_loss = float(unobserved_loss)  # weight of unobserved_loss
        # its frames per fit step and the fraction of steps before it starts: one frame on every step beat 2 frames
        # on the last half and 4 on the last quarter at similar cost (benchmarks/toy_table1.py, docs/prior.md)
        self.unobserved_per_step, self.unobserved_start = 1, 0.0
        assets = load_assets()
        self.generator, self.encoder, self.directions, self.meta = assets.generator, assets.encoder, assets.directions, assets.meta
        self.mappers, self.regressor = assets.mappers, assets.regressor

    def edit_names(self) -> List[str]:
        """Linear directions (``colour``) and, beside them, the learned mappers (``colour-mapper``)."""
        from .mappers import SUFFIX

        return sorted(self.directions) + sorted(name + SUFFIX for name in self.mappers)

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        from .mappers import SUFFIX

        self.check_edit(name)
        if not abs(strength) <= MAX_STRENGTH:
            raise DynodeInputError(f"edit strength {strength} is out of range for the toy world; use a value in [-{MAX_STRENGTH}, {MAX_STRENGTH}]")
        if name.endswith(SUFFIX):  # w + alpha * M(w): one network call per code, reacting to each code's jitter
            with torch.no_grad():
                return latents + strength * torch.cat([self.mappers[name[: -len(SUFFIX)]](latents[i: i + 256])
                                                       for i in range(0, len(latents), 256)] or [latents])
        return latents + strength * self.directions[name]

    def detect(self, frames: torch.Tensor) -> List[int]:
        """The toy world's stand-in for a face detector: it fails on frames that show no scene
        (blank or near-uniform frames, dropped or corrupted video frames, NaN pixels)."""
        x = check_frames(frames).flatten(1)
        finite = torch.isfinite(x).all(1)
        spread = torch.where(finite[:, None], x, torch.zeros(())).std(1)
        return [int(i) for i in torch.nonzero(~finite | (spread < BLANK_STD)).flatten()]

    def invert(self, frames: torch.Tensor, progress: bool = True) -> torch.Tensor:
        from .inverter import invert

        frames = check_frames(frames)
        if tuple(frames.shape[2:]) != (64, 64):
            frames = torch.nn.functional.interpolate(frames, size=(64, 64), mode="bilinear", align_corners=False)
        return invert(self.generator, self.encoder, frames, steps=self.inversion_steps, progress=progress, jitter=self.jitter)

    def smooth_fit(self):
        """``--smooth`` without ``--hidden``/``--window``: the smoothing fit (hidden 32, window 32, smooth_sigma 3),
        whose smooth trajectory halves the edit flicker of jittery encoder codes where the default fit's does not
        (docs/toy.md)."""
        from .evaluation import SMOOTH_FIT

        return dict(SMOOTH_FIT)

    def fit_loss(self, clip):
        """Pixel MSE through the toy generator against the real observed frames (``image_loss`` x it; 0 = none)."""
        if not self.image_loss or clip.frames is None:
            return None
        from .image_loss import ImageLoss

        return ImageLoss(self.generator, self._frames_64(clip)[clip.observed], weight=self.image_loss)

    def unobserved_loss(self, clip):
        """Pixel MSE through the toy generator at frames with pixels but no inverted code
        (``unobserved_image_loss`` x it; 0 = none): a :class:`~dynode_plugin.dynamics.unobserved_loss.FrameLoss`."""
        if not self.unobserved_image_loss or clip.frames is None:
            return None
        from ..dynamics.unobserved_loss import FrameLoss
        from .image_loss import ImageLoss

        frames = self._frames_64(clip)
        loss = ImageLoss(self.generator, frames, weight=self.unobserved_image_loss, frames_per_step=self.unobserved_per_step)
        scorable = torch.ones(len(frames), dtype=torch.bool)
        scorable[self.detect(frames)] = False  # frames that show no scene (blank, NaN) are no target
        return FrameLoss(loss, scorable, self.unobserved_per_step, self.unobserved_start)

    @staticmethod
    def _frames_64(clip):
        frames = check_frames(clip.frames)
        if tuple(frames.shape[2:]) != (64, 64):
            frames = torch.nn.functional.interpolate(frames, size=(64, 64), mode="bilinear", align_corners=False)
        return frames

    def synthesize(self, latents: torch.Tensor) -> torch.Tensor:
        if tuple(latents.shape[1:]) != self.latent_shape:
            raise DynodeInputError(f"toy latents must be [N, 10, 64]; got {list(latents.shape)}")
        with torch.no_grad():  # not a decorator: that would import torch when the module loads
            return torch.cat([self.generator.synthesis(latents[i: i + 64]) for i in range(0, len(latents), 64)])


    def write(self, result, out, force: bool = False, progress: bool = True) -> List[str]:
        """OUT/edited.mp4 (rendered), source_latents.pt, edited_latents.pt and report.json, all or nothing."""
        from ..atomic import atomic_dir
        from ..latent_io import save_latents
        from ..video import write_video

        clip = result.clip
        if result.frames is None:
            result.frames = self.synthesize(result.edited)  # kept on the result: the flow may score them
        frames = result.frames
        fps = clip.fps or 25.0
        report = {"host": self.id, **result.report(), "per_frame": result.method == "per-frame", "fps": fps,
                  "fps_factor": result.fps_factor, "rendered_frames": len(frames)}
        files = ["edited.mp4", "source_latents.pt", "edited_latents.pt", "report.json"]
        with atomic_dir(out, overwrite=force) as tmp:
            write_video(frames, tmp / files[0], fps * result.fps_factor)
            save_latents(clip.latents, tmp / files[1])
            save_latents(result.edited, tmp / files[2])
            (tmp / files[3]).write_text(json.dumps(report, indent=2))
        return files


class ToyAppearanceEncoder(Encoder):
    """What stays the same in a toy clip: object colour, background, overall look.

    Embedding: the mean colour of the pixels least like the sky, the table and the arm (the
    object), the colour of the top rows (background) and a lightly weighted 4x4 thumbnail.
    A colour edit lowers cosine similarity; arm motion barely does.
    """

    id = "toy-appearance"
    kind = "identity"
    summary = "toy world appearance (object colour, background, thumbnail)"

    def embed(self, frames: torch.Tensor) -> Embeddings:
        x = check_frames(frames).float()
        n, _, h, w = x.shape
        bg = x[:, :, : h // 6].mean((2, 3))  # sky rows
        table = x[:, :, -h // 8:].mean((2, 3))  # table rows
        arm = torch.tensor([0.85, 0.85, 0.9]) * x.flatten(2).max(2).values.mean(1, keepdim=True)  # arm grey under the light
        refs = torch.stack([bg, table, arm], 1)  # [N, 3 refs, 3]
        dist = (x[:, None] - refs[:, :, :, None, None]).norm(dim=2).min(1).values  # [N, H, W]
        thresh = dist.flatten(1).quantile(0.985, dim=1)[:, None, None]
        weight = (dist >= thresh).float()[:, None]  # the object: the pixels least like sky, table and arm
        obj = (x * weight).sum((2, 3)) / weight.sum((2, 3)).clamp_min(1)
        thumb = torch.nn.functional.adaptive_avg_pool2d(x, 4).flatten(1)
        v = torch.cat([4 * obj, 2 * bg, 0.5 * thumb], 1) - 0.5
        return Embeddings(v.double(), torch.ones(n, dtype=torch.bool))
