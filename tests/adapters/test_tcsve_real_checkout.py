"""Opt-in: the adapter against a REAL VideoEditGAN checkout (set DYNODE_TCSVE_ROOT).

Networks are the checkout's own architectures, randomly initialised (no weights are
downloaded): the StyleCLIP LevelsMapper built by its StyleCLIPMapper, and a StyleGAN2-ADA
generator from its STIT/training/networks.py pickled like PTI's model_multi_id.pt.
"""
import os
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "tcsve"))
import tcsve_builders as B  # noqa: E402

from dynode_plugin.cli import build_cli  # noqa: E402

pytestmark = pytest.mark.host
ROOT = os.environ.get("DYNODE_TCSVE_ROOT")
if not ROOT or not Path(ROOT).is_dir():
    pytest.skip("set DYNODE_TCSVE_ROOT to a VideoEditGAN checkout to run these tests", allow_module_level=True)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tcsve_real")
    mapper = B.make_mapper_checkpoint(ROOT, tmp / "pretrained" / "eyeglasses.pt", seed=1)
    g = torch.Generator().manual_seed(0)
    z = torch.cumsum(0.3 * torch.randn(7, 18, 512, generator=g), 0) + torch.randn(18, 512, generator=g)
    inv = tmp / "inverted"
    B.write_run(inv, "clip", z)
    return dict(tmp=tmp, mapper=mapper, z=z, inv=inv)


def _run(world, out, *extra):
    args = ["tcsve", "edit", "--tcsve-root", ROOT, "--run", "clip", "--inverted-root", str(world["inv"]),
            "--mapper", str(world["mapper"]), "--out", str(out), "-q", *extra]
    return CliRunner().invoke(build_cli(), args, catch_exceptions=False)


def test_real_mapper_on_cpu_matches_the_mapper_maths(world):
    out = world["tmp"] / "pf" / "StyleCLIP" / "eyeglasses" / "latents.pth"
    res = _run(world, out, "--per-frame")
    assert res.exit_code == 0, res.output
    state = torch.load(world["mapper"], map_location="cpu", weights_only=True)["state_dict"]
    expected = world["z"] + 0.15 * B.reference_mapper_delta(state, world["z"])
    got = torch.load(out)
    assert got.dtype == torch.float32 and got.shape == (7, 18, 512)
    assert torch.allclose(got, expected, atol=1e-4)
    assert torch.equal(got[:, 8:], world["z"][:, 8:])  # eyeglasses: no fine mapper (meta_data of the checkout)


def test_real_checkout_dynode_mode(world):
    out = world["tmp"] / "dn" / "latents.pth"
    res = _run(world, out, "--steps", "60")
    assert res.exit_code == 0, res.output
    state = torch.load(world["mapper"], map_location="cpu", weights_only=True)["state_dict"]
    first = world["z"][:1] + 0.15 * B.reference_mapper_delta(state, world["z"][:1])
    got = torch.load(out)
    assert got.shape == (7, 18, 512) and torch.allclose(got[0], first[0], atol=1e-4)
    assert not [k for k in sys.modules if k.split(".")[0] in ("models", "configs", "torch_utils")]


@pytest.mark.slow
def test_real_generator_reloads_and_renders_per_frame(world):
    if not (Path(ROOT) / "STIT" / "training" / "networks.py").is_file():
        pytest.skip("the checkout has no STIT/training/networks.py to build a generator from")
    B.make_stylegan2_ada_generator(ROOT, world["inv"] / "model_multi_id.pt")
    aligned = B.write_aligned(world["tmp"] / "aligned", B.frame_names(2))
    out = world["tmp"] / "render" / "latents.pth"
    res = _run(world, out, "--per-frame", "--render", "--aligned-frames", str(aligned))
    assert res.exit_code == 0, res.output
    from PIL import Image

    im = Image.open(out.parent / "frames" / "frame0001.png")
    assert im.size == (1024, 1024)


SMALL_GENERATOR = dict(z_dim=512, c_dim=0, w_dim=512, img_resolution=1024, img_channels=3, mapping_kwargs={"num_layers": 2},
                       synthesis_kwargs={"channel_base": 1024, "channel_max": 16, "num_fp16_res": 4, "conv_clamp": 256})


@pytest.mark.slow
def test_real_pti_inversion_on_the_selected_frames_only(tmp_path, monkeypatch):
    """`dynode tcsve invert --every 2` through the checkout's own run_PTI (e4e IR-SE50 + 1024 px
    decoder, LPIPS, the locality regulariser) on the CPU, random weights; LPIPS's AlexNet built
    without its ImageNet weights (no download)."""
    for requirement in ("torchvision", "lpips", "matplotlib"):
        pytest.importorskip(requirement)
    if not (Path(ROOT) / "PTI" / "scripts" / "run_pti_multi.py").is_file():
        pytest.skip("the checkout has no PTI/scripts/run_pti_multi.py")
    import lpips.pretrained_networks as nets
    import torchvision

    alexnet = torchvision.models.alexnet
    monkeypatch.setattr(nets.tv, "alexnet", lambda pretrained=True, **kw: alexnet(weights=None))
    root = B.copy_checkout(tmp_path / "VideoEditGAN", source=Path(ROOT))  # pretrained models go into a copy
    B.make_real_inversion_models(root, generator_kwargs=SMALL_GENERATOR)
    aligned = B.write_aligned_video(tmp_path / "aligned", 5, size=1024, missing=[2])
    report = tmp_path / "report.json"
    res = CliRunner().invoke(build_cli(), ["tcsve", "invert", "--tcsve-root", str(root), "--aligned-frames", str(aligned),
                                           "--run", "clip", "--inverted-root", str(tmp_path / "inv"), "--pti-steps", "1",
                                           "--every", "2", "--steps", "30", "-q", "--report-json", str(report)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    import json

    rep = json.loads(report.read_text())
    assert rep["selection"]["inverted"] == [0, 4] and rep["selection"]["detection_failed"] == [2]
    folder = tmp_path / "inv" / "embeddings" / "clip" / "PTI"
    assert sorted(p.name for p in folder.iterdir()) == B.frame_names(5)
    for name in B.frame_names(5):
        z = torch.load(folder / name / "0.pt", map_location="cpu", weights_only=True)
        assert z.shape == (1, 18, 512) and torch.isfinite(z).all()
    assert sorted(p.stem for p in (tmp_path / "inv" / "PTI_visuals" / "clip").iterdir()) == ["frame0000", "frame0004"]
    assert (tmp_path / "inv" / "model_multi_id.pt").stat().st_size > 0
