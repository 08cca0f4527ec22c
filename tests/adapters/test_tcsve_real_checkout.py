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
