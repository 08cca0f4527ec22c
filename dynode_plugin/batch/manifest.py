"""Batch manifests: a CSV with one clip per row, validated as a whole before any work.

Columns: ``path`` (required: a video file or a folder of frames; relative paths are taken
from the manifest's folder), ``id`` (default: the file's stem), ``strength`` (overrides the
edit's strength for this clip), ``times`` (``;``-separated frame times, or a ``.txt/.npy/.pt``
file, relative to the manifest's folder like ``path``). Times files are loaded here, with
``weights_only=True`` (:mod:`..latent_io`), so a bad one fails the batch before any clip runs.
"""
from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path
from typing import List, Optional, Tuple

import click

from ..cli_types import STRENGTH, TIMES
from ..errors import DynodeInputError

COLUMNS = ("id", "path", "strength", "times")
MAX_ID = 100
# ids name files and folders under --out: no separators, no '..', no hidden names
SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,%d}" % (MAX_ID - 1))
MAX_CLIPS = 100_000


@dataclasses.dataclass(frozen=True)
class Clip:
    id: str
    path: str
    strength: Optional[float] = None
    times: Optional[str] = None


def _check_times(cell: str, folder: Path) -> Tuple[str, Optional[str]]:
    """A ``times`` cell: numbers, or a file (relative to the manifest's folder) loaded now with
    weights_only and checked. Returns (the cell with the file's path resolved, the problem or None)."""
    from ..cli_types import TIMES_SUFFIXES

    if Path(cell).suffix.lower() in TIMES_SUFFIXES and not Path(cell).is_absolute():
        cell = str(folder / cell)
    try:
        TIMES.convert(cell, None, None).values("times")
    except click.BadParameter as exc:
        return cell, exc.format_message()
    except DynodeInputError as exc:
        return cell, str(exc)
    return cell, None


def read_manifest(path) -> List[Clip]:
    """Parse and validate; every problem is reported at once, in one error."""
    path = Path(path)
    if not path.is_file():
        raise DynodeInputError(f"manifest not found: {path}")
    try:
        with open(path, newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DynodeInputError(f"cannot read manifest {path}: {exc}") from None
    problems: List[str] = []
    unknown = [h for h in header if h not in COLUMNS]
    if "path" not in header:
        problems.append("no 'path' column")
    if unknown:
        problems.append(f"unknown column(s) {', '.join(unknown)}")
    if problems:
        raise DynodeInputError(f"bad manifest {path}: {'; '.join(problems)}. Columns: path (required), id, strength, times")
    if len(rows) > MAX_CLIPS:
        raise DynodeInputError(f"manifest {path} lists {len(rows)} clips; at most {MAX_CLIPS} per batch (split it)")
    clips: List[Clip] = []
    seen = {}
    for line, row in enumerate(rows, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("path"):
            problems.append(f"line {line}: empty path")
            continue
        clip_path = Path(row["path"])
        if not clip_path.is_absolute():
            clip_path = path.parent / clip_path
        if not clip_path.exists():
            problems.append(f"line {line}: {clip_path} does not exist")
        cid = row.get("id") or clip_path.stem
        if not SAFE_ID.fullmatch(cid):
            problems.append(f"line {line}: id '{cid[:40]}'{'' if row.get('id') else ' (from the file name)'} is not a safe name: "
                            f"use 1-{MAX_ID} letters, digits, '-', '_' or '.', not starting with '.'")
        if cid in seen:
            problems.append(f"line {line}: duplicate id '{cid}' (first on line {seen[cid]})")
        seen[cid] = line
        strength = None
        if row.get("strength"):
            try:
                strength = STRENGTH.convert(row["strength"], None, None)
            except click.BadParameter as exc:
                problems.append(f"line {line}: strength: {exc.format_message()}")
        times = row.get("times") or None
        if times:
            times, problem = _check_times(times, path.parent)
            if problem:
                problems.append(f"line {line}: times: {problem}")
        clips.append(Clip(id=cid, path=str(clip_path), strength=strength, times=times))
    if not clips and not problems:
        problems.append("no clips listed")
    if problems:
        shown = "\n  ".join(problems[:20]) + ("\n  ..." if len(problems) > 20 else "")
        raise DynodeInputError(f"bad manifest {path} ({len(problems)} problem(s)):\n  {shown}")
    return clips
