"""Opt-in: STIT's real edit_video.py (its `_main`) on the CPU through `dynode stit edit`.

Runs only when DYNODE_STIT_ROOT points at a STIT checkout (github.com/rotemtzaban/STIT)
and STIT's requirements are importable (torchvision beside torch==2.14.1, opencv, scipy,
scikit-image). The networks are STIT's own classes (StyleGAN2-ADA Generator at 1024 px with
few channels, BiSeNet), randomly initialised: nothing is downloaded. BiSeNet's constructor
fetches ImageNet ResNet-18 weights from the internet; the test makes that call return an
empty state dict (random init) instead. `dlib` and `face_alignment` are imported by STIT's
utils/alignment.py but used only to find faces, which an edit run does not do: stand-ins
are used when they are not installed.
"""
import json
import os
import pickle
import sys
import types
from pathlib import Path

import pytest
import torch

ROOT_ENV = "DYNODE_STIT_ROOT"
pytestmark = pytest.mark.skipif(not os.environ.get(ROOT_ENV), reason=f"set {ROOT_ENV} to a STIT checkout to run")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "stit"))


@pytest.fixture()
def real_run(tmp_path, monkeypatch):
    pytest.importorskip("torchvision")
    pytest.importorskip("cv2")
    pytest.importorskip("skimage")
    import numpy as np
    import torch.utils.model_zoo
    from PIL import Image

    import stit_builders as B
    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.stit.runner import HOST_PACKAGES

    for name in ("dlib", "face_alignment"):
        try:
            __import__(name)
        except ImportError:
            monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setattr(torch.utils.model_zoo, "load_url", lambda *a, **k: {})  # no ImageNet download
    root = B.copy_checkout(tmp_path / "STIT", source=Path(os.environ[ROOT_ENV]))
    n = 3
    with checkout_on_path(root, HOST_PACKAGES):
        import models.seg_model_2
        from training.networks import Generator

        kw = dict(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3,
                  mapping_kwargs={"num_layers": 2}, synthesis_kwargs={"channel_base": 1024, "channel_max": 16, "num_fp16_res": 4, "conv_clamp": 256})
        torch.manual_seed(0)
        tuned, original = Generator(**kw), Generator(**kw)
        (root / "checkpoints").mkdir(exist_ok=True)
        (root / "pretrained_models").mkdir(exist_ok=True)
        quads = [np.array([[40.0 + i, 40], [40 + i, 216], [216 + i, 216], [216 + i, 40]]) for i in range(n)]
        torch.save({"generator": tuned, "pivots": B.smooth_pivots(n), "quads": quads}, root / "checkpoints" / "model_real.pt")
        with open(root / "pretrained_models" / "ffhq.pkl", "wb") as f:
            pickle.dump({"G_ema": original}, f)
        torch.save(models.seg_model_2.BiSeNet(19).state_dict(), root / "pretrained_models" / "79999_iter.pth")
    frames = tmp_path / "frames"
    frames.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)).save(frames / f"{i:04d}.png")
    return root, frames


def test_real_edit_video_runs_with_dynode_on_cpu(real_run, tmp_path):
    from click.testing import CliRunner

    from dynode_plugin.cli import build_cli

    root, frames = real_run
    report = tmp_path / "report.json"
    res = CliRunner().invoke(build_cli(), ["stit", "edit", "--stit-root", str(root), "--steps", "30", "-q", "--report-json", str(report),
                                           "--", "edit_video.py", "-i", str(frames), "-o", str(tmp_path / "out"), "-r", "real",
                                           "-en", "age", "-er", "-2", "2", "2"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rep = json.loads(report.read_text())
    assert rep["edit"]["method"] == "dynode" and rep["edit"]["fitted"] is True and rep["edit"]["edits"] == 2
    assert "cpu" in rep["compat"] and "fp32_blocks" in rep["compat"]
    assert (tmp_path / "out" / "age" / "2.0" / "out.mp4").stat().st_size > 0
    assert (root / "checkpoints" / "model_real.dynode").is_file()
