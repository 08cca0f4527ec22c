"""The host interface: the three steps a GAN-inversion pipeline supplies around DynODE.

A host turns frames into latents (``invert``), edits latents (``edit``) and turns
latents back into frames (``synthesize``). The plugin owns the middle: fit the
dynamics, edit frame 0 only, propagate (:func:`dynode_plugin.propagation.edit_first_and_propagate`).

Conventions shared by every host:

* frames: ``torch.float32`` tensor ``[N, 3, H, W]`` with values in ``[0, 1]``;
* latents: ``torch.float32`` tensor ``[N, *latent_shape]`` (``[N, 18, 512]`` for
  FFHQ StyleGAN2 W+), always on the CPU when handed to the plugin;
* ``edit(latents, name, strength)`` applies the named edit to every row it is given:
  the classic per-frame pipeline calls it on all N frames, DynODE calls it on frame 0 only.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch


class Host:
    """Base class of host plugins (register subclasses through ``dynode_register_hosts``)."""

    id: str = ""
    summary: str = ""
    latent_shape: Tuple[int, ...] = (18, 512)

    def edit_names(self) -> List[str]:
        """Names accepted by :meth:`edit` (listed in error messages)."""
        raise NotImplementedError

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        """Return ``latents`` with the edit ``name`` applied at ``strength`` (same shape)."""
        raise NotImplementedError

    def invert(self, frames: torch.Tensor, progress: bool = True) -> torch.Tensor:
        """Frames ``[N,3,H,W]`` in [0,1] -> latents ``[N,*latent_shape]``, each frame on its own
        (``progress``: show a progress bar on long work)."""
        raise NotImplementedError(f"host '{self.id}' cannot invert frames itself; run its own inversion step")

    def detect(self, frames: torch.Tensor) -> List[int]:
        """Frames (indices) on which the host's face detector or aligner fails: they are never
        inverted, the dynamics model fills them in (default: none fail)."""
        return []

    def synthesize(self, latents: torch.Tensor) -> torch.Tensor:
        """Latents ``[N,*latent_shape]`` -> frames ``[N,3,H,W]`` in [0,1]."""
        raise NotImplementedError(f"host '{self.id}' cannot render frames itself; run its own synthesis step")

    # -- helpers shared by hosts ---------------------------------------------------
    def check_edit(self, name: str) -> None:
        from .errors import DynodeInputError

        known = self.edit_names()
        if name not in known:
            raise DynodeInputError(f"unknown edit '{name}' for host '{self.id}'; known edits: {', '.join(known)}")


def parse_edit(spec: str) -> Tuple[str, float]:
    """Parse ``name=strength`` (e.g. ``colour=+2``, ``age=-1.5``); a bare name means strength 1."""
    from .errors import DynodeInputError

    name, sep, value = spec.partition("=")
    name = name.strip()
    if not name:
        raise DynodeInputError(f"bad edit '{spec}': expected NAME=STRENGTH, e.g. colour=+2")
    if not sep:
        return name, 1.0
    try:
        strength = float(value)
    except ValueError:
        raise DynodeInputError(f"bad edit strength in '{spec}': '{value}' is not a number (e.g. colour=+2)") from None
    if not abs(strength) <= 1e3:  # also NaN and inf
        raise DynodeInputError(f"bad edit strength in '{spec}': give a finite number within +-1000 (e.g. colour=+2)")
    return name, strength


def get_host(host_id: str) -> Host:
    """Instantiate the host registered as ``host_id``."""
    from .plugins import get_registry

    return get_registry().get("hosts", host_id)()


def check_frames(frames: torch.Tensor, what: str = "frames") -> torch.Tensor:
    from .errors import DynodeInputError

    if not isinstance(frames, torch.Tensor) or frames.ndim != 4 or frames.shape[1] != 3:
        shape = tuple(frames.shape) if hasattr(frames, "shape") else type(frames).__name__
        raise DynodeInputError(f"{what} must be a [N, 3, H, W] tensor in [0, 1]; got {shape}")
    return frames


__all__: Sequence[str] = ["Host", "parse_edit", "get_host", "check_frames"]
