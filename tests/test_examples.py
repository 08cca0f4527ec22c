"""Every script in examples/ runs as a user would run it (small settings) and does what it says."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(script, *args, cwd, env=None):
    res = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_every_example_is_covered():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(
        ["fit_and_propagate.py", "toy_edit_and_score.py", "make_toy_clips.py", "stit_dynode_config.py"])


def test_fit_and_propagate(tmp_path):
    out = run("fit_and_propagate.py", str(tmp_path / "missing.pt"), "--steps", "30", "--out", "o", cwd=tmp_path)
    from dynode_plugin import load_dynamics, load_latents

    assert load_latents(tmp_path / "o" / "dense.pt").shape == (4 * 23 + 1, 18, 512)  # the synthetic 24-frame clip, 4x
    assert load_latents(tmp_path / "o" / "edited.pt").shape == (24, 18, 512)
    assert load_dynamics(tmp_path / "o" / "clip.dynode").shape == (18, 512)
    assert "held-out latent MSE" in out
    assert f"no latents at {tmp_path / 'missing.pt'}: using a SYNTHETIC 24-frame clip" in out


def test_toy_edit_and_score(tmp_path):
    out = run("toy_edit_and_score.py", "--frames", "6", "--steps", "20", "--out", "o", cwd=tmp_path,
              env={"DYNODE_TOY_INVERSION_STEPS": "5"})
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("per-frame", "dynode"))}
    assert set(rows) == {"per-frame", "dynode"}
    assert all(0.5 < float(r[1]) < 1.5 and 0.5 < float(r[2]) < 1.5 for r in rows.values())  # TL-ID, TG-ID
    from dynode_plugin.video import read_frames

    side, _ = read_frames(tmp_path / "o" / "comparison.mp4")
    assert side.shape[0] == 6 and side.shape[-1] > 3 * 64  # three clips side by side


def test_make_toy_clips_writes_a_valid_manifest(tmp_path):
    run("make_toy_clips.py", "--clips", "3", "--frames", "5", "--out", "clips", cwd=tmp_path)
    from dynode_plugin.batch.manifest import read_manifest

    clips = read_manifest(tmp_path / "clips" / "manifest.csv")
    assert [c.id for c in clips] == ["clip000", "clip001", "clip002"]
    assert [c.strength for c in clips] == [None, 1.5, None]


def test_stit_config_example_checks_its_settings(tmp_path):
    out = run("stit_dynode_config.py", cwd=tmp_path)
    assert "use_dynode                 True" in out and "cpu=True" in out
    bad = tmp_path / "bad_config.py"
    bad.write_text((EXAMPLES / "stit_dynode_config.py").read_text().replace("dynode_refit = False", "dynode_refti = False"))
    res = subprocess.run([sys.executable, str(bad)], capture_output=True, text=True)
    assert res.returncode != 0 and "unknown DynODE setting 'dynode_refti'" in res.stderr
