"""The host contract: what a GAN-inversion pipeline supplies around DynODE.

A host does three things; the plugin owns the middle (fit, edit frame 0, propagate:
:func:`dynode_plugin.pipeline.edit_clip`):

* ``read(source, select)`` -> :class:`Clip`: latents ``[N, *latent_shape]`` with their times and
  observed mask, either inverted from frames the host selects itself (the toy world) or read from
  the files an earlier host step wrote (Latent Transformer's ``latent_code_%05d.npy``, TCSVE's
  ``<frame>/0.pt``, STIT's ``model_<run>.pt``). Which frames to invert is part of reading
  (:class:`~dynode_plugin.frame_selection.SelectionSpec`: ``--every``/``--frames``/``--max-gap``, and
  frames the host's detector rejects); frames left out are unobserved and the dynamics model supplies them.
* ``edit(latents, name, strength)`` / ``edit_many(latents, edits)``: the host's own edit, on every
  row it is given (the per-frame pipeline passes N rows, DynODE passes frame 0 only).
* ``write(result, out, force)``: the edited latents in the host's own format, rendered where it can.

Conventions: frames are ``float32 [N, 3, H, W]`` in [0, 1]; latents are CPU ``float32``.
Host-specific command-line options are declared by the host class (:meth:`Host.cli_options`);
``dynode edit --host ID`` adds the chosen host's options, and the host is built from them
(:meth:`Host.from_options`). Adding a host is one folder with one class and one plugin module.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .lazy import torch  # imported on first use: a bad command line answers before torch loads

from .cli_types import with_params  # noqa: F401  (torch-free home; re-exported for hosts)

Edits = Sequence[Tuple[str, float]]


@dataclasses.dataclass
class Clip:
    """What a host read: latents ``[N, *shape]`` with times ``[N]`` and the observed mask ``[N]``.

    Rows of unobserved frames are NaN (nothing was inverted there). times None: evenly spaced
    (the dynamics model's default); mask None: every frame observed. ``frames``/``fps``: the
    source frames when the host read pixels; ``extras``: host-specific data a later step needs
    (STIT's quads, TCSVE's frame names); ``seconds``: timings of the reading (e.g. inversion).
    """

    latents: torch.Tensor
    times: Optional[torch.Tensor] = None
    mask: Optional[torch.Tensor] = None
    frames: Optional[torch.Tensor] = None
    fps: Optional[float] = None
    source: Optional[str] = None
    extras: Dict[str, Any] = dataclasses.field(default_factory=dict)
    seconds: Dict[str, float] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        from .errors import DynodeInputError

        if not isinstance(self.latents, torch.Tensor) or self.latents.ndim < 2:
            raise DynodeInputError(f"a clip's latents must be a [N, *shape] tensor; got {getattr(self.latents, 'shape', type(self.latents))}")
        if len(self.latents) < 1:
            raise DynodeInputError("the clip has no frames")
        if self.mask is not None:
            self.mask = torch.as_tensor(self.mask, dtype=torch.bool)
            if self.mask.shape != (len(self.latents),):
                raise DynodeInputError(f"observed mask has shape {list(self.mask.shape)}; expected [{len(self.latents)}]")
        if self.times is not None:
            self.times = torch.as_tensor(self.times, dtype=torch.float64).reshape(-1)

    def __len__(self) -> int:
        return len(self.latents)

    @property
    def observed(self) -> torch.Tensor:
        return torch.ones(len(self), dtype=torch.bool) if self.mask is None else self.mask

    @property
    def filled(self) -> List[int]:
        """Indices of the frames the dynamics model fills in (unobserved)."""
        return [int(i) for i in torch.nonzero(~self.observed).flatten()]


class Host:
    """Base class of host plugins (register subclasses through ``dynode_register_hosts``)."""

    id: str = ""
    summary: str = ""
    latent_shape: Tuple[int, ...] = (18, 512)
    default_encoder: Optional[str] = None  # identity encoder for TL-ID/TG-ID of this host's frames
    source_help: str = "What to read: a video or a folder of frames."
    out_help: str = "Output folder (written atomically)."

    # -- building ----------------------------------------------------------------------
    @classmethod
    def cli_options(cls) -> List[Any]:
        """``click.Option`` objects ``dynode edit --host ID`` adds for this host (their values go to
        :meth:`from_options`); a host's alias command adds the same objects (:func:`with_params`)."""
        return []

    @classmethod
    def from_options(cls, **options: Any) -> "Host":
        return cls(**options)

    # -- the contract ------------------------------------------------------------------
    def edit_names(self) -> List[str]:
        """Names accepted by :meth:`edit` (listed in error messages)."""
        raise NotImplementedError

    def edit(self, latents: torch.Tensor, name: str, strength: float) -> torch.Tensor:
        """Return ``latents`` with the edit ``name`` applied at ``strength`` (same shape)."""
        raise NotImplementedError

    def default_strength(self, name: str) -> float:
        """The strength of a bare ``--edit NAME`` (the host's own default for that edit)."""
        return 1.0

    def edit_many(self, latents: torch.Tensor, edits: Edits) -> torch.Tensor:
        """Several edits in order (hosts whose edits combine differently override this)."""
        for name, strength in edits:
            latents = self.edit(latents, name, strength)
        return latents

    def check(self, edits: Edits, render: bool = True) -> None:
        """Refuse bad edits and load the host's code *before* any reading or fitting (fail early).
        The default tries the edits on a zero latent."""
        for name, _ in edits:
            self.check_edit(name)
        self.edit_many(torch.zeros(1, *self.latent_shape), edits)

    def check_output(self, out, force: bool = False) -> None:
        """Refuse, before any work, an output the write step would refuse (default: an existing,
        non-empty ``out`` without ``force``)."""
        from pathlib import Path

        from .errors import DynodeInputError

        out = Path(out)
        if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
            raise DynodeInputError(f"{out} exists and is not empty; pass --force to replace it")

    def read(self, source, select=None, progress: bool = True) -> Clip:
        """Read a clip: frames inverted by the host (only the selected ones that :meth:`detect` accepts),
        or an earlier step's latent files. ``select``: a :class:`~dynode_plugin.frame_selection.SelectionSpec`."""
        from .video import read_frames

        frames, fps = read_frames(source)
        return invert_selected(self, check_frames(frames), select, fps=fps, source=str(source), progress=progress)

    def finish(self, clip: Clip, edited: torch.Tensor) -> torch.Tensor:
        """Host-specific touch after propagation (Latent Transformer copies the fine layers back)."""
        return edited

    def write(self, result, out, force: bool = False, progress: bool = True) -> List[str]:
        """Write ``result`` (:class:`~dynode_plugin.pipeline.EditResult`) to ``out`` in the host's format; return the files."""
        raise NotImplementedError(f"host '{self.id}' cannot write its own outputs")

    # -- optional steps of hosts that invert and render themselves ------------------------
    def invert(self, frames: torch.Tensor, progress: bool = True) -> torch.Tensor:
        """Frames ``[N,3,H,W]`` in [0,1] -> latents ``[N,*latent_shape]``, each frame on its own."""
        raise NotImplementedError(f"host '{self.id}' cannot invert frames itself; run its own inversion step")

    def detect(self, frames: torch.Tensor) -> List[int]:
        """Frames (indices) on which the host's face detector or aligner fails: they are never
        inverted, the dynamics model fills them in (default: none fail)."""
        return []

    def synthesize(self, latents: torch.Tensor) -> torch.Tensor:
        """Latents ``[N,*latent_shape]`` -> frames ``[N,3,H,W]`` in [0,1]."""
        raise NotImplementedError(f"host '{self.id}' cannot render frames itself; run its own synthesis step")

    def fit_loss(self, clip: Clip):
        """An extra loss for the dynamics fit (``DynamicsModel.fit(extra_loss=...)``), or None (the default).

        Called with the clip being edited; a host that can render (and has ``clip.frames``) may return
        ``loss(latents [B, *shape], observed index [B], step) -> scalar tensor``: the latents a training
        window reaches at observed frames, decoded, to be compared through its generator with the frames
        (the toy host: ``toy/image_loss.py``). Models without ``extra_loss`` (the baselines) ignore it."""
        return None

    def smooth_fit(self) -> Dict[str, Any]:
        """Dynamics settings for a smooth trajectory (``--smooth``) of this host's codes, used when the
        user chose neither ``hidden`` nor ``window``: {} (the default fit). The toy host returns its
        smoothing fit (``toy.evaluation.SMOOTH_FIT``: a field too small to follow each code's jitter)."""
        return {}

    def unobserved_loss(self, clip: Clip):
        """A loss at the frames the host has pixels of but no inverted code (sparse inversion), or None (the default).

        A host that can render may return a :class:`~dynode_plugin.dynamics.unobserved_loss.FrameLoss`:
        ``loss(latents [B, *shape], frame index [B], step) -> scalar tensor`` (differentiable in the latents),
        the frames it can score, how many per fit step. The fit predicts the latents at a few unobserved
        frames each step with the model's own predictor and adds the loss (the toy host: pixel MSE through
        its generator, ``toy/image_loss.py``). Models without ``unobserved_loss`` (the baselines) ignore it."""
        return None

    def check_edit(self, name: str) -> None:
        from .errors import DynodeInputError

        known = self.edit_names()
        if name not in known:
            raise DynodeInputError(f"unknown edit '{name}' for host '{self.id}'; known edits: {', '.join(known)}")


def invert_selected(host: Host, frames: torch.Tensor, select=None, *, times=None, fps: Optional[float] = None,
                    source: Optional[str] = None, progress: bool = True) -> Clip:
    """Frames -> a :class:`Clip`: the host inverts the selected frames its detector accepts; the other
    rows are NaN and unobserved. ``clip.extras["selection"]`` is the resolved
    :class:`~dynode_plugin.frame_selection.FrameSelection` (what was inverted, failed, filled)."""
    from .frame_selection import SelectionSpec

    t0 = time.perf_counter()
    chosen = (select or SelectionSpec()).resolve(len(frames), failed=host.detect(frames), times=times)
    seconds = {"detect": time.perf_counter() - t0}
    t0 = time.perf_counter()
    inverted = host.invert(frames if chosen.dense else frames[list(chosen.selected)], progress=progress)
    seconds["invert"] = time.perf_counter() - t0
    z = inverted
    if not chosen.dense:
        z = torch.full((len(frames), *inverted.shape[1:]), float("nan"), dtype=inverted.dtype)
        z[list(chosen.selected)] = inverted
    return Clip(z, times=chosen.times_tensor(), mask=chosen.mask(), frames=frames, fps=fps, source=source,
                extras={"selection": chosen}, seconds=seconds)


def parse_edit(spec: str, default: Optional[float] = 1.0) -> Tuple[str, Optional[float]]:
    """Parse ``name=strength`` (e.g. ``colour=+2``, ``age=-1.5``); a bare name means strength ``default``."""
    from .errors import DynodeInputError

    name, sep, value = spec.partition("=")
    name = name.strip()
    if not name:
        raise DynodeInputError(f"bad edit '{spec}': expected NAME=STRENGTH, e.g. colour=+2")
    if not sep:
        return name, default
    try:
        strength = float(value)
    except ValueError:
        raise DynodeInputError(f"bad edit strength in '{spec}': '{value}' is not a number (e.g. colour=+2)") from None
    if not abs(strength) <= 1e3:  # also NaN and inf
        raise DynodeInputError(f"bad edit strength in '{spec}': give a finite number within +-1000 (e.g. colour=+2)")
    return name, strength


def host_class(host_id: str) -> type:
    from .plugins import get_registry

    return get_registry().get("hosts", host_id)


def get_host(host_id: str, **options: Any) -> Host:
    """Instantiate the host registered as ``host_id`` (``options``: its :meth:`Host.cli_options` values)."""
    return host_class(host_id).from_options(**options)


def check_frames(frames: torch.Tensor, what: str = "frames") -> torch.Tensor:
    from .errors import DynodeInputError

    if not isinstance(frames, torch.Tensor) or frames.ndim != 4 or frames.shape[1] != 3:
        shape = tuple(frames.shape) if hasattr(frames, "shape") else type(frames).__name__
        raise DynodeInputError(f"{what} must be a [N, 3, H, W] tensor in [0, 1]; got {shape}")
    return frames


__all__: Sequence[str] = ["Host", "Clip", "invert_selected", "parse_edit", "get_host", "host_class", "with_params", "check_frames"]
