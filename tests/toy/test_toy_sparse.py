"""Sparse inversion in the toy host: 1 frame in K inverted, detection failures filled, --fps-factor."""
import json

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.frame_selection import SelectionSpec, upsampled_times
from dynode_plugin.toy import world


@pytest.fixture
def clip_with_failures(tmp_path):
    """A 12-frame toy clip whose frames 5-7 show no scene (the toy detector fails on them)."""
    from dynode_plugin.video import write_video

    frames = world.render_clip(12, seed=1)
    frames[5:8] = 0.5
    folder = tmp_path / "clip"
    write_video(frames, folder)  # a folder of PNG frames (lossless: the blank frames stay blank)
    return frames, folder


def test_toy_detector_fails_on_blank_and_nan_frames():
    from dynode_plugin.toy.host import ToyHost

    frames = world.render_clip(6, seed=2)
    frames[2] = 0.3
    frames[4, :, 3, 3] = float("nan")
    assert ToyHost.detect(None, frames) == [2, 4]


def test_upsampled_times_keep_the_original_frames():
    t = upsampled_times(torch.tensor([0.0, 1.0, 3.0]), 3, 2)
    assert t.tolist() == [0.0, 0.5, 1.0, 2.0, 3.0]
    assert len(upsampled_times(None, 5, 3)) == 13


def test_edit_every_k_inverts_only_selected_frames_and_fills_failures(clip_with_failures, tmp_path, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_INVERSION_STEPS", "10")
    from dynode_plugin.cli import build_cli
    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.video import read_frames

    frames, folder = clip_with_failures
    inverted_counts = []
    real_invert = ToyHost.invert

    def counting_invert(self, x, progress=True):
        inverted_counts.append(len(x))
        return real_invert(self, x, progress=progress)

    monkeypatch.setattr(ToyHost, "invert", counting_invert)
    out = tmp_path / "out"
    r = CliRunner().invoke(build_cli(), ["edit", "--host", "toy", "--input", str(folder), "--edit", "colour=+2", "--every", "2",
                                         "--out", str(out), "--steps", "30", "--fps-factor", "2"])
    assert r.exit_code == 0, r.output
    assert "detection failed on frame(s) 5-7" in r.output
    report = json.loads((out / "report.json").read_text())
    sel = report["selection"]
    assert sel["inverted"] == [0, 2, 4, 8, 10, 11] and inverted_counts == [6]
    assert sel["detection_failed"] == [5, 6, 7] and sel["filled"] == [1, 3, 5, 6, 7, 9]
    # every frame has a latent; the edit is the same linear step everywhere (offset mode)
    src, edt = torch.load(out / "source_latents.pt"), torch.load(out / "edited_latents.pt")
    assert src.shape == (12, 10, 64) and torch.isfinite(src).all()
    assert edt.shape == (23, 10, 64) and report["rendered_frames"] == 23
    from dynode_plugin.toy.host import ToyHost as H

    delta = H().edit(torch.zeros(1, 10, 64), "colour", 2.0)[0]
    assert torch.allclose(edt[::2] - src, delta.expand_as(src), atol=1e-4)
    rendered, fps = read_frames(out / "edited.mp4")
    assert len(rendered) == 23


def test_run_edit_sparse_source_latents_match_inversions_at_observed_frames(monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_INVERSION_STEPS", "5")
    from dynode_plugin.pipeline import run_edit
    from dynode_plugin.toy.host import ToyHost

    host = ToyHost()
    frames = world.render_clip(9, seed=3)
    res = run_edit(host, frames, [("colour", 1.0)], selection=SelectionSpec(every=4), progress=False,
                   dynamics_kwargs={"steps": 20})
    assert res.selection.selected == (0, 4, 8)
    torch.manual_seed(0)
    direct = host.invert(frames[[0, 4, 8]], progress=False)
    assert torch.allclose(res.source_latents[[0, 4, 8]], direct, atol=1e-5)  # the inversion is deterministic per frame


def test_bad_selection_is_refused_before_any_work(clip_with_failures, tmp_path):
    from dynode_plugin.cli import build_cli

    _, folder = clip_with_failures
    cases = [(["--every", "0"], "K must be at least 1"), (["--every", "13"], "larger than the clip (12 frames)"),
             (["--frames", "0,12"], "lists frame 12"), (["--frames", "4,2"], "not increasing"),
             (["--frames", "0,5,6"], "only 1 frame(s) left to invert of 12 after detection failed on frame(s) 5-7"),
             (["--fps-factor", "0"], "--fps-factor 0"), (["--every", "2", "--per-frame"], "--per-frame edits every")]
    for args, msg in cases:
        r = CliRunner().invoke(build_cli(), ["edit", "--host", "toy", "--input", str(folder), "--edit", "colour=1",
                                             "--out", str(tmp_path / "out"), *args])
        assert r.exit_code == 2 and msg in r.output and "Traceback" not in r.output, (args, r.output)
        assert not (tmp_path / "out").exists()
