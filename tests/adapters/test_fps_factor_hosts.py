"""--fps-factor F in the Latent Transformer, TCSVE and STIT hosts (fakes): (N - 1) * F + 1 output
frames from the same trajectory, the video's own frames at every F-th one."""
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

FAKES = Path(__file__).resolve().parents[1] / "fakes"
for host in ("latent_transformer", "tcsve", "stit"):
    sys.path.insert(0, str(FAKES / host))
import lt_builders  # noqa: E402
import stit_builders  # noqa: E402
import tcsve_builders  # noqa: E402

from adapter_helpers import curved_trajectory  # noqa: E402
from dynode_plugin.cli import build_cli  # noqa: E402

N = 6
FAST = ["--steps", "25", "-q"]


def run(*args):
    return CliRunner().invoke(build_cli(), [str(a) for a in args], catch_exceptions=False)


def test_lt_renders_f_times_the_frames_fine_layers_from_the_trajectory(tmp_path):
    root = lt_builders.make_fake_checkout(tmp_path / "latent-transformer")
    z = curved_trajectory(N)
    latents = lt_builders.write_latents_dir(tmp_path / "vid_crop_align_latent", z)
    base = ["lt", "manipulate", "--lt-root", root, "--latents-dir", latents, "--attr", "Smiling", *FAST]
    assert run(*base, "--out", tmp_path / "f1", "--latents-out", tmp_path / "f1.npy").exit_code == 0
    res = run(*base, "--out", tmp_path / "f2", "--latents-out", tmp_path / "f2.npy", "--fps-factor", "2")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "f2").iterdir()) == ["frame%04d.jpg" % k for k in range(2 * N - 1)]
    f1, f2 = (torch.from_numpy(np.load(tmp_path / f"{n}.npy")) for n in ("f1", "f2"))
    assert f2.shape == (2 * N - 1, 18, 512)
    assert torch.allclose(f2[::2], f1, atol=1e-5)  # the video's frames: the same edit as at 1x
    assert torch.equal(f2[::2, 11:], z[:, 11:])  # their fine layers: each frame's own code
    mid = f2[1::2, 11:]  # in between: the fitted trajectory, not a copy of either neighbour
    assert torch.isfinite(mid).all() and not torch.equal(mid, z[:-1, 11:]) and not torch.equal(mid, z[1:, 11:])
    assert (mid - (z[:-1, 11:] + z[1:, 11:]) / 2).abs().mean() < 0.25 * (z[1:, 11:] - z[:-1, 11:]).abs().mean()


def test_tcsve_latents_at_f_times_the_frames(tmp_path):
    root = tcsve_builders.copy_checkout(tmp_path / "VideoEditGAN")
    tcsve_builders.make_mapper_checkpoint(root, root / "PTI" / "pretrained_models" / "eyeglasses.pt")
    inv = tmp_path / "inverted"
    tcsve_builders.write_run(inv, "vid", curved_trajectory(N))
    base = ["tcsve", "edit", "--tcsve-root", root, "--run", "vid", "--inverted-root", inv, *FAST]
    assert run(*base, "--out", tmp_path / "f1.pth").exit_code == 0
    res = run(*base, "--out", tmp_path / "f3.pth", "--fps-factor", "3")
    assert res.exit_code == 0, res.output
    f1, f3 = torch.load(tmp_path / "f1.pth"), torch.load(tmp_path / "f3.pth")
    assert f3.shape == (3 * (N - 1) + 1, 18, 512) and f3.dtype == torch.float32
    assert torch.allclose(f3[::3], f1, atol=1e-5)
    res = run(*base, "--out", tmp_path / "pf.pth", "--per-frame", "--fps-factor", "2")
    assert res.exit_code == 2 and "--fps-factor" in res.output and not (tmp_path / "pf.pth").exists()


def test_stit_pivots_and_interpolated_quads_per_output_frame(tmp_path):
    root = stit_builders.copy_checkout(tmp_path / "STIT")
    info = stit_builders.make_run(root, run="vid", n_frames=N)
    out = tmp_path / "edited.pt"
    res = run("edit", "--host", "stit", "--stit-root", root, "--input", info["checkpoint"], "--edit", "age=2", "--out", out,
              "--fps-factor", "2", *FAST)
    assert res.exit_code == 0, res.output
    got = torch.load(out, weights_only=False)
    quads = np.stack(got["quads"])
    original = np.stack(stit_builders.quads_for(N))
    assert got["pivots"].shape == (2 * N - 1, 18, 512) and quads.shape == (2 * N - 1, 4, 2)
    assert np.allclose(quads[::2], original) and np.allclose(quads[1::2], (original[:-1] + original[1:]) / 2)


def test_fps_factor_refused_before_any_work(tmp_path):
    root = tcsve_builders.copy_checkout(tmp_path / "VideoEditGAN")
    res = run("tcsve", "edit", "--tcsve-root", root, "--run", "vid", "--inverted-root", tmp_path / "none", "--out",
              tmp_path / "o.pth", "--fps-factor", "0")
    assert res.exit_code == 2 and "--fps-factor 0" in res.output
