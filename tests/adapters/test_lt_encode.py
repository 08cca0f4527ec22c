"""`dynode lt encode` against the fake Latent Transformer checkout: pSp on 1 frame in K, a
latent_code_%05d.npy for every frame, frames without an aligned face filled and listed."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "latent_transformer"))
import lt_builders as B  # noqa: E402

from dynode_plugin.cli import build_cli  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lt_encode")
    root = B.make_fake_checkout(tmp / "latent-transformer")
    aligned = tmp / "vid_crop_align"
    aligned.mkdir()
    yy, xx = np.mgrid[0:64, 0:64]
    for i in range(12):
        if i in (5, 6, 7):
            continue  # LT's align_frames found no face on these frames: no aligned file
        img = np.stack([(xx * 4 + 9 * i) % 256, yy * 4 % 256, np.full_like(xx, 20 * i)], -1).astype(np.uint8)
        Image.fromarray(img).save(aligned / f"frame{i:04d}.jpg")
    return dict(root=root, aligned=aligned, tmp=tmp)


def run(world, *args):
    return CliRunner().invoke(build_cli(), ["lt", "encode", "--lt-root", str(world["root"]), "--aligned-dir",
                                            str(world["aligned"]), *args], catch_exceptions=False)


def test_encode_every_k_writes_a_code_for_every_frame(world, tmp_path):
    out, rep = tmp_path / "vid_crop_align_latent", tmp_path / "r.json"
    res = run(world, "--out", str(out), "--every", "4", "--model", "linear", "-q", "--report-json", str(rep))
    assert res.exit_code == 0, res.output
    assert "inverted 4 of 12 frames; detection failed on frame(s) 5-7" in res.output
    assert sorted(p.name for p in out.iterdir()) == ["latent_code_%05d.npy" % i for i in range(12)]
    codes = torch.from_numpy(np.concatenate([np.load(out / ("latent_code_%05d.npy" % i)) for i in range(12)]))
    assert codes.shape == (12, 18, 512) and codes.dtype == torch.float32
    report = json.loads(rep.read_text())
    assert report["selection"]["inverted"] == [0, 4, 8, 11] and report["selection"]["detection_failed"] == [5, 6, 7]
    # the inverted frames hold pSp's codes: the same as encoding all frames
    dense = tmp_path / "dense"
    res = run(world, "--out", str(dense), "--model", "linear", "-q")  # every frame with a face
    assert res.exit_code == 0, res.output
    ref = torch.from_numpy(np.load(dense / "latent_code_00004.npy"))[0]
    assert torch.allclose(codes[4], ref, atol=1e-5) and torch.allclose(codes[11], torch.from_numpy(np.load(dense / "latent_code_00011.npy"))[0], atol=1e-5)
    # the others come from the linear model at the true frame times
    assert torch.allclose(codes[2], (codes[0] + codes[4]) / 2, atol=1e-5)
    assert torch.allclose(codes[6], (codes[4] + codes[8]) / 2, atol=1e-5)
    # and `dynode lt manipulate` reads the folder as LT's own
    edited = tmp_path / "edited"
    res = CliRunner().invoke(build_cli(), ["lt", "manipulate", "--lt-root", str(world["root"]), "--latents-dir", str(out),
                                           "--attr", "Smiling", "--out", str(edited), "--steps", "20", "-q"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert len(list(edited.iterdir())) == 12


def test_encode_bad_input_writes_nothing(world, tmp_path):
    out = tmp_path / "codes"
    for args, message in [(["--every", "13"], "larger than the clip (12 frames)"), (["--frames", "5,6"], "only 0 frame(s) left"),
                          (["--every", "0"], "K must be at least 1"), (["--frames", "0,12"], "lists frame 12")]:
        res = run(world, "--out", str(out), *args, "-q")
        assert res.exit_code == 2 and message in res.output, (args, res.output)
        assert not out.exists()
