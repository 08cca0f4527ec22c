"""`dynode stit` against the fake STIT checkout: both scripts end to end, per-frame vs DynODE,
fit-then-reuse, the hook file, and every bad input the issue lists."""
import json
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "stit"))
import stit_builders as B  # noqa: E402

from dynode_plugin.cli import build_cli  # noqa: E402

FAST = ["--steps", "40", "-q"]
STIT_ARGS = ["-i", "input_frames", "-o", "out", "-r", "demo", "-en", "age", "-er", "-2", "2", "2"]


@pytest.fixture()
def world(tmp_path, monkeypatch):
    root = B.copy_checkout(tmp_path / "STIT")
    info = B.make_run(root, n_frames=6)
    monkeypatch.chdir(root)  # STIT users run from the checkout root; relative -i/-o work from there
    return info


def run(*args):
    return CliRunner().invoke(build_cli(), list(args), catch_exceptions=False)


def test_edit_video_with_dynode_then_reuse(world, tmp_path):
    report = tmp_path / "report.json"
    res = run("stit", "edit", "--stit-root", str(world["root"]), *FAST, "--report-json", str(report), "--", "edit_video.py", *STIT_ARGS)
    assert res.exit_code == 0, res.output
    out = world["root"] / "out" / "age"
    assert sorted(p.name for p in out.iterdir()) == ["-2.0", "2.0"] and (out / "2.0" / "out.mp4").stat().st_size > 0
    rep = json.loads(report.read_text())
    assert rep["edit"]["method"] == "dynode" and rep["edit"]["fitted"] is True and rep["edit"]["edits"] == 2
    assert set(rep["compat"]) >= {"cpu", "torch_load"}  # a CPU-only machine, torch >= 2.6
    assert Path(rep["edit"]["model_file"]) == world["root"] / "checkpoints" / "model_demo.dynode"
    # every patch is undone after the in-process run
    with pytest.raises((AssertionError, RuntimeError)):
        torch.zeros(1).cuda()
    # the report of the first run is replaced only with --force
    res = run("stit", "edit", "--stit-root", str(world["root"]), *FAST, "--report-json", str(report), "--force", "--", *STIT_ARGS)
    assert res.exit_code == 0, res.output
    assert json.loads(report.read_text())["edit"]["fitted"] is False and "reused" in res.output


def test_fit_then_stitching_tuning_script_reuses_the_model(world, tmp_path):
    res = run("stit", "fit", "--stit-root", str(world["root"]), "--run-name", "demo", "--straightness", "0", *FAST)
    assert res.exit_code == 0, res.output
    model = world["root"] / "checkpoints" / "model_demo.dynode"
    from dynode_plugin import load_dynamics

    assert model.is_file() and load_dynamics(model).config.straightness == 0.0  # the option reached the fit
    res = run("stit", "fit", "--stit-root", str(world["root"]), "--run-name", "demo", *FAST)
    assert res.exit_code == 2 and "already exists; pass --force" in res.output
    report = tmp_path / "r.json"
    res = run("stit", "edit", "--stit-root", str(world["root"]), "-q", "--report-json", str(report), "--",
              "edit_video_stitching_tuning.py", *STIT_ARGS)
    assert res.exit_code == 0, res.output
    assert json.loads(report.read_text())["edit"]["fitted"] is False
    assert (world["root"] / "out" / "optimized_edits" / "age" / "2.0" / "out.mp4").is_file()


def test_per_frame_runs_stit_unchanged(world, tmp_path):
    report = tmp_path / "r.json"
    res = run("stit", "edit", "--stit-root", str(world["root"]), "--per-frame", "--report-json", str(report), "--", *STIT_ARGS)
    assert res.exit_code == 0, res.output
    rep = json.loads(report.read_text())
    assert rep["edit"]["method"] == "per-frame" and not list((world["root"] / "checkpoints").glob("*.dynode"))


