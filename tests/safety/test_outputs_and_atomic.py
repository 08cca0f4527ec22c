"""Nothing the command did not create is replaced without --force; an input is never an output;
temps are one file in the target folder, removed on SIGTERM, and stale ones are cleaned later."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.atomic import atomic_dir, atomic_path, remove_stale_temps, temp_name
from dynode_plugin.cli import build_cli
from dynode_plugin.errors import DynodeInputError
from dynode_plugin.outputs import check_output_dir, check_output_file


def run(args):
    return CliRunner().invoke(build_cli(), [str(a) for a in args])


def one_error_line(r, *words):
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), r.output
    for w in words:
        assert w in lines[0], r.output


@pytest.fixture
def latents(tmp_path):
    torch.save(torch.randn(6, 3, 4), tmp_path / "z.pt")
    return tmp_path / "z.pt"


def test_fit_never_overwrites_its_input_even_with_force(tmp_path, latents):
    before = latents.read_bytes()
    for extra in ([], ["--force"]):
        r = run(["fit", latents, "--out", latents, "--model", "linear"] + extra)
        assert r.exit_code == 2 and "Error:" in r.output
    assert latents.read_bytes() == before


def test_fit_replaces_an_existing_output_only_with_force(tmp_path, latents):
    out = tmp_path / "m.dynode"
    out.write_text("user's file")
    r = run(["fit", latents, "--out", out, "--model", "linear"])
    one_error_line(r, "already exists", "--force")
    assert out.read_text() == "user's file"
    r = run(["fit", latents, "--out", out, "--model", "linear", "--force"])
    assert r.exit_code == 0, r.output and out.read_bytes()[:8] != b"user's f"


def test_report_json_is_checked_before_the_fit(tmp_path, latents):
    (tmp_path / "dir").mkdir()
    t0 = time.perf_counter()
    r = run(["fit", latents, "--out", tmp_path / "m.dynode", "--report-json", tmp_path / "dir"])
    one_error_line(r, "--report-json", "folder")
    assert not (tmp_path / "m.dynode").exists()  # nothing was fitted or written


@pytest.mark.parametrize("out, words", [
    ("", "empty"), ("{tmp}/dir", "folder"), ("{tmp}/z.pt/x.dynode", "under"), ("{tmp}/" + "a" * 300 + ".dynode", "long"),
    ("{tmp}/m.txt", "file type"),
])
def test_unusable_output_paths(tmp_path, latents, out, words):
    (tmp_path / "dir").mkdir()
    r = run(["fit", latents, "--out", out.format(tmp=tmp_path), "--model", "linear"])
    one_error_line(r, words)


def test_edit_and_demo_never_empty_a_users_folder(tmp_path):
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "mine.txt").write_text("precious")
    r = run(["demo", "--out", tmp_path / "keep", "--frames", "4"])
    one_error_line(r, "not empty", "--force")
    from dynode_plugin.toy.world import render_clip
    from dynode_plugin.video import write_video

    write_video(render_clip(4, 0), tmp_path / "frames", 8)  # a folder of PNGs
    r = run(["edit", "--input", tmp_path / "frames", "--edit", "colour=+1", "--out", tmp_path / "keep"])
    one_error_line(r, "not empty")
    for extra in ([], ["--force"]):  # the input folder as output: refused even with --force
        r = run(["edit", "--input", tmp_path / "frames", "--edit", "colour=+1", "--out", tmp_path / "frames"] + extra)
        one_error_line(r, "input")
    assert (tmp_path / "keep" / "mine.txt").read_text() == "precious"
    assert len(list((tmp_path / "frames").iterdir())) == 4


def test_metrics_json_never_replaces_the_source(tmp_path):
    from dynode_plugin.toy.world import render_clip
    from dynode_plugin.video import write_video

    write_video(render_clip(4, 0), tmp_path / "s.mp4", 8)
    before = (tmp_path / "s.mp4").read_bytes()
    r = run(["metrics", "--source", tmp_path / "s.mp4", "--edited", tmp_path / "s.mp4", "--json", tmp_path / "s.mp4",
             "--force", "--metrics", "mse"])
    one_error_line(r, "input")
    assert (tmp_path / "s.mp4").read_bytes() == before


def test_symlinked_output_onto_an_input_is_refused(tmp_path, latents):
    (tmp_path / "link.pt").symlink_to(latents)
    with pytest.raises(DynodeInputError, match="input"):
        check_output_file(tmp_path / "link.pt", "--out", [latents], force=True)
    with pytest.raises(DynodeInputError, match="holds the input"):
        check_output_dir(tmp_path, "--out", [latents], force=True)


class _RecordingHost:
    """Records whether the flow got past the output checks (it must not, for an input as output)."""

    def __init__(self):
        self.calls = []

    def check_output(self, out, force=False):
        self.calls.append("check_output")

    def check(self, edits):
        self.calls.append("check")

    def read(self, *a, **k):
        self.calls.append("read")
        raise AssertionError("read must not be reached")


def test_every_host_flow_refuses_an_input_as_output_even_with_force(tmp_path):
    """pipeline.run, behind `dynode edit` and the lt/tcsve aliases, refuses --out equal to the source
    (or a folder holding it) before the host sees anything; the source is left as it was."""
    from dynode_plugin.pipeline import run as run_flow

    src = tmp_path / "latents"
    src.mkdir()
    (src / "latent_code_00000.npy").write_bytes(b"user data")
    for out in (src, tmp_path):
        host = _RecordingHost()
        with pytest.raises(DynodeInputError, match="input"):
            run_flow(host, src, [("age", 1.0)], out, force=True)
        assert host.calls == []
    assert (src / "latent_code_00000.npy").read_bytes() == b"user data"


def test_atomic_path_uses_one_temp_in_the_target_folder_and_removes_it_on_failure(tmp_path):
    target = tmp_path / "x.dynode"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            assert tmp.parent == tmp_path and tmp.suffix == ".dynode" and str(os.getpid()) in tmp.name
            tmp.write_text("half")
            assert [p.name for p in tmp_path.iterdir()] == [tmp.name]
            raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(tmp_path / "d") as tmp:
        (tmp / "f").write_text("ok")
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_stale_temps_of_dead_processes_are_removed_others_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".x.dynode.{pid}-0123abcd.dynode-tmp.dynode"
    stale.write_text("left by SIGKILL")
    legacy = tmp_path / ".x.dynode.ab12CD_9.part.dynode"
    legacy.write_text("older version")
    mine = temp_name(tmp_path / "y.pt", ".pt")
    mine.write_text("this process, still writing")
    users = tmp_path / ".x.dynode.notes"
    users.write_text("not ours")
    assert remove_stale_temps(tmp_path, "x.dynode") == 2
    assert not stale.exists() and not legacy.exists() and mine.exists() and users.exists()


def test_sigterm_during_a_write_leaves_no_temp(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from dynode_plugin.atomic import atomic_path, install_signal_cleanup
        install_signal_cleanup()
        with atomic_path(Path({str(tmp_path)!r}) / "x.dynode") as tmp:
            tmp.write_text("partial")
            print("writing", flush=True)
            time.sleep(60)
    """)
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "writing"
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=30) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
