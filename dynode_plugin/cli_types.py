"""The click parameter types every ``dynode`` command shares: one validation layer.

Each type checks a value completely at parse time -- finite numbers in range, bounded
counts, frame times, paths -- so a bad option answers at once with one ``Error:`` line
(exit 2), before torch or any model is imported (nothing here imports torch). Use them for
every option of the same meaning (``--steps`` is :data:`STEPS` everywhere), including the
options generated from :class:`dynode_plugin.dynamics.config.ODEConfig`.

Limits bound the memory a request can ask for: at most :data:`MAX_FRAMES` query times and
:data:`MAX_OUTPUT_BYTES` of output latents (:func:`check_output_size`).
"""
from __future__ import annotations

import dataclasses
import importlib.util
import math
import re
from pathlib import Path
from typing import Optional, Sequence

import click

from .latent_io import MAX_FRAMES, TIMES_SUFFIXES

MAX_TIME = 1e9  # |t| of any frame time: larger ones lose all precision in float64 differences
MAX_OUTPUT_BYTES = 2 << 30  # latents one command may write (float32)
MAX_STEPS = 1_000_000
MAX_SEED = 2**32 - 1  # numpy's seed range; torch takes it too


class FiniteFloat(click.ParamType):
    """A finite float in ``[min, max]`` (``min_open``: strictly above ``min``)."""

    name = "number"

    def __init__(self, min: Optional[float] = None, max: Optional[float] = None, min_open: bool = False):
        self.min, self.max, self.min_open = min, max, min_open

    def _range(self) -> str:
        lo = "" if self.min is None else f"{self.min:g} {'<' if self.min_open else '<='} "
        hi = "" if self.max is None else f" <= {self.max:g}"
        return f"{lo}x{hi}"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            x = float(value)
        else:
            try:
                x = float(str(value).strip())
            except ValueError:
                self.fail(f"'{value}' is not a number", param, ctx)
        if not math.isfinite(x):
            self.fail(f"'{value}' is not a finite number", param, ctx)
        below = self.min is not None and (x <= self.min if self.min_open else x < self.min)
        if below or (self.max is not None and x > self.max):
            self.fail(f"{x:g} is not in the range {self._range()}", param, ctx)
        return x

    def __repr__(self) -> str:
        return f"FiniteFloat({self._range()})"


class Multiplier(FiniteFloat):
    """A frame-rate multiplier like ``4x`` (or ``4``, ``2.5x``): 0 < m <= 1000."""

    name = "multiplier"

    def __init__(self):
        super().__init__(0.0, 1000.0, min_open=True)

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"[0-9.eE+-]+[xX]?", text):
            self.fail(f"'{value}' is not a frame-rate multiplier like '4x'", param, ctx)
        return super().convert(text.rstrip("xX"), param, ctx)


_NUMBER_LIST = re.compile(r"\s*[-+0-9.eEinfaINFA]+(\s*[,;]\s*[-+0-9.eEinfaINFA]*)*\s*")


@dataclasses.dataclass(frozen=True)
class TimesSpec:
    """Frame times given on the command line: numbers now, or a file read later (by :meth:`values`)."""

    numbers: Optional[tuple] = None
    file: Optional[Path] = None

    def values(self, what: str = "--times"):
        """1-D float64 numpy array, finite, |t| <= MAX_TIME, at most MAX_FRAMES values."""
        import numpy as np

        from .errors import DynodeInputError
        from .latent_io import load_times_file

        t = np.asarray(self.numbers, dtype=np.float64) if self.file is None else load_times_file(self.file)
        where = f"{what} {self.file}" if self.file is not None else what
        check_times_values(t, where)
        if t.size == 0:
            raise DynodeInputError(f"{where} holds no times; give at least one")
        return t


