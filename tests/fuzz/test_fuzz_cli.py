"""Fuzz every command in-process with malformed latents, .dynode files, videos, frame folders,
manifests and option values (issue 12).

Each case runs in its own sandbox (a temp folder, also the working directory) next to an
untouched ``outside`` folder, and must end with:

* exit code 1 or 2, one ``Error:`` line (several only for a manifest's list of problems),
  no traceback, no exception other than the exit;
* no file created, changed or removed in the sandbox or outside it (inputs and outputs alike);
* no marker file from a pickle payload.

Budget: the table (every case) plus ``DYNODE_FUZZ_CASES`` random cases (default 40, seed
``DYNODE_FUZZ_SEED``, default 0). Longer runs: ``DYNODE_FUZZ_CASES=2000 python -m pytest -q tests/fuzz``.
``DYNODE_FUZZ_REPORT=file.json`` writes the figures (cases per category and outcome).
"""
from __future__ import annotations

import collections
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner
from fuzz_corpus import Assets, table_cases
from fuzz_random import random_cases

from dynode_plugin.cli import build_cli

N_RANDOM = int(os.environ.get("DYNODE_FUZZ_CASES", "40"))
SEED = int(os.environ.get("DYNODE_FUZZ_SEED", "0"))
CASES = table_cases() + random_cases(N_RANDOM, SEED)
FIGURES = collections.Counter()


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    from dynode_plugin.toy.world import render_clip
    from dynode_plugin.video import write_video

    d = tmp_path_factory.mktemp("assets")
    torch.save(torch.randn(6, 3, 4), d / "z.pt")
    r = CliRunner().invoke(build_cli(), ["fit", str(d / "z.pt"), "--out", str(d / "m.dynode"), "--model", "linear", "-q"])
    assert r.exit_code == 0, r.output
    clip = render_clip(4, 0)
    write_video(clip, d / "v.mp4", 8)
    write_video(clip, d / "frames", 8)
    return Assets(latents=d / "z.pt", dynode=d / "m.dynode", video=d / "v.mp4", frames=d / "frames")


def snapshot(root: Path):
    """Every path under ``root`` with its kind and content hash (folders: None)."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = ("link", os.readlink(p))
        elif p.is_dir():
            out[rel] = ("dir", None)
        else:
            out[rel] = ("file", hashlib.sha256(p.read_bytes()).hexdigest())
    return out


@pytest.fixture(scope="module", autouse=True)
def report_figures():
    yield
    path = os.environ.get("DYNODE_FUZZ_REPORT")
    if path:
        figures = {"cases": sum(v for k, v in FIGURES.items() if k[0] == "total"), "random_cases": N_RANDOM, "seed": SEED,
                   "by_category": {}, "by_exit_code": {}}
        for (kind, a, b), v in sorted(FIGURES.items()):
            if kind == "cat":
                figures["by_category"].setdefault(a, {})[b] = v
            elif kind == "code":
                figures["by_exit_code"][a] = v
        Path(path).write_text(json.dumps(figures, indent=2))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_cleanly_and_touches_nothing(case, assets, tmp_path, monkeypatch):
    sandbox, outside = tmp_path / "sandbox", tmp_path / "outside"
    sandbox.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("not yours")
    shutil.copy(assets.latents, outside / "z.pt")
    if case.setup is not None:
        case.setup(sandbox, assets)
    monkeypatch.chdir(sandbox)  # relative defaults (demo's 'demo/') land in the sandbox too
    before, before_out = snapshot(sandbox), snapshot(outside)
    args = [a.replace("{S}", str(sandbox)) for a in case.args]
    r = CliRunner().invoke(build_cli(), args)
    FIGURES[("total", "", "")] += 1
    FIGURES[("code", str(r.exit_code), "")] += 1
    FIGURES[("cat", case.category, "exit " + str(r.exit_code))] += 1
    assert r.exit_code in (1, 2), f"exit {r.exit_code}: {r.output[-500:]}"
    assert isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    lines = [l for l in r.output.splitlines() if l.strip()]
    errors = [l for l in lines if l.startswith("Error:")]
    assert len(errors) == 1, r.output[-800:]
    if not case.multiline:
        assert lines[-1].startswith("Error:") and len(lines[-1]) < 2000, r.output[-800:]
    assert snapshot(sandbox) == before, "the failed command created, changed or removed files"
    assert snapshot(outside) == before_out
    assert not list(tmp_path.rglob("MARKER"))
