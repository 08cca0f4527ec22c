"""`dynode tcsve invert` against the fake VideoEditGAN: e4e + multi-frame PTI on 1 frame in K,
a 0.pt for every frame, the generator tuned on the selected frames only."""
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "tcsve"))
import tcsve_builders as B  # noqa: E402

from dynode_adapters.tcsve.mapper import load_generator  # noqa: E402
from dynode_plugin.cli import build_cli  # noqa: E402

N = 10


@pytest.fixture()
def world(tmp_path):
    root = B.copy_checkout(tmp_path / "VideoEditGAN")
    B.make_inversion_models(root)
    aligned = B.write_aligned_video(tmp_path / "aligned", N, missing=[5, 6])
    return {"root": root, "aligned": aligned, "inv": tmp_path / "inverted", "tmp": tmp_path}


def invert(world, *extra, inv=None):
    args = ["tcsve", "invert", "--tcsve-root", str(world["root"]), "--aligned-frames", str(world["aligned"]), "--run", "clip",
            "--inverted-root", str(inv or world["inv"]), "--pti-steps", "3", "--model", "linear", "-q", *extra]
    return CliRunner().invoke(build_cli(), args, catch_exceptions=False)


def read_pivot(path):
    z = torch.load(path, map_location="cpu", weights_only=True)
    assert z.dtype == torch.float32 and z.shape == (1, 18, 512)
    return z[0]


def test_invert_every_k_writes_every_frame_and_tunes_on_the_selected_only(world):
    report = world["tmp"] / "report.json"
    res = invert(world, "--every", "4", "--report-json", str(report))
    assert res.exit_code == 0, res.output
    assert "inverted 4 of 10 frames; detection failed on frame(s) 5-6; filled by the model: 1-3, 5-7" in res.output
    rep = json.loads(report.read_text())
    assert rep["selection"]["inverted"] == [0, 4, 8, 9] and rep["selection"]["detection_failed"] == [5, 6]
    assert rep["filled_names"] == ["frame0001", "frame0002", "frame0003", "frame0005", "frame0006", "frame0007"]
    folder = world["inv"] / "embeddings" / "clip" / "PTI"
    assert sorted(p.name for p in folder.iterdir()) == B.frame_names(N)
    z = torch.stack([read_pivot(folder / n / "0.pt") for n in B.frame_names(N)])
    # the linear model fills between the inverted pivots at the true frame numbers
    assert torch.allclose(z[2], (z[0] + z[4]) / 2, atol=1e-5)
    assert torch.allclose(z[6], (z[4] + z[8]) / 2, atol=1e-5)
    assert not torch.allclose(z[0], z[4])
    # e4e and PTI saw exactly the selected frames: PTI's previews, and the generator equals the one
    # the host's own run_PTI tunes on a folder holding only those four frames
    assert sorted(p.stem for p in (world["inv"] / "PTI_visuals" / "clip").iterdir()) == ["frame0000", "frame0004", "frame0008", "frame0009"]
    only = world["tmp"] / "only_selected"
    only.mkdir()
    for name in ("frame0000", "frame0004", "frame0008", "frame0009"):
        shutil.copy(world["aligned"] / f"{name}.png", only)
    B.run_host_inversion(world["root"], only, world["tmp"] / "ref", "clip", pti_steps=3)
    tuned = load_generator(world["root"], world["inv"] / "model_multi_id.pt")
    reference = load_generator(world["root"], world["tmp"] / "ref" / "model_multi_id.pt")
    for a, b in zip(tuned.parameters(), reference.parameters()):
        assert torch.equal(a, b)
    for name in ("frame0000", "frame0004", "frame0008", "frame0009"):  # the observed pivots are e4e's, untouched
        ref = world["tmp"] / "ref" / "embeddings" / "clip" / "PTI" / name / "0.pt"
        assert torch.equal(read_pivot(folder / name / "0.pt"), read_pivot(ref))
    # the process is left as it was: working directory, host modules, CUDA variables
    assert Path.cwd() != world["root"] / "PTI" and "wandb" not in sys.modules
    assert not [k for k in sys.modules if k.split(".")[0] in ("configs", "training", "models")]
    assert "CUDA_VISIBLE_DEVICES" not in os.environ or os.environ["CUDA_VISIBLE_DEVICES"] != "0"


def test_tuned_generator_differs_from_a_run_on_every_frame(world):
    assert invert(world, "--every", "4").exit_code == 0
    assert invert(world, inv=world["tmp"] / "dense").exit_code == 0  # K=1: every aligned frame, gaps filled
    sparse = load_generator(world["root"], world["inv"] / "model_multi_id.pt")
    dense = load_generator(world["root"], world["tmp"] / "dense" / "model_multi_id.pt")
    assert not all(torch.equal(a, b) for a, b in zip(sparse.parameters(), dense.parameters()))
    assert len(list((world["tmp"] / "dense" / "PTI_visuals" / "clip").iterdir())) == N - 2


def test_the_edit_step_reads_the_complete_run(world):
    assert invert(world, "--every", "3").exit_code == 0
    mapper = B.make_mapper_checkpoint(world["root"], world["root"] / "PTI" / "pretrained_models" / "eyeglasses.pt")
    out = world["tmp"] / "edit" / "StyleCLIP" / "eyeglasses" / "latents.pth"
    res = CliRunner().invoke(build_cli(), ["tcsve", "edit", "--tcsve-root", str(world["root"]), "--run", "clip", "--inverted-root",
                                           str(world["inv"]), "--mapper", str(mapper), "--out", str(out), "--model", "linear", "-q"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert torch.load(out).shape == (N, 18, 512)


@pytest.mark.parametrize("args, message", [
    (["--every", "0"], "K must be at least 1"),
    (["--every", "11"], "larger than the clip (10 frames)"),
    (["--frames", "0,12"], "the clip has 10 frames"),
    (["--frames", "5,6"], "only 0 frame(s) left to invert"),
    (["--frames", "4,2"], "not increasing"),
])
def test_bad_selection_is_refused_before_any_work(world, args, message):
    res = invert(world, *args)
    assert res.exit_code == 2 and message in res.output
    assert not world["inv"].exists()


def test_an_earlier_inversion_is_kept_without_force(world):
    assert invert(world, "--every", "4").exit_code == 0
    before = (world["inv"] / "model_multi_id.pt").read_bytes()
    res = invert(world, "--every", "2")
    assert res.exit_code == 2 and "already exists" in res.output and "--force" in res.output
    assert (world["inv"] / "model_multi_id.pt").read_bytes() == before
    assert invert(world, "--every", "2", "--force").exit_code == 0
