"""The output guard every command uses before any work: where may it write?

Rules (issue 12):

* an output path must be usable: not empty, not too long, not under a file, a file where
  a file is meant (not an existing folder) and a folder where a folder is meant;
* nothing the command did not create is replaced or deleted without ``--force``: an existing
  output file, or a non-empty output folder, is refused otherwise;
* an output that is one of the command's inputs (the same file, the input folder, or a
  folder holding an input that would be replaced) is refused even with ``--force``.

Only the standard library is used, so a bad output answers before torch is imported.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional, Sequence, Tuple, Union

import click

from .errors import DynodeInputError

PathLike = Union[str, os.PathLike]
MAX_PATH = 4096
MAX_NAME = 255

force_option = click.option("--force", is_flag=True,
                            help="Replace an existing output (file or non-empty folder). Never replaces an input.")


def _label(option: str, path: PathLike) -> str:
    return f"{option} {path}" if option else str(path)


def check_path_syntax(path: PathLike, option: str = "") -> Path:
    """A path string that the file system can take: not empty, no NUL, within length limits."""
    text = os.fspath(path)
    if not str(text).strip():
        raise DynodeInputError(f"{option or 'the path'} is empty; give a file or folder path")
    if "\x00" in str(text):
        raise DynodeInputError(f"{option or 'the path'} contains a NUL character; give a plain path")
    if len(os.fsencode(text)) > MAX_PATH:
        raise DynodeInputError(f"{option or 'the path'} is {len(os.fsencode(text))} bytes long (limit {MAX_PATH}); use a shorter path")
    for part in Path(text).parts:
        if len(os.fsencode(part)) > MAX_NAME:
            raise DynodeInputError(f"{option or 'the path'}: the name '{part[:40]}...' is {len(os.fsencode(part))} bytes long "
                                   f"(limit {MAX_NAME}); use a shorter name")
    return Path(text)


def _file_ancestor(path: Path) -> Optional[Path]:
    """The first existing ancestor of ``path`` that is not a folder (writing under it cannot work)."""
    for parent in reversed(path.absolute().parents):
        if parent.exists() and not parent.is_dir():
            return parent
        if not parent.exists():
            return None
    return None


def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _inside(child: Path, folder: Path) -> bool:
    try:
        child.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _check_inputs(out: Path, inputs: Iterable[Optional[PathLike]], option: str, folder: bool) -> None:
    for inp in inputs:
        if inp is None or not str(inp):
            continue
        src = Path(inp)
        if _same(out, src):
            raise DynodeInputError(f"{_label(option, out)} is also an input ({src}); write the output somewhere else")
        if not folder and out.exists() and src.is_dir() and _inside(out, src):
            raise DynodeInputError(f"{_label(option, out)} is a file of the input folder {src}; write the output somewhere else")
        if folder and out.exists() and _inside(src, out):
            raise DynodeInputError(f"{_label(option, out)} holds the input {src}; writing there would replace it; "
                                   f"choose another output folder")


def refuse_inputs(path: PathLike, inputs: Sequence[Optional[PathLike]], option: str = "--out") -> Path:
    """Refuse an output that is one of the inputs, or a folder holding one (even with --force).
    For flows whose host checks the rest of the output itself (``pipeline.run``)."""
    out = check_path_syntax(path, option)
    _check_inputs(out, inputs, option, folder=True)
    return out


def check_output_file(path: PathLike, option: str = "--out", inputs: Sequence[Optional[PathLike]] = (), force: bool = False,
                      suffixes: Optional[Sequence[str]] = None) -> Path:
    """Validate an output FILE before any work; returns it as a Path."""
    out = check_path_syntax(path, option)
    _check_inputs(out, inputs, option, folder=False)
    if str(path).endswith(("/", os.sep)) or out.is_dir():
        raise DynodeInputError(f"{_label(option, path)} is a folder; give a file name inside it (e.g. {out / ('out' + (suffixes[0] if suffixes else ''))})")
    if suffixes is not None and out.suffix.lower() not in suffixes:
        raise DynodeInputError(f"{_label(option, path)}: unsupported file type '{out.suffix or '(none)'}'; use {', '.join(suffixes)}")
    blocker = _file_ancestor(out)
    if blocker is not None:
        raise DynodeInputError(f"{_label(option, path)} is under {blocker}, which is a file, not a folder; choose another place")
    if (out.exists() or out.is_symlink()) and not force:
        raise DynodeInputError(f"{_label(option, path)} already exists; pass --force to replace it, or choose another name")
    return out


def check_output_dir(path: PathLike, option: str = "--out", inputs: Sequence[Optional[PathLike]] = (), force: bool = False,
                     allow_existing: bool = False) -> Path:
    """Validate an output FOLDER before any work; returns it as a Path.

    ``allow_existing``: the command adds to the folder without replacing it (``batch --resume``).
    """
    out = check_path_syntax(path, option)
    if out.exists() and not out.is_dir():
        raise DynodeInputError(f"{_label(option, path)} is a file; give a folder path (it is created)")
    blocker = _file_ancestor(out)
    if blocker is not None:
        raise DynodeInputError(f"{_label(option, path)} is under {blocker}, which is a file, not a folder; choose another place")
    _check_inputs(out, inputs, option, folder=True)
    if out.is_dir() and not allow_existing and not force and any(out.iterdir()):
        raise DynodeInputError(f"{_label(option, path)} exists and is not empty; pass --force to replace it, or choose a new folder")
    return out


def check_input_path(path: PathLike, option: str = "", kinds: str = "file or folder", suffixes: Optional[Sequence[str]] = None) -> Path:
    """An input that must exist: a clear message if it is missing or of the wrong kind/type."""
    p = check_path_syntax(path, option)
    if not p.exists():
        raise DynodeInputError(f"{_label(option, path)}: {kinds} not found")
    if kinds == "file" and not p.is_file():
        raise DynodeInputError(f"{_label(option, path)} is not a file")
    if kinds == "folder" and not p.is_dir():
        raise DynodeInputError(f"{_label(option, path)} is not a folder")
    if suffixes is not None and p.is_file() and p.suffix.lower() not in suffixes:
        raise DynodeInputError(f"{_label(option, path)}: unsupported file type '{p.suffix or '(none)'}'; use {', '.join(suffixes)}")
    return p


def check_model_file(path: PathLike, inputs: Sequence[Optional[PathLike]] = (), option: str = "--save-model") -> Path:
    """A ``.dynode`` file a run reuses when it matches and writes otherwise: checked like an output
    file except that it may exist (replacing one that does not match needs ``--force``: see
    :func:`dynode_plugin.dynamics.settings.fit_or_load`)."""
    out = check_path_syntax(path, option)
    _check_inputs(out, inputs, option, folder=False)
    if str(path).endswith(("/", os.sep)) or out.is_dir():
        raise DynodeInputError(f"{_label(option, path)} is a folder; give a .dynode file name (e.g. {out / 'model.dynode'})")
    if out.suffix.lower() != ".dynode":
        raise DynodeInputError(f"{_label(option, path)}: unsupported file type '{out.suffix or '(none)'}'; use .dynode")
    blocker = _file_ancestor(out)
    if blocker is not None:
        raise DynodeInputError(f"{_label(option, path)} is under {blocker}, which is a file, not a folder; choose another place")
    return out


def check_extra_outputs(outputs: Sequence[Tuple[str, Optional[PathLike], Optional[Sequence[str]]]],
                        inputs: Sequence[Optional[PathLike]] = (), force: bool = False,
                        taken: Sequence[Tuple[str, Optional[PathLike]]] = ()) -> None:
    """A command's further output files (``--report-json``, ``--latents-out``, ...), as
    ``(option, path or None, suffixes)``: each checked like :func:`check_output_file`, and none
    the same path as another output (``taken``: the main ``--out`` and the like)."""
    seen = [(o, Path(p)) for o, p in taken if p]
    for option, path, suffixes in outputs:
        if not path:
            continue
        out = check_output_file(path, option, inputs, force, suffixes)
        for other_option, other in seen:
            if _same(out, other):
                raise DynodeInputError(f"{_label(option, path)} is the same path as {other_option} {other}; give each output its own path")
        seen.append((option, out))


def check_output(path: PathLike, option: str = "--out", inputs: Sequence[Optional[PathLike]] = (), force: bool = False) -> Path:
    """An output that may be a file or a folder (it depends on the host): a path ending in '/',
    without a suffix, or an existing folder is checked as a folder, anything else as a file."""
    p = check_path_syntax(path, option)
    if str(path).endswith(("/", os.sep)) or not p.suffix or p.is_dir():
        return check_output_dir(path, option, inputs, force)
    return check_output_file(path, option, inputs, force)
