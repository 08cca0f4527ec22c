"""Opt-in: the adapter against a REAL Latent Transformer checkout (``DYNODE_LT_ROOT``, a clone of
github.com/InterDigitalInc/latent-transformer with github.com/eladrich/pixel2style2pixel cloned
into ``pixel2style2pixel/``). The networks are the checkout's own architectures (nets.F_mapping,
pSp's 1024 px Generator) with random weights written to a temporary folder: the checkout is
not modified. Runs pSp's generator on the CPU through our ops (~10 s per 1024 px frame)."""
import json
import os
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

REAL = os.environ.get("DYNODE_LT_ROOT")
pytestmark = pytest.mark.skipif(not REAL, reason="set DYNODE_LT_ROOT to a real latent-transformer checkout to run")


def test_real_checkout_end_to_end(tmp_path):
    from dynode_adapters.latent_transformer import layout

    root = Path(REAL)
    weights = tmp_path / "weights"
    B.write_weights(root, (31,), dest=weights)
    g = torch.Generator().manual_seed(1)
    z = torch.randn(1, 18, 512, generator=g) + 0.1 * torch.randn(3, 18, 512, generator=g)
    latents = B.write_latents_dir(tmp_path / "vid_crop_align_latent", z.numpy())
    out, lat, rep = tmp_path / "vid_crop_align_Smiling", tmp_path / "e.pt", tmp_path / "r.json"
    args = ["lt", "manipulate", "--lt-root", str(root), "--latents-dir", str(latents), "--attr", "Smiling",
            "--out", str(out), "--latents-out", str(lat), "--report-json", str(rep), "--log-path", str(weights / "logs"),
            "--stylegan-model-path", str(weights / "psp_ffhq_encode.pt"), "--steps", "10", "-q"]
    res = CliRunner().invoke(build_cli(), args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["frame0000.jpg", "frame0001.jpg", "frame0002.jpg"]
    assert Image.open(out / "frame0000.jpg").size == (1024, 1024)
    state = torch.load(weights / "logs" / "001" / "tnet_31.pth.tar")
    edited = torch.load(lat)
    assert torch.allclose(edited[0], B.reference_edit([state], z[:1], [1.0])[0], atol=1e-3)
    assert torch.equal(edited[:, 11:], z[:, 11:])
    report = json.loads(rep.read_text())
    assert report["render_seconds_per_frame"] > 0
    assert not any(k.split(".")[0] in layout.HOST_PACKAGES for k in sys.modules)
    img = np.asarray(Image.open(out / "frame0001.jpg"), dtype=np.float32)
    assert img.std() > 1  # not a blank frame