def check_times_values(t, where: str) -> None:
    import numpy as np

    from .errors import DynodeInputError

    if t.size > MAX_FRAMES:
        raise DynodeInputError(f"{where} holds {t.size} times; at most {MAX_FRAMES}")
    if not np.isfinite(t).all():
        raise DynodeInputError(f"{where} contains NaN or inf; give finite times")
    if t.size and float(np.abs(t).max()) > MAX_TIME:
        raise DynodeInputError(f"{where} contains {float(np.abs(t).max()):g}; times must lie within +-{MAX_TIME:g}")


class Times(click.ParamType):
    """``--times``: ``'0,0.5,1'`` (``;`` also separates) or a ``.txt/.npy/.pt`` file of times."""

    name = "times"

    def convert(self, value, param, ctx):
        if isinstance(value, TimesSpec):
            return value
        text = str(value)
        if _NUMBER_LIST.fullmatch(text) and not Path(text).suffix.lower() in TIMES_SUFFIXES:
            parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
            if len(parts) > MAX_FRAMES:
                self.fail(f"{len(parts)} times given; at most {MAX_FRAMES}", param, ctx)
            nums = []
            for p in parts:
                try:
                    x = float(p)
                except ValueError:
                    self.fail(f"'{p}' is not a number (give 'a,b,c' or a .txt/.npy/.pt file)", param, ctx)
                if not math.isfinite(x) or abs(x) > MAX_TIME:
                    self.fail(f"time {p} is not finite or beyond +-{MAX_TIME:g}", param, ctx)
                nums.append(x)
            if not nums:
                self.fail("no times given", param, ctx)
            return TimesSpec(numbers=tuple(nums))
        path = check_path(text, param, ctx, self)
        if not path.is_file():
            self.fail(f"'{text[:80]}' is neither a file nor a comma-separated list of numbers", param, ctx)
        if path.suffix.lower() not in TIMES_SUFFIXES:
            self.fail(f"{path}: unsupported times file type '{path.suffix or '(none)'}'; use {', '.join(TIMES_SUFFIXES)}", param, ctx)
        return TimesSpec(file=path)


def check_path(text, param, ctx, ptype: click.ParamType) -> Path:
    from .errors import DynodeInputError
    from .outputs import check_path_syntax

    try:
        return check_path_syntax(text, "")
    except DynodeInputError as exc:
        ptype.fail(str(exc), param, ctx)


class InputPath(click.ParamType):
    """An existing input: ``kinds`` is 'file', 'folder' or 'file or folder'; ``suffixes`` for files."""

    name = "path"

    def __init__(self, kinds: str = "file or folder", suffixes: Optional[Sequence[str]] = None):
        self.kinds, self.suffixes = kinds, tuple(suffixes) if suffixes else None

    def convert(self, value, param, ctx):
        from .errors import DynodeInputError
        from .outputs import check_input_path

        try:
            return str(check_input_path(value, "", self.kinds, self.suffixes))
        except DynodeInputError as exc:
            self.fail(str(exc), param, ctx)


class MediaPath(InputPath):
    """A video, a frame folder, or a quoted glob of images ('frames/edit_*.jpeg') that matches something."""

    def convert(self, value, param, ctx):
        from .video import is_pattern, match_frame_files

        if is_pattern(value):
            path = check_path(value, param, ctx, self)
            if not match_frame_files(path):
                self.fail(f"no image frames match {path}", param, ctx)
            return str(path)
        return super().convert(value, param, ctx)


class OutputPath(click.ParamType):
    """An output path's syntax (non-empty, length limits); where it points is checked by
    :mod:`dynode_plugin.outputs` once ``--force`` and the inputs are known."""

    name = "path"

    def convert(self, value, param, ctx):
        return str(check_path(value, param, ctx, self))


class RayAddress(click.ParamType):
    """``--ray-address``: 'local', 'auto', 'host:port' or 'ray://host:port', with Ray (and its client) installed."""

    name = "address"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if not re.fullmatch(r"local|auto|(ray://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}", text):
            self.fail(f"'{value}' is not a Ray address: use 'local', 'auto', 'HOST:PORT' or 'ray://HOST:PORT'", param, ctx)
        if importlib.util.find_spec("ray") is None:
            self.fail("Ray is not installed: pip install 'dynode-plugin[ray]'", param, ctx)
        if text.startswith("ray://") and importlib.util.find_spec("grpc") is None:
            self.fail("a ray:// address needs Ray's client extra: pip install 'ray[client]'", param, ctx)
        return text


