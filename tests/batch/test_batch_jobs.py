"""The job layer with a stand-in clip runner (the real runner is tested end to end in test_batch_toy)."""
import json
from pathlib import Path

import pytest

from dynode_plugin.batch.jobs import record_path, run_batch
from dynode_plugin.batch.manifest import Clip, read_manifest
from dynode_plugin.errors import DynodeInputError


def fake_runner(clip, settings, clip_dir):
    """Module level so worker processes can import it."""
    text = Path(clip.path).read_text()
    if "boom" in text:
        raise ValueError("NaN in latents of frame 3")
    crash_flag = Path(clip.path).with_suffix(".crash")
    if crash_flag.exists():
        import os

        os._exit(1)  # a hard crash: no record may be written
    return {"frames": len(text), "tl_id": 1.0, "tg_id": 0.5 + 0.1 * len(text), "strength": clip.strength or settings["strength"]}


def make_clips(tmp_path, contents):
    clips = []
    for i, c in enumerate(contents):
        p = tmp_path / f"clip{i}.txt"
        p.write_text(c)
        clips.append(Clip(id=f"c{i}", path=str(p)))
    return clips


SETTINGS = {"host": "toy", "edit": "colour", "strength": 2.0}


def test_manifest_validation_reports_every_problem_at_once(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"x")
    m = tmp_path / "m.csv"
    m.write_text("path,id,strength\na.mp4,x,1\nmissing.mp4,y,2\na.mp4,x,zz\n")
    with pytest.raises(DynodeInputError) as e:
        read_manifest(m)
    msg = str(e.value)
    assert "3 problem(s)" in msg and "missing.mp4 does not exist" in msg and "duplicate id 'x'" in msg and "'zz' is not a number" in msg
    m.write_text("file,colour\na.mp4,1\n")
    with pytest.raises(DynodeInputError, match="no 'path' column; unknown column"):
        read_manifest(m)
    m.write_text("path,strength\na.mp4,0.5\n")
    clips = read_manifest(m)
    assert clips == [Clip(id="a", path=str(tmp_path / "a.mp4"), strength=0.5)]


def test_failures_are_isolated_and_recorded(tmp_path):
    clips = make_clips(tmp_path, ["abc", "boom", "abcdef"])
    res = run_batch(clips, fake_runner, SETTINGS, tmp_path / "out", progress=False)
    assert [r["status"] for r in res.records] == ["ok", "failed", "ok"]
    assert "NaN in latents" in res.records[1]["error"]
    rec = json.loads(record_path(tmp_path / "out", "c2").read_text())
    assert rec["frames"] == 6 and rec["status"] == "ok"


def test_resume_skips_done_clips_and_reruns_failed_and_crashed(tmp_path):
    clips = make_clips(tmp_path, ["abc", "boom", "abcd"])
    Path(clips[2].path).with_suffix(".crash").write_text("")
    out = tmp_path / "out"
    with pytest.raises(Exception):  # the hard crash kills the worker pool
        run_batch(clips, fake_runner, SETTINGS, out, workers=2, progress=False)
    assert not record_path(out, "c2").exists()  # a crashed clip is never "done"
    Path(clips[2].path).with_suffix(".crash").unlink()
    Path(clips[1].path).write_text("fixed")
    with pytest.raises(DynodeInputError, match="--resume"):
        run_batch(clips, fake_runner, SETTINGS, out, progress=False)
    res = run_batch(clips, fake_runner, SETTINGS, out, resume=True, progress=False)
    assert all(r["status"] == "ok" for r in res.records)
    assert set(res.skipped) <= {"c0"} and "c1" not in res.skipped and "c2" not in res.skipped


def test_output_folder_from_a_different_edit_is_refused(tmp_path):
    clips = make_clips(tmp_path, ["abc"])
    run_batch(clips, fake_runner, SETTINGS, tmp_path / "out", progress=False)
    with pytest.raises(DynodeInputError, match="other settings"):
        run_batch(clips, fake_runner, {**SETTINGS, "edit": "lighting"}, tmp_path / "out", resume=True, progress=False)


def test_two_local_workers_give_the_same_records(tmp_path):
    clips = make_clips(tmp_path, ["a", "bb", "ccc", "dddd"])
    one = run_batch(clips, fake_runner, SETTINGS, tmp_path / "one", workers=1, progress=False)
    two = run_batch(clips, fake_runner, SETTINGS, tmp_path / "two", workers=2, progress=False)
    strip = lambda recs: [{k: v for k, v in r.items() if k != "seconds"} for r in recs]  # noqa: E731
    assert strip(one.records) == strip(two.records)


def test_ray_local_mode(tmp_path):
    ray = pytest.importorskip("ray")
    clips = make_clips(tmp_path, ["a", "boom", "ccc"])
    try:
        res = run_batch(clips, fake_runner, SETTINGS, tmp_path / "out", ray_address="local", progress=False)
    finally:
        ray.shutdown()
    assert [r["status"] for r in res.records] == ["ok", "failed", "ok"]
    assert record_path(tmp_path / "out", "c2").exists()
