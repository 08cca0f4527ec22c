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