def with_params(params):
    """Decorator: add ready ``click.Option`` objects (a host's :meth:`Host.cli_options`) to a click command."""

    def decorate(fn):
        fn.__click_params__ = list(getattr(fn, "__click_params__", [])) + list(reversed(params))
        return fn

    return decorate


def check_output_size(frames: int, shape: Sequence[int], what: str = "the output") -> None:
    """Refuse a request whose output latents would exceed :data:`MAX_OUTPUT_BYTES` (float32)."""
    from .errors import DynodeInputError

    if frames > MAX_FRAMES:
        raise DynodeInputError(f"{what} would have {frames} frames; at most {MAX_FRAMES}: ask for fewer times or a smaller --fps")
    size = 4 * frames * math.prod(int(s) for s in shape)
    if size > MAX_OUTPUT_BYTES:
        raise DynodeInputError(f"{what} would be {size / 2**30:.1f} GiB of latents ({frames} frames); at most "
                               f"{MAX_OUTPUT_BYTES >> 30} GiB: ask for fewer times or a smaller --fps")


def _ode_field_types() -> dict:
    """A click type for every :class:`ODEConfig` field, bounds from ``config.LIMITS`` (for generated options)."""
    from .dynamics.config import ACTIVATIONS, LIMITS, SOLVERS_ADAPTIVE, SOLVERS_FIXED

    types = {name: click.IntRange(lo, hi) for name, (lo, hi) in LIMITS.items()}
    types.update(subspace_dim=SUBSPACE_DIM, steps=STEPS, seed=SEED,  # CLI: 0 = full latent; 0 steps is an error
                 solver=click.Choice(SOLVERS_FIXED + SOLVERS_ADAPTIVE), activation=click.Choice(ACTIVATIONS),
                 predict=click.Choice(("anchored", "rollout")), residual=click.Choice(("interp", "none")),
                 velocity=click.Choice(("learned", "fd")),
                 lr=FiniteFloat(0.0, 10.0, min_open=True), lr_final=FiniteFloat(0.0, 10.0), rtol=FiniteFloat(0.0, 1.0, min_open=True),
                 atol=FiniteFloat(0.0, 1.0, min_open=True), grad_clip=FiniteFloat(0.0, 1e6), straightness=STRAIGHTNESS,
                 time_dependent=click.BOOL, zero_init=click.BOOL, prior=InputPath("file", (".dynode-prior",)),
                 prior_weight=FiniteFloat(0.0, 1e6), smooth_sigma=FiniteFloat(0.0, 100.0, min_open=True),
                 plateau_tol=FiniteFloat(0.0, 0.99))
    return types


# the shared instances: one meaning, one type, on every command
STEPS = click.IntRange(1, MAX_STEPS)
SEED = click.IntRange(0, MAX_SEED)
SUBSPACE_DIM = click.IntRange(0, 100_000)
STRAIGHTNESS = FiniteFloat(0.0, 1e6)
NUM_FRAMES = click.IntRange(1, MAX_FRAMES)
OBSERVE_EVERY = click.IntRange(1, MAX_FRAMES)
CLIP_FRAMES = click.IntRange(2, 4096)
WORKERS = click.IntRange(1, 256)
STRENGTH = FiniteFloat(-1e3, 1e3)
FPS = Multiplier()
TIMES = Times()
RAY_ADDRESS = RayAddress()
OUT = OutputPath()
ODE_FIELD_TYPES = _ode_field_types()
LATENTS_IN = InputPath("file or folder")
FILE_IN = InputPath("file")
FOLDER_IN = InputPath("folder")
DYNODE_IN = InputPath("file")
INPUT_MEDIA = MediaPath("file or folder")
DEMO_FRAMES = click.IntRange(4, 512)
