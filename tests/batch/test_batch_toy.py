"""`dynode batch` end to end on the toy host: real clips in, videos + records + summary out."""
import json

from click.testing import CliRunner

from dynode_plugin.cli import build_cli
from dynode_plugin.toy.world import render_clip
from dynode_plugin.video import read_frames, write_video


def test_batch_on_toy_clips_with_a_bad_clip_and_resume(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_INVERSION_STEPS", "10")
    for i in range(2):
        write_video(render_clip(5, seed=i), tmp_path / f"clip{i}.gif", fps=6)
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    (tmp_path / "m.csv").write_text("path,id,strength\nclip0.gif,a,\nclip1.gif,b,1.5\nbroken.mp4,c,\n")
    args = ["batch", str(tmp_path / "m.csv"), "--host", "toy", "--edit", "colour=+2", "--out", str(tmp_path / "run"), "--steps", "20", "-q"]
    r = CliRunner().invoke(build_cli(), args)
    assert r.exit_code == 1, r.output  # one clip failed, the others are done
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["ok"] == 2 and summary["failed"][0]["id"] == "c" and "cannot read video" in summary["failed"][0]["error"]
    rec_b = json.loads((tmp_path / "run" / "clips" / "b" / "record.json").read_text())
    assert rec_b["strength"] == 1.5 and rec_b["encoder"] == "toy-appearance" and 0.5 < rec_b["tg_id"] < 1.5
    edited, _ = read_frames(tmp_path / "run" / "edited" / "a.mp4")
    assert edited.shape == (5, 3, 64, 64)
    write_video(render_clip(5, seed=7), tmp_path / "broken.mp4", fps=6)  # fix the bad clip, then resume
    r = CliRunner().invoke(build_cli(), [*args, "--resume"])
    assert r.exit_code == 0, r.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["ok"] == 3 and sorted(summary["resumed_from_previous_run"]) == ["a", "b"]


def test_batch_takes_the_frame_selection_options(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_INVERSION_STEPS", "5")
    write_video(render_clip(9, seed=2), tmp_path / "clip.gif", fps=6)
    (tmp_path / "m.csv").write_text("path,id\nclip.gif,a\n")
    base = ["batch", str(tmp_path / "m.csv"), "--host", "toy", "--edit", "colour=+1", "--steps", "20", "-q"]
    r = CliRunner().invoke(build_cli(), [*base, "--out", str(tmp_path / "run"), "--every", "4", "--fps-factor", "2"])
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "run" / "clips" / "a" / "record.json").read_text())
    assert rec["selection"]["inverted"] == [0, 4, 8] and rec["selection"]["filled"] == [1, 2, 3, 5, 6, 7]
    edited, _ = read_frames(tmp_path / "run" / "edited" / "a.mp4")
    assert len(edited) == 17  # (9 - 1) * 2 + 1 frames from the same trajectory
    r = CliRunner().invoke(build_cli(), [*base, "--out", str(tmp_path / "bad"), "--every", "0"])
    assert r.exit_code == 2 and "K must be at least 1" in r.output and not (tmp_path / "bad").exists()
