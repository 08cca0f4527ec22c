"""No code runs from a user's file, at any entry point that reads one (issue 12).

Each case hands a crafted pickle (its loading would create ``marker``) to one entry point and
checks: exit code 2, one ``Error:`` line that says why and how to convert, the marker absent,
and no output written.
"""
from __future__ import annotations

import csv

import pytest
import torch
from click.testing import CliRunner
from crafted import Evil, EvilSystem, proves_loading_runs_code, write_evil_latents, write_evil_npy, write_evil_tensor_only

from dynode_plugin.cli import build_cli


def run(args):
    return CliRunner().invoke(build_cli(), [str(a) for a in args])


@pytest.fixture
def fitted(tmp_path):
    z = torch.randn(6, 3, 4)
    torch.save(z, tmp_path / "ok.pt")
    r = run(["fit", tmp_path / "ok.pt", "--out", tmp_path / "ok.dynode", "--model", "linear", "-q"])
    assert r.exit_code == 0, r.output
    return tmp_path / "ok.dynode"


def assert_refused(r, marker, out):
    assert r.exit_code == 2, r.output
    lines = [l for l in r.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), r.output
    assert "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit)
    assert not marker.exists(), "the crafted pickle was executed"
    assert not out.exists()


def test_the_crafted_files_really_run_code_when_unpickled(tmp_path):
    marker = tmp_path / "MARKER"
    assert proves_loading_runs_code(write_evil_latents(tmp_path / "a.pt", marker), marker)
    assert proves_loading_runs_code(write_evil_tensor_only(tmp_path / "b.pt", marker), marker)


@pytest.mark.parametrize("suffix", [".pt", ".pth", ".tar"])
def test_fit_refuses_pickled_latents_and_says_how_to_convert(tmp_path, suffix):
    marker, out = tmp_path / "MARKER", tmp_path / "c.dynode"
    evil = write_evil_latents(tmp_path / f"lat{suffix}", marker)
    r = run(["fit", evil, "--out", out])
    assert_refused(r, marker, out)
    assert "pickled Python objects" in r.output and "weights_only=False" in r.output and "io.open" in r.output


def test_fit_refuses_a_pickled_frame_in_a_pti_folder(tmp_path):
    marker, out = tmp_path / "MARKER", tmp_path / "c.dynode"
    for i in range(4):
        (tmp_path / "pti" / f"{i:05d}").mkdir(parents=True)
        torch.save(torch.randn(1, 3, 4), tmp_path / "pti" / f"{i:05d}" / "0.pt")
    torch.save([Evil(marker), torch.randn(1, 3, 4)], tmp_path / "pti" / "00002" / "0.pt")
    r = run(["fit", tmp_path / "pti", "--out", out])
    assert_refused(r, marker, out)
    assert "00002" in r.output


def test_fit_refuses_object_npy_frames(tmp_path):
    marker, out = tmp_path / "MARKER", tmp_path / "c.dynode"
    (tmp_path / "lt").mkdir()
    for i in range(3):
        write_evil_npy(tmp_path / "lt" / f"latent_code_{i:05d}.npy", marker)
    r = run(["fit", tmp_path / "lt", "--out", out])
    assert_refused(r, marker, out)


def test_propagate_refuses_a_pickled_edited_first(tmp_path, fitted):
    marker, out = tmp_path / "MARKER", tmp_path / "e.pt"
    evil = write_evil_tensor_only(tmp_path / "z0.pt", marker)
    r = run(["propagate", fitted, "--edited-first", evil, "--out", out])
    assert_refused(r, marker, out)


@pytest.mark.parametrize("command", ["fit", "interpolate", "propagate"])
def test_times_files_are_never_unpickled(tmp_path, fitted, command):
    marker = tmp_path / "MARKER"
    evil = write_evil_tensor_only(tmp_path / "times.pt", marker)
    torch.save(torch.randn(3, 4), tmp_path / "z0.pt")
    out = tmp_path / ("c.dynode" if command == "fit" else "o.pt")
    args = {"fit": ["fit", tmp_path / "ok.pt", "--out", out],
            "interpolate": ["interpolate", fitted, "--out", out],
            "propagate": ["propagate", fitted, "--edited-first", tmp_path / "z0.pt", "--out", out]}[command]
    r = run(args + ["--times", evil])
    assert_refused(r, marker, out)


def test_batch_manifest_times_column_is_never_unpickled(tmp_path):
    from dynode_plugin.toy.world import render_clip
    from dynode_plugin.video import write_video

    marker = tmp_path / "MARKER"
    write_video(render_clip(4, 0), tmp_path / "a.mp4", 8)
    evil = write_evil_tensor_only(tmp_path / "times.pt", marker)
    with open(tmp_path / "m.csv", "w", newline="") as fh:
        # the bad times file is on the SECOND clip: the manifest is validated whole, before the first clip runs
        csv.writer(fh).writerows([["path", "id", "times"], ["a.mp4", "a", ""], ["a.mp4", "b", evil.name]])
    r = run(["batch", tmp_path / "m.csv", "--edit", "colour=+1", "--out", tmp_path / "out", "--steps", "5", "-q", "--encoder", ""])
    assert not marker.exists(), "the crafted pickle was executed"
    assert r.exit_code == 2, r.output
    assert "line 3: times:" in r.output and "pickled Python objects" in r.output and str(evil) in r.output, r.output
    assert not (tmp_path / "out").exists()  # refused before the first clip ran: nothing was written


def test_stit_checkpoint_reader_keeps_crafted_callables_inert(tmp_path):
    from dynode_adapters.stit.checkpoint import read_pivots

    marker = tmp_path / "MARKER"
    pivots = torch.randn(3, 18, 512)
    for payload in (Evil(marker), EvilSystem(marker)):
        torch.save({"generator": payload, "pivots": pivots, "quads": []}, tmp_path / "model_run.pt")
        got = read_pivots(tmp_path / "model_run.pt")
        assert not marker.exists(), f"{type(payload).__name__} was executed"
        assert torch.equal(got, pivots)
