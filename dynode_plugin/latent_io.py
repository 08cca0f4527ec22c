"""Reading and writing latent sequences (and frame times) in the formats the hosts use.

Read: ``.pt``/``.pth``/``.tar`` (a tensor, or a dict holding one under ``pivots``, ``latents``,
``w``, ``latent`` or ``codes``), ``.npy``, and folders of per-frame files: Latent
Transformer's ``latent_code_%05d.npy`` (1,18,512) and TCSVE/PTI's ``<frame>/0.pt``.
Write: ``.pt`` and ``.npy``, atomically.

Safety: these files come from the user, so they are NEVER fully unpickled. Torch files load
with ``weights_only=True`` (tensors, containers of tensors, and numpy arrays through an
allow-list of numpy's own array-rebuilding functions); ``.npy`` with ``allow_pickle=False``.
A file that needs more (e.g. STIT's ``model_<run>.pt``, which pickles the generator's code)
is refused with the one line of Python that converts it -- there is no fallback and no
switch that turns full unpickling on.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

from .errors import DynodeInputError

DICT_KEYS = ("pivots", "latents", "w", "latent", "codes")
TORCH_SUFFIXES = (".pt", ".pth", ".tar")
LATENT_SUFFIXES = TORCH_SUFFIXES + (".npy",)
TIMES_SUFFIXES = LATENT_SUFFIXES + (".txt",)
MAX_FILE_BYTES = 8 << 30  # one latent/times file; a larger one is not a clip's latents
MAX_FRAMES = 100_000  # frames per sequence (also the bound on query times)
MAX_FRAME_FILES = 100_000


def _natural_key(p: Path):
    return [int(s) if s.isdigit() else s for s in re.split(r"(\d+)", p.name)]


def _numpy_globals() -> list:
    """numpy's array/dtype rebuilders: what ``torch.save`` of a numpy array pickles. None runs code."""
    import numpy as np

    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray
    allowed = [multiarray._reconstruct, np.ndarray, np.dtype]
    dtypes = getattr(np, "dtypes", None)
    if dtypes is not None:
        allowed += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith("DType") and n != "ObjectDType"]
    if hasattr(multiarray, "scalar"):
        allowed.append(multiarray.scalar)
    return allowed


def convert_hint(path: Path) -> str:
    """The one line of Python that turns a pickled latent file the user trusts into a plain tensor file."""
    target = path.with_name(path.stem + ".latents.pt")
    return (f"python -c \"import torch; o = torch.load('{path}', weights_only=False); "
            f"torch.save(o['pivots'] if isinstance(o, dict) else o, '{target}')\"")


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DynodeInputError(f"{path} is {size / 2**30:.1f} GiB; a latent or times file is at most {MAX_FILE_BYTES >> 30} GiB")


def safe_torch_load(path: Path):
    """``torch.load(weights_only=True)`` on the CPU; pickled code is refused, never run."""
    import pickle

    import torch

    _check_size(path)
    try:
        with torch.serialization.safe_globals(_numpy_globals()):
            return torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.findall(r"GLOBAL ([\w.]+)", str(exc))
        if not found:  # not a pickle of objects at all: garbage, truncated
            raise DynodeInputError(f"cannot read {path} as a torch file (not a tensor file torch can parse); "
                                   f"give a .pt/.pth holding a tensor") from None
        raise DynodeInputError(
            f"{path} holds pickled Python objects (e.g. {found[0]}), and unpickling them could run code, so dynode reads only "
            f"tensors from it; if you trust the file, convert it once: {convert_hint(path)}") from None
    except Exception as exc:  # truncated, not a zip/pickle at all, ...
        raise DynodeInputError(f"cannot read {path} as a torch file ({type(exc).__name__}: {str(exc)[:200]})") from None


def _from_object(obj, path: Path):
    import numpy as np
    import torch

    if isinstance(obj, dict):
        for key in DICT_KEYS:
            if key in obj:
                return _from_object(obj[key], path)
        raise DynodeInputError(f"{path} holds a dict with keys {sorted(map(str, obj))[:10]}; expected a tensor under one of {', '.join(DICT_KEYS)}")
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(o, torch.Tensor) for o in obj):
        rows = [o.reshape(o.shape[1:]) if o.ndim > 2 and o.shape[0] == 1 else o for o in obj]
        if len({tuple(r.shape) for r in rows}) != 1 or len({r.dtype for r in rows}) != 1:
            raise DynodeInputError(f"{path} holds a list of tensors of different shapes or dtypes; expected one [*shape] tensor per frame")
        return torch.stack(rows)
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise DynodeInputError(f"{path} holds a numpy array of Python objects; expected numbers")
        return torch.from_numpy(np.ascontiguousarray(obj))
    if isinstance(obj, torch.Tensor):
        return obj
    raise DynodeInputError(f"{path} holds a {type(obj).__name__}; expected a latent tensor [N, *shape]")


