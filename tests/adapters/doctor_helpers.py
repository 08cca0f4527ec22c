"""Shared by the doctor tests: run ``dynode doctor``, and make a broken environment.

The broken environment is the one these machines really produce: a torchvision built for
another torch, which fails at import with "operator torchvision::nms does not exist". It is
written to a temporary folder (a package and its dist-info, so its version can be read) and
put first on PYTHONPATH, which the doctor's import check (a fresh interpreter) inherits.
"""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dynode_plugin.cli import build_cli

NMS_ERROR = "operator torchvision::nms does not exist"


def run_doctor(host: str, root) -> tuple:
    """(exit code, {check name: check}, JSON output) of `dynode doctor --host HOST --root ROOT --json`
    (the text form is tested once, in test_doctor.py: each run imports torch in a fresh interpreter)."""
    res = CliRunner().invoke(build_cli(), ["doctor", "--host", host, "--root", str(root), "--json"], catch_exceptions=False)
    data = json.loads(res.stdout)  # stdout only: host code imported by the checks may log to stderr
    assert data["ok"] == (res.exit_code == 0) and data["root"] == str(Path(root).resolve())
    return res.exit_code, {c["name"]: c for c in data["checks"]}, res.output


def write_broken_torchvision(folder) -> Path:
    """A torchvision 0.28.0 that raises at import like PyPI's does beside torch 2.13.0."""
    folder = Path(folder)
    pkg = folder / "torchvision"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(f'__version__ = "0.28.0"\nraise RuntimeError("{NMS_ERROR}")\n')
    info = folder / "torchvision-0.28.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: torchvision\nVersion: 0.28.0\n")
    (info / "top_level.txt").write_text("torchvision\n")
    return folder


def add_import(script: Path, line: str) -> None:
    """Put a module-level import at the top of a (copied) host script, as the real one has it."""
    script.write_text(line + "\n" + script.read_text())


def assert_all_fine(code: int, checks: dict, output: str) -> None:
    assert code == 0, output
    assert all(c["status"] in ("ok", "warn") for c in checks.values()), output
    assert all(c["fix"] for c in checks.values() if c["status"] != "ok"), output
