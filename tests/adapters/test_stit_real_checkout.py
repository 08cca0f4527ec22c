"""Opt-in: STIT's real edit_video.py (its `_main`) on the CPU through `dynode stit edit`.

Runs only when DYNODE_STIT_ROOT points at a STIT checkout (github.com/rotemtzaban/STIT)
and STIT's requirements are importable (torchvision beside torch==2.14.1, opencv, scipy,
scikit-image). The networks are STIT's own classes (StyleGAN2-ADA Generator at 1024 px with
few channels, BiSeNet), randomly initialised: nothing is downloaded (see
``stit_builders.offline_stand_ins`` for the two things STIT would otherwise fetch or import).
"""
import json
import os
import sys
from pathlib import Path

import pytest

ROOT_ENV = "DYNODE_STIT_ROOT"
pytestmark = pytest.mark.skipif(not os.environ.get(ROOT_ENV), reason=f"set {ROOT_ENV} to a STIT checkout to run")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "stit"))

SMALL_GENERATOR = dict(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3, mapping_kwargs={"num_layers": 2},
                       synthesis_kwargs={"channel_base": 1024, "channel_max": 16, "num_fp16_res": 4, "conv_clamp": 256})


def test_real_edit_video_runs_with_dynode_on_cpu(tmp_path):
    for requirement in ("torchvision", "cv2", "skimage", "scipy"):
        pytest.importorskip(requirement)
    from click.testing import CliRunner

    import stit_builders as B
    from dynode_plugin.cli import build_cli

    root = B.copy_checkout(tmp_path / "STIT", source=Path(os.environ[ROOT_ENV]))
    report = tmp_path / "report.json"
    with B.offline_stand_ins():
        run = B.make_run(root, run="real", n_frames=3, generator_kwargs=SMALL_GENERATOR)
        res = CliRunner().invoke(build_cli(), ["stit", "edit", "--stit-root", str(root), "--steps", "30", "-q", "--report-json", str(report),
                                               "--", "edit_video.py", "-i", str(run["frames"]), "-o", str(tmp_path / "out"), "-r", "real",
                                               "-en", "age", "-er", "-2", "2", "2"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rep = json.loads(report.read_text())
    assert rep["edit"]["method"] == "dynode" and rep["edit"]["fitted"] is True and rep["edit"]["edits"] == 2
    assert "cpu" in rep["compat"] and "fp32_blocks" in rep["compat"]
    assert (tmp_path / "out" / "age" / "2.0" / "out.mp4").stat().st_size > 0
    assert (root / "checkpoints" / "model_real.dynode").is_file()


@pytest.mark.slow
def test_real_train_fills_frames_without_a_face_and_edit_video_reads_the_run(tmp_path):
    """Issue 14, target 3, in the real STIT: frames 5-7 of a real face video carry no face (dlib's
    own detector and 68-point predictor, STIT's --use_dlib default, fail there). `dynode stit train
    --every 3` inverts frames 0, 3 and 9 with the checkout's e4e + PTI (random weights), lists 5-7 as
    failed and filled, writes N pivots and N quads; STIT's edit_video.py then edits all 10 frames."""
    for requirement in ("torchvision", "cv2", "skimage", "scipy", "dlib", "lpips", "face_recognition_models", "imageio"):
        pytest.importorskip(requirement)
    from click.testing import CliRunner

    import stit_builders as B
    import torch
    import torchvision
    from conftest import shared_file
    from dynode_plugin.cli import build_cli

    video = shared_file("aamir_khan_clip.mp4")
    root = B.copy_checkout(tmp_path / "STIT", source=Path(os.environ[ROOT_ENV]))
    frames = B.write_video_frames(tmp_path / "frames", video, 10, no_face=[5, 6, 7])
    alexnet = torchvision.models.alexnet
    report = tmp_path / "train.json"
    with B.offline_stand_ins(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(torchvision.models, "alexnet", lambda pretrained=True, **kw: alexnet(weights=None))  # LPIPS: no download
        B.make_real_train_models(root, generator_kwargs=SMALL_GENERATOR, face_parser=True)
        cli = build_cli()
        res = CliRunner().invoke(cli, ["stit", "train", "--stit-root", str(root), "--every", "3", "--steps", "30", "-q",
                                       "--report-json", str(report), "--", "train.py", "-i", str(frames), "-o",
                                       str(tmp_path / "train_out"), "-r", "real", "--num_pti_steps", "1"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        rep = json.loads(report.read_text())
        sel = rep["selection"]
        assert sel["detection_failed"] == [5, 6, 7] and sel["inverted"] == [0, 3, 9]
        assert sel["filled"] == [1, 2, 4, 5, 6, 7, 8]
        assert "detection failed on frame(s) 5-7" in res.output, res.output
        from dynode_adapters.stit.checkpoint import _pickle  # STIT's classes as inert stand-ins

        ckpt = torch.load(root / "checkpoints" / "model_real.pt", map_location="cpu", pickle_module=_pickle, weights_only=False)
        assert ckpt["pivots"].shape == (10, 18, 512) and torch.isfinite(ckpt["pivots"]).all()
        quads = list(ckpt["quads"])
        assert len(quads) == 10 and all(q.shape == (4, 2) and not B.np.isnan(q).any() for q in quads)
        centre, side = [q.mean(0) for q in quads], B.np.hypot(*(quads[4][3] - quads[4][0]))
        for i in (5, 6, 7):  # the filled crops lie between their detected neighbours (STIT smooths them all after)
            lo, hi = B.np.minimum(centre[4], centre[8]), B.np.maximum(centre[4], centre[8])
            assert ((centre[i] >= lo - 0.05 * side) & (centre[i] <= hi + 0.05 * side)).all(), (i, centre[i], lo, hi)
        saved = root / "checkpoints" / "model_real.dynode"  # the model that filled the pivots, for the edit hook
        assert rep["model_file"] == str(saved) and saved.is_file()
        edit_report = tmp_path / "edit.json"
        res = CliRunner().invoke(cli, ["stit", "edit", "--stit-root", str(root), "--steps", "30", "-q", "--report-json", str(edit_report),
                                       "--", "edit_video.py", "-i", str(frames), "-o", str(tmp_path / "edits"), "-r", "real", "-en", "age",
                                       "-er", "2", "2", "1", "--output_frames"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    edit = json.loads(edit_report.read_text())["edit"]
    assert edit["fitted"] is False and Path(edit["model_file"]) == saved.resolve()  # reused, not fitted again
    from dynode_plugin.video import read_frames

    assert len(read_frames(tmp_path / "edits" / "age" / "2.0" / "out.mp4")[0]) == 10
    assert len(list((tmp_path / "edits" / "frames").glob("**/edit_*.jpeg"))) == 10  # --output_frames: every frame edited