def _load_npy(path: Path):
    import numpy as np
    import torch

    _check_size(path)
    try:
        a = np.load(path, allow_pickle=False)
    except Exception as exc:  # pickled object arrays are refused here too
        raise DynodeInputError(f"cannot read {path} as .npy ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not isinstance(a, np.ndarray) or a.dtype.kind not in "biuf":
        raise DynodeInputError(f"{path} holds {getattr(a, 'dtype', type(a).__name__)} data; expected a numeric array")
    return torch.from_numpy(np.ascontiguousarray(a))


def _load_file(path: Path):
    if path.suffix.lower() == ".npy":
        return _load_npy(path)
    if path.suffix.lower() in TORCH_SUFFIXES:
        return _from_object(safe_torch_load(path), path)
    raise DynodeInputError(f"unsupported latent file type '{path.suffix}' ({path}); use .pt, .pth, .npy or a folder of per-frame files")


def _frame_files(folder: Path) -> List[Path]:
    lt = sorted(folder.glob("latent_code_*.npy"), key=_natural_key)
    if lt:
        return lt
    pti = sorted((d / "0.pt" for d in folder.iterdir() if d.is_dir() and (d / "0.pt").is_file()), key=lambda p: _natural_key(p.parent))
    if pti:
        return pti
    return sorted([p for p in folder.iterdir() if p.suffix.lower() in (".npy", ".pt", ".pth") and p.is_file()], key=_natural_key)


def check_latent_path(path) -> Path:
    """Cheap checks of a latent file or folder (no torch): exists, known type. For the CLI, before imports."""
    from .outputs import check_path_syntax

    p = check_path_syntax(path, "latents")
    if not p.exists():
        raise DynodeInputError(f"latent file or folder not found: {p}")
    if p.is_file() and p.suffix.lower() not in LATENT_SUFFIXES:
        raise DynodeInputError(f"unsupported latent file type '{p.suffix or '(none)'}' ({p}); use .pt, .pth, .npy or a folder of per-frame files")
    if not p.is_file() and not p.is_dir():
        raise DynodeInputError(f"{p} is neither a file nor a folder")
    return p


def check_latents(z, path) -> "torch.Tensor":  # noqa: F821
    """A loaded latent tensor must be [N, *shape], floating point, non-empty and of bounded size."""
    import torch

    if z.ndim >= 3 and z.shape[1] == 1:
        z = z[:, 0]
    if z.ndim < 2:
        raise DynodeInputError(f"{path} holds shape {tuple(z.shape)}; expected [N, *shape] with one row per frame")
    if z.numel() == 0:
        raise DynodeInputError(f"{path} holds shape {list(z.shape)}, which has no values; expected e.g. [N, 18, 512]")
    if not z.is_floating_point():
        raise DynodeInputError(f"{path} holds dtype {z.dtype}; expected floating-point latents")
    if len(z) > MAX_FRAMES:
        raise DynodeInputError(f"{path} holds {len(z)} frames; at most {MAX_FRAMES} per sequence (split the clip)")
    return z.detach().to("cpu", torch.float32).contiguous()


def load_latents(path) -> "torch.Tensor":  # noqa: F821
    """Load a latent sequence ``[N, *shape]`` as float32 on the CPU.

    A singleton axis after the frame axis (``(N, 1, 18, 512)``, as saved from per-frame
    inversions) is squeezed, so W+ sequences always come back as ``[N, 18, 512]``.
    """
    import torch

    path = check_latent_path(path)
    if path.is_dir():
        files = _frame_files(path)
        if not files:
            raise DynodeInputError(f"no per-frame latent files in {path}: expected latent_code_%05d.npy files, <frame>/0.pt folders, or .npy/.pt files")
        if len(files) > MAX_FRAME_FILES:
            raise DynodeInputError(f"{path} holds {len(files)} per-frame files; at most {MAX_FRAME_FILES}")
        rows = []
        for f in files:
            z = _load_file(f)
            z = z[0] if z.ndim >= 2 and z.shape[0] == 1 else z
            if not z.is_floating_point():
                raise DynodeInputError(f"{f} holds dtype {z.dtype}; every per-frame file must hold floating-point latents")
            rows.append(z)
        shapes = {tuple(r.shape) for r in rows}
        if len(shapes) != 1:
            raise DynodeInputError(f"per-frame latents in {path} have different shapes: {sorted(shapes)[:5]}")
        z = torch.stack([r.to(torch.float32) for r in rows])
    else:
        z = _load_file(path)
    return check_latents(z, path)


def load_times_file(path) -> "np.ndarray":  # noqa: F821
    """Frame times from ``.txt`` (numbers), ``.npy`` or a torch file, as 1-D float64 numpy (not yet range-checked)."""
    import numpy as np

    path = Path(path)
    if path.suffix.lower() == ".txt":
        _check_size(path)
        try:
            return np.loadtxt(path, dtype=np.float64, ndmin=1).reshape(-1)
        except Exception as exc:
            raise DynodeInputError(f"cannot read times from {path}: {str(exc)[:200]}; expected numbers separated by spaces or newlines") from None
    t = _load_file(path)
    if t.is_complex() or t.dtype == __import__("torch").bool:
        raise DynodeInputError(f"{path} holds {t.dtype} values; expected real frame times")
    return t.reshape(-1).double().numpy()


def save_latents(latents, path) -> Path:
    """Write ``latents`` to ``.pt`` (a plain tensor) or ``.npy``, atomically; returns the path."""
    import numpy as np

    from .atomic import atomic_path

    path = Path(path)
    z = latents.detach().cpu()
    if path.suffix in (".pt", ".pth"):
        import torch

        with atomic_path(path) as tmp:
            torch.save(z.clone(), tmp)
    elif path.suffix == ".npy":
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as fh:
                np.save(fh, z.numpy())
    else:
        raise DynodeInputError(f"cannot write latents to '{path.suffix}' ({path}); use .pt, .pth or .npy")
    return path
