"""Every output option of every command goes through the output guard (issue 12), before any
host checkout, model or clip is touched: an existing file is never replaced without --force, an
input (or a file of an input folder) never even with it, two outputs never share a path."""
from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.cli import build_cli

# (command line, words of the one error line); {user} files exist and hold the user's data
CASES = [
    ("lt manipulate --lt-root x --latents-dir lat --attr Smiling --out o --latents-out user.pt", "already exists"),
    ("lt manipulate --lt-root x --latents-dir lat --attr Smiling --out o --latents-out lat/latent_code_00000.npy --force",
     "input folder"),
    ("lt manipulate --lt-root x --latents-dir lat --attr Smiling --out o --report-json user.json", "already exists"),
    ("lt manipulate --lt-root x --latents-dir lat --attr Smiling --out o --latents-out o.pt --report-json o.pt", ".json"),
    ("lt encode --lt-root x --aligned-dir al --out al --force", "input"),
    ("lt encode --lt-root x --aligned-dir al --out o --save-model user.dynode", "already exists"),
    ("lt encode --lt-root x --aligned-dir al --out o --report-json user.json", "already exists"),
    ("tcsve edit --tcsve-root x --run r --embeddings emb --out user.pth", "already exists"),
    ("tcsve edit --tcsve-root x --run r --embeddings emb --mapper user.pth --out user.pth --force", "input"),
    ("tcsve edit --tcsve-root x --run r --embeddings emb --out o.pth --report-json user.json", "already exists"),
    ("stit edit --report-json user.json", "already exists"),
    ("stit train --report-json user.json", "already exists"),
    ("stit fit --checkpoint ckpt.pt --out ckpt.pt --force", "input"),
    ("stit fit --checkpoint ckpt.pt --out user.dynode", "already exists"),
    ("edit --input lat --edit colour=+1 --out o --report-json user.json", "already exists"),
    ("edit --input lat --edit colour=+1 --out o --save-model lat/latent_code_00000.npy --force", "input folder"),
    ("edit --input lat --edit colour=+1 --out o --save-model o.dynode --report-json o.dynode", ".json"),
    ("edit --input user.json --edit colour=+1 --out o --report-json user.json --force", "input"),
]


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for d in ("lat", "al", "emb"):
        (tmp_path / d).mkdir()
    for f in ("lat/latent_code_00000.npy", "user.json", "user.pt", "user.pth", "ckpt.pt", "user.dynode"):
        (tmp_path / f).write_bytes(b"user data " + f.encode())
    return tmp_path


def snapshot(root):
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("line, words", CASES, ids=[c[0][:60] for c in CASES])
def test_output_option_refused_before_any_work(sandbox, line, words):
    before = snapshot(sandbox)
    r = CliRunner().invoke(build_cli(), line.split())
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and words in lines[0], r.output
    assert snapshot(sandbox) == before  # nothing created, changed or removed


def test_save_model_of_other_latents_is_replaced_only_with_force(tmp_path):
    from dynode_plugin.dynamics.settings import fit_or_load
    from dynode_plugin.errors import DynodeInputError

    path = tmp_path / "m.dynode"
    z = torch.randn(6, 2, 3)
    fit_or_load(z, "linear", {}, path, progress=False, replace=False)  # a new file: written
    before = path.read_bytes()
    _, fitted, _ = fit_or_load(z, "linear", {}, path, progress=False, replace=False)
    assert fitted is False  # the matching model is reused, nothing replaced
    for refit, other in ((False, z + 1), (True, z)):
        with pytest.raises(DynodeInputError, match="--force"):
            fit_or_load(other, "linear", {}, path, refit=refit, progress=False, replace=False)
        assert path.read_bytes() == before
    model, fitted, _ = fit_or_load(z + 1, "linear", {}, path, progress=False, replace=True)
    assert fitted and path.read_bytes() != before
