"""`dynode stit train` against the fake STIT: e4e + PTI on 1 frame in K, frames without a face
filled, and a checkpoint STIT's own edit script reads unchanged."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "stit"))
import stit_builders as B  # noqa: E402

from dynode_plugin.cli import build_cli  # noqa: E402

TRAIN = ["-i", "input_frames", "-o", "train_out", "-r", "sparse", "--num_pti_steps", "2", "--center_sigma", "0", "--xy_sigma", "0"]


@pytest.fixture()
def world(tmp_path, monkeypatch):
    from dynode_plugin.dynamics.base import torch_threads

    with torch_threads(1):  # the fake's tiny convolutions: 20x slower with 2 threads on a loaded machine
        yield _world(tmp_path, monkeypatch)


def _world(tmp_path, monkeypatch):
    root = B.copy_checkout(tmp_path / "STIT")
    info = B.make_train_inputs(root, n_frames=12, no_face=[5, 6, 7])
    monkeypatch.chdir(root)
    return info


def run(*args):
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


def read_checkpoint(path):
    from dynode_adapters.stit.checkpoint import _pickle

    return torch.load(path, map_location="cpu", pickle_module=_pickle, weights_only=False)


def test_train_inverts_one_frame_in_k_and_fills_missing_faces(world, tmp_path):
    report = tmp_path / "report.json"
    res = run("stit", "train", "--stit-root", str(world["root"]), "--every", "4", "--model", "linear", "-q",
              "--report-json", str(report), "--", "train.py", *TRAIN)
    assert res.exit_code == 0, res.output
    assert "inverted 4 of 12 frames; detection failed on frame(s) 5-7" in res.output and "(alignment " in res.output
    rep = json.loads(report.read_text())
    assert rep["selection"]["inverted"] == [0, 4, 8, 11] and rep["selection"]["detection_failed"] == [5, 6, 7]
    assert rep["selection"]["filled"] == [1, 2, 3, 5, 6, 7, 9, 10]
    secs = rep["seconds"]  # alignment and inversion (e4e + PTI) timed apart, wall and CPU
    assert {"alignment", "alignment_cpu", "inversion", "inversion_cpu", "fit", "fit_cpu"} <= set(secs)
    assert all(v >= 0 for v in secs.values()) and secs["alignment"] + secs["inversion"] + secs["fit"] <= rep["total_seconds"]
    ckpt = read_checkpoint(world["root"] / "checkpoints" / "model_sparse.pt")
    pivots, quads = ckpt["pivots"], ckpt["quads"]
    assert pivots.shape == (12, 18, 512) and torch.isfinite(pivots).all() and len(quads) == 12
    # the linear model fills the pivots between inverted frames at the true frame times
    assert torch.allclose(pivots[2], (pivots[0] + pivots[4]) / 2, atol=1e-5)
    assert torch.allclose(pivots[9], pivots[8] + (pivots[11] - pivots[8]) / 3, atol=1e-5)
    assert not torch.allclose(pivots[0], pivots[4])
    # quads of frames without a face: interpolated from frames 4 and 8 (no smoothing in this run)
    q = np.stack(quads)
    assert np.isfinite(q).all() and q.shape == (12, 4, 2)
    np.testing.assert_allclose(q[6], (q[4] + q[8]) / 2, atol=1e-9)
    np.testing.assert_allclose(q[5], 0.75 * q[4] + 0.25 * q[8], atol=1e-9)
    assert len(list((world["root"] / "train_out" / "inversion").iterdir())) == 12  # train.py's own per-frame outputs
    # STIT's edit script reads the checkpoint as it is and edits all 12 frames
    res = run("stit", "edit", "--stit-root", str(world["root"]), "--per-frame", "--", "edit_video.py",
              "-i", "input_frames", "-o", "edits", "-r", "sparse", "-en", "age", "-er", "-2", "2", "2")
    assert res.exit_code == 0, res.output
    from dynode_plugin.video import read_frames

    frames, _ = read_frames(world["root"] / "edits" / "age" / "2.0" / "out.mp4")
    assert len(frames) == 12
    # the model that filled the pivots is saved where the edit hook looks, and the edit reuses it
    dyn = world["root"] / "checkpoints" / "model_sparse.dynode"
    assert rep["model_file"] == str(dyn) and dyn.is_file() and "the edit hook reuses it" in rep["model_note"]
    edit_report = tmp_path / "edit.json"
    res = run("stit", "edit", "--stit-root", str(world["root"]), "--model", "linear", "--report-json", str(edit_report),
              "--", "edit_video.py", "-i", "input_frames", "-o", "edits_dynode", "-r", "sparse", "-en", "age", "-er", "-2", "2", "2")
    assert res.exit_code == 0, res.output
    edit = json.loads(edit_report.read_text())["edit"]
    assert edit["fitted"] is False and Path(edit["model_file"]) == dyn.resolve()
    assert len(read_frames(world["root"] / "edits_dynode" / "age" / "2.0" / "out.mp4")[0]) == 12


def test_train_leaves_an_existing_model_file_alone(world):
    mine = world["root"] / "checkpoints" / "model_sparse.dynode"
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_bytes(b"the user's own file")
    res = run("stit", "train", "--stit-root", str(world["root"]), "--every", "4", "--model", "linear", "-q", "--", "train.py", *TRAIN)
    assert res.exit_code == 0, res.output
    assert mine.read_bytes() == b"the user's own file"
    assert "dynamics model: not saved" in res.output and "exists and was left alone" in res.output


def test_train_bad_selection_stops_before_any_work(world):
    root = world["root"]
    for args, message in [(["--every", "13"], "--every 13 is larger than the clip (12 frames)"),
                          (["--frames", "0,12"], "lists frame 12"),
                          (["--frames", "5,6,9"], "only 1 frame(s) left to invert of 12 after detection failed on frame(s) 5-7"),
                          (["--every", "0"], "K must be at least 1")]:
        res = run("stit", "train", "--stit-root", str(root), *args, "-q", "--", *TRAIN)
        assert res.exit_code == 2, res.output
        assert message in res.output and "Traceback" not in res.output
        assert not (root / "checkpoints" / "model_sparse.pt").exists() and not (root / "train_out").exists()
    res = run("stit", "train", "--stit-root", str(root), "--every", "2", "--", "edit_video.py", *TRAIN)
    assert res.exit_code == 2 and "runs STIT's train.py" in res.output


def test_train_succeeds_when_the_model_file_cannot_be_written(world, monkeypatch):
    from dynode_plugin.dynamics.base import BaseDynamics

    def refuse(self, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(BaseDynamics, "save", refuse)
    res = run("stit", "train", "--stit-root", str(world["root"]), "--every", "4", "--model", "linear", "-q", "--", "train.py", *TRAIN)
    assert res.exit_code == 0, res.output
    assert "dynamics model: not saved (could not be written to" in res.output and "Permission denied" in res.output
    assert (world["root"] / "checkpoints" / "model_sparse.pt").is_file()
    assert not (world["root"] / "checkpoints" / "model_sparse.dynode").exists()