def test_paths_relative_to_the_callers_directory(world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("input_frames", str(world["frames"])) for a in STIT_ARGS]
    args[args.index("out")] = "elsewhere"
    res = run("stit", "edit", "--stit-root", str(world["root"]), *FAST, "--", *args)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "elsewhere" / "age" / "2.0" / "out.mp4").is_file()


@pytest.mark.parametrize("case, message", [
    ("not-stit", "does not look like a STIT checkout: missing edit_video.py"),
    ("no-run", "no STIT checkpoint"),
    ("unknown-edit", "unknown edit 'agee'; STIT's InterFaceGAN directions"),
    ("no-edit", "give -en/--edit_name"),
    ("no-run-name", "needs -r/--run_name"),
    ("bad-script", "unknown STIT script 'train.py'"),
])
def test_edit_bad_input(world, tmp_path, case, message):
    root, args = str(world["root"]), list(STIT_ARGS)
    if case == "not-stit":
        root = str(tmp_path)
    elif case == "no-run":
        args[args.index("demo")] = "nope"
    elif case == "unknown-edit":
        args[args.index("age")] = "agee"
    elif case == "no-edit":
        args = args[:6]
    elif case == "no-run-name":
        args = args[:4] + args[6:]
    elif case == "bad-script":
        args = ["train.py", *args]
    res = run("stit", "edit", "--stit-root", root, *FAST, "--", *args)
    assert res.exit_code == 2 and message in res.output, res.output
    if case == "no-run":
        assert "runs in" in res.output and "demo" in res.output
    if case == "unknown-edit":
        assert "age, pose, smile" in res.output


def test_fit_refuses_pivots_of_the_wrong_shape(world, tmp_path):
    bad = tmp_path / "model_bad.pt"
    torch.save({"generator": None, "pivots": torch.zeros(5, 512), "quads": []}, bad)
    res = run("stit", "fit", "--checkpoint", str(bad), *FAST)
    assert res.exit_code == 2 and str(bad) in res.output and "[5, 512]" in res.output and "[N, 18, 512]" in res.output
    torch.save({"something": 1}, bad)
    res = run("stit", "fit", "--checkpoint", str(bad), *FAST)
    assert res.exit_code == 2 and "is not a STIT run checkpoint" in res.output
    bad.write_bytes(b"not a checkpoint")
    res = run("stit", "fit", "--checkpoint", str(bad), *FAST)
    assert res.exit_code == 2 and "cannot read STIT checkpoint" in res.output


def test_host_failure_is_one_line_with_a_hint(world):
    res = run("stit", "edit", "--stit-root", str(world["root"]), "--no-compat", *FAST, "--", *STIT_ARGS)
    assert res.exit_code == 1 and "STIT's edit_video.py failed" in res.output and "compat fix" in res.output


def test_install_and_uninstall_hook(tmp_path):
    from dynode_adapters.stit.hook_file import PTH_LINE, PTH_NAME

    res = run("stit", "install-hook", "--site-dir", str(tmp_path))
    assert res.exit_code == 0 and (tmp_path / PTH_NAME).read_text() == PTH_LINE and "DYNODE_STIT_HOOK=0" in res.output
    assert PTH_LINE.startswith("import ")  # site only executes .pth lines that start with `import`
    res = run("stit", "uninstall-hook", "--site-dir", str(tmp_path))
    assert res.exit_code == 0 and not (tmp_path / PTH_NAME).exists()


def test_mode_is_only_an_edit_option(world):
    """`--mode` picks how an edit is carried; train/fit write no edit, so they do not offer it."""
    import re

    has_mode = lambda command: re.search(r"--mode\b", run("stit", command, "--help").output) is not None  # noqa: E731
    assert has_mode("edit") and not has_mode("train")  # train passes unknown options on to STIT's train.py
    res = run("stit", "fit", "--stit-root", str(world["root"]), "--mode", "flow")
    assert res.exit_code == 2 and "No such option '--mode'" in res.output
