"""Real face embeddings (dlib) and the `dynode metrics` command."""
import json

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.cli import build_cli
from dynode_plugin.video import write_video


@pytest.fixture(scope="module")
def dlib_encoder():
    pytest.importorskip("dlib")
    from dynode_plugin.metrics.enc_dlib import DlibEncoder

    return DlibEncoder()


def astronaut():
    skimage_data = pytest.importorskip("skimage.data")
    return torch.from_numpy(skimage_data.astronaut()).permute(2, 0, 1)[None].float() / 255


def test_same_face_scores_near_one_and_a_blank_frame_has_no_face(dlib_encoder):
    a = astronaut()
    smaller = torch.nn.functional.interpolate(a, scale_factor=0.8, mode="bilinear")
    smaller = torch.nn.functional.pad(smaller, (0, 512 - smaller.shape[3], 0, 512 - smaller.shape[2]))
    e = dlib_encoder.embed(torch.cat([a, smaller, torch.zeros(1, 3, 512, 512)]))
    assert e.found.tolist() == [True, True, False]
    assert float(torch.nn.functional.cosine_similarity(e.vectors[:1], e.vectors[1:2])) > 0.98
    assert len(dlib_encoder.weights_sha256()) == 64


def test_real_frames_same_person_higher_than_another_person(dlib_encoder, shared_data):
    from dynode_plugin.video import read_frames

    frames, _ = read_frames(shared_data / "dynode_example")
    frames = torch.nn.functional.interpolate(frames[:4], size=(256, 256), mode="bilinear")
    other_face = torch.nn.functional.interpolate(astronaut(), size=(256, 256), mode="bilinear")
    e = dlib_encoder.embed(torch.cat([frames, other_face]))
    assert e.found.all()
    v = torch.nn.functional.normalize(e.vectors, dim=1)
    same = float((v[:4] @ v[:4].T)[~torch.eye(4, dtype=torch.bool)].min())
    other = float((v[:4] @ v[4]).max())
    assert same > 0.95 and other < same - 0.05


def test_metrics_command_writes_a_complete_record(dlib_encoder, tmp_path):
    a = torch.nn.functional.interpolate(astronaut(), size=(256, 256), mode="bilinear")
    src = a.repeat(4, 1, 1, 1)
    edt = (src * 0.9 + 0.05)
    write_video(src, tmp_path / "src")
    write_video(edt, tmp_path / "edt")
    r = CliRunner().invoke(build_cli(), ["metrics", "--source", str(tmp_path / "src"), "--edited", str(tmp_path / "edt"),
                                         "--metrics", "tl-id,tg-id,acd,acd-source,mse,ssim", "--json", str(tmp_path / "m.json")])
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "m.json").read_text())
    tl = rec["videos"]["src"]["tl-id"]
    assert tl["encoder"]["id"] == "dlib" and len(tl["encoder"]["weights_sha256"]) == 64
    assert tl["value"] == pytest.approx(1.0, abs=0.02) and tl["pairs_used"] == 3
    assert rec["summary"]["mse"]["value"] > 0


def test_metrics_command_bad_input(tmp_path):
    write_video(torch.rand(3, 3, 32, 32), tmp_path / "a")
    write_video(torch.rand(2, 3, 32, 32), tmp_path / "b")
    run = lambda *args: CliRunner().invoke(build_cli(), ["metrics", *args])  # noqa: E731
    r = run("--source", str(tmp_path / "a"), "--edited", str(tmp_path / "b"), "--metrics", "mse")
    assert r.exit_code == 2 and "source has 3 frames but edited has 2" in r.output
    r = run("--source", str(tmp_path / "a"), "--edited", str(tmp_path / "a"), "--metrics", "psnr")
    assert r.exit_code == 2 and "unknown metric 'psnr'; known:" in r.output
    r = run("--source", str(tmp_path / "a"), "--edited", str(tmp_path / "nope.mp4"), "--metrics", "mse")
    assert r.exit_code == 2 and "not found" in r.output
    r = run("--source-set", str(tmp_path), "--edited-set", str(tmp_path), "--metrics", "fvd", "--i3d-weights", str(tmp_path / "x.pt"))
    assert r.exit_code == 2 and "i3d_torchscript.pt" in r.output and "DYNODE_I3D_WEIGHTS" in r.output
