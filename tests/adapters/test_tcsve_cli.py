"""`dynode tcsve edit` against the fake VideoEditGAN checkout: output format, per-frame vs DynODE, bad input."""
import json
import sys
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "tcsve"))
import tcsve_builders as B  # noqa: E402

from adapter_helpers import curved_trajectory  # noqa: E402
from dynode_plugin.cli import build_cli  # noqa: E402

N = 9
FAST = ["--steps", "60", "-q"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tcsve")
    root = B.copy_checkout(tmp / "VideoEditGAN")
    B.make_mapper_checkpoint(root, root / "PTI" / "pretrained_models" / "eyeglasses.pt")
    inv = root / "out" / "vid" / "inverted"  # the README's layout, found without --inverted-root
    B.make_generator(root, inv / "model_multi_id.pt")
    z = curved_trajectory(N)
    B.write_run(inv, "vid", z)
    aligned = B.write_aligned(root / "out" / "vid" / "aligned", B.frame_names(N))
    original = B.run_original_step(root, inv, "vid", aligned, tmp / "original")
    return dict(root=root, inv=inv, z=z, aligned=aligned, original=original, tmp=tmp)


def _run(world, out, *extra):
    args = ["tcsve", "edit", "--tcsve-root", str(world["root"]), "--run", "vid", "--out", str(out), *extra]
    return CliRunner().invoke(build_cli(), args, catch_exceptions=False)


def _out(world, name):
    return world["tmp"] / name / "StyleCLIP" / "eyeglasses" / "latents.pth"


def test_per_frame_reproduces_the_original_step_exactly(world):
    out = _out(world, "perframe")
    res = _run(world, out, "--per-frame", "--render", "-q")
    assert res.exit_code == 0, res.output
    ours, theirs = torch.load(out), torch.load(world["original"])
    assert torch.equal(ours, theirs)
    # --render wrote the same preview frames as the host's step
    from PIL import Image
    import numpy as np
    for name in ("frame0000", "frame0008"):
        a = np.asarray(Image.open(out.parent / "frames" / f"{name}.png"))
        b = np.asarray(Image.open(world["original"].parent / "frames" / f"{name}.png"))
        assert a.shape == (16, 16, 3) and np.array_equal(a, b)


def test_dynode_output_is_what_the_next_steps_read(world):
    out = _out(world, "dynode")
    report = world["tmp"] / "report.json"
    res = _run(world, out, *FAST, "--report-json", str(report))
    assert res.exit_code == 0, res.output
    saved = torch.load(out)  # temp_consist.py: bare torch.load, no map_location
    assert type(saved) is torch.Tensor and saved.device.type == "cpu" and saved.dtype == torch.float32
    assert saved.shape == (N, 18, 512) and saved.is_contiguous()
    assert saved.untyped_storage().nbytes() == N * 18 * 512 * 4  # no hidden extra storage
    original = torch.load(world["original"])
    assert saved.shape == original.shape and saved.dtype == original.dtype
    # what the fake next steps get out of it
    import importlib.util
    for rel, fn in (("scripts/temp_consist.py", "load_edit_latents"), ("STIT/video_stitching_tuning_ours.py", "read_latent_codes")):
        spec = importlib.util.spec_from_file_location(f"tcsve_fake_{fn}", world["root"] / rel)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if fn == "load_edit_latents":
            anchor, rest, ori = mod.load_edit_latents(str(out.parents[2]), "eyeglasses")
            k = mod.anchor_index(N)
            assert torch.equal(anchor[0], saved[k]) and torch.equal(ori, saved) and len(rest) == N - 1
        else:
            rows = mod.read_latent_codes(str(out))
            assert len(rows) == N and all(torch.equal(r, s) for r, s in zip(rows, saved))
    info = json.loads(report.read_text())
    assert info["method"] == "dynode" and info["shape"] == [N, 18, 512] and info["strength"] == 0.15


def test_dynode_edits_frame_zero_like_the_mapper_and_keeps_the_edit_steady(world):
    out = _out(world, "steady")
    assert _run(world, out, *FAST).exit_code == 0
    ours, per_frame, z = torch.load(out), torch.load(world["original"]), world["z"]
    assert torch.allclose(ours[0], per_frame[0], atol=1e-4)  # frame 0: exactly the mapper's edit
    from dynode_plugin.consistency import delta_consistency
    mine, theirs = delta_consistency(z, ours), delta_consistency(z, per_frame)
    assert abs(mine["delta_norm"] - theirs["delta_norm"]) / theirs["delta_norm"] < 0.2  # same size of edit
    assert theirs["delta_step_rel"] > 0.01  # the mapper's edit changes from frame to frame...
    assert mine["delta_step_rel"] < 1e-3  # ...the propagated one does not
    # and the video's own motion is kept: edited frames follow the source trajectory
    assert torch.allclose(ours - ours[0], z - z[0], atol=1e-2)


def test_existing_output_is_refused_unless_force(world):
    out = _out(world, "exists")
    out.parent.mkdir(parents=True)
    out.write_bytes(b"keep me")
    res = _run(world, out, "--model", "linear", "-q")
    assert res.exit_code == 2 and "already exists" in res.output and "--force" in res.output
    assert out.read_bytes() == b"keep me"
    res = _run(world, out, "--model", "linear", "-q", "--force")
    assert res.exit_code == 0, res.output
    assert torch.load(out).shape == (N, 18, 512)


def test_a_failed_write_leaves_the_old_file_and_no_debris(world, monkeypatch):
    out = _out(world, "crash")
    out.parent.mkdir(parents=True)
    out.write_bytes(b"old")

    def half_write(obj, f, *a, **k):
        Path(f).write_bytes(b"half")
        raise OSError("disk full")

    import dynode_adapters.tcsve.editing as editing
    monkeypatch.setattr(editing.torch, "save", half_write)
    with pytest.raises(OSError, match="disk full"):
        _run(world, out, "--model", "linear", "-q", "--force")
    assert out.read_bytes() == b"old" and sorted(p.name for p in out.parent.iterdir()) == ["latents.pth"]


def test_missing_mapper_names_every_place_searched(world):
    out = _out(world, "nomapper")
    res = _run(world, out, "--edit", "beard", "-q")
    assert res.exit_code == 2
    assert "beard.pt" in res.output and "PTI/pretrained_models/beard.pt" in res.output and "pretrained_models/beard.pt" in res.output
    res = _run(world, out, "--mapper", str(world["tmp"] / "missing.pt"), "-q")
    assert res.exit_code == 2 and "missing.pt" in res.output
    assert not out.exists()


def test_a_file_that_is_not_a_mapper_is_a_clear_error(world):
    bad = world["tmp"] / "not_a_mapper.pt"
    torch.save({"weights": torch.zeros(3)}, bad)
    res = _run(world, _out(world, "bad"), "--mapper", str(bad), "-q")
    assert res.exit_code == 2 and "not a StyleCLIP mapper checkpoint" in res.output


def test_gaps_are_refused_and_nothing_is_written(world, tmp_path):
    inv = tmp_path / "inv"
    names = [n for n in B.frame_names(N) if n != "frame0004"]
    B.write_run(inv, "vid", world["z"][[i for i in range(N) if i != 4]], names)
    out = tmp_path / "StyleCLIP" / "eyeglasses" / "latents.pth"
    res = _run(world, out, "--inverted-root", str(inv), "-q")
    assert res.exit_code == 2 and "missing: 4" in res.output and not out.exists()
    res = _run(world, out, "--inverted-root", str(inv), "--fill-gaps", *FAST)
    assert res.exit_code == 0, res.output
    filled = torch.load(out)
    assert filled.shape == (N, 18, 512) and torch.isfinite(filled).all()
    # the predicted frame lies between its neighbours on this smooth trajectory
    mid = (filled[3] + filled[5]) / 2
    assert (filled[4] - mid).norm() < 0.25 * (filled[5] - filled[3]).norm()


def test_mismatched_shapes_are_refused(world, tmp_path):
    inv = tmp_path / "inv"
    B.write_run(inv, "vid", world["z"][:4])
    torch.save(torch.zeros(1, 16, 512), inv / "embeddings" / "vid" / "PTI" / "frame0002" / "0.pt")
    res = _run(world, tmp_path / "latents.pth", "--inverted-root", str(inv), "-q")
    assert res.exit_code == 2 and "frame0002" in res.output and "[1, 16, 512]" in res.output


def test_aligned_frames_select_the_frames_like_the_host(world, tmp_path):
    aligned = B.write_aligned(tmp_path / "aligned", B.frame_names(5))
    out = tmp_path / "latents.pth"
    res = _run(world, out, "--aligned-frames", str(aligned), "--per-frame", "-q")
    assert res.exit_code == 0, res.output
    assert torch.equal(torch.load(out), torch.load(world["original"])[:5])


def test_bad_option_combinations(world, tmp_path):
    res = _run(world, tmp_path / "x.pth", "--render", "-q")
    assert res.exit_code == 2 and "--per-frame" in res.output
    res = _run(world, tmp_path / "x.npy", "-q")
    assert res.exit_code == 2 and ".pth" in res.output
    res = CliRunner().invoke(build_cli(), ["tcsve", "edit", "--tcsve-root", str(tmp_path), "--run", "vid", "--out", str(tmp_path / "x.pth")])
    assert res.exit_code == 2 and "styleclip_mapper.py" in res.output


@pytest.mark.realdata
def test_real_inversions_dynode_vs_per_frame(world, shared_data, tmp_path):
    real = shared_data / "dynode_example" / "dynode_all_latents.pth"
    if not real.exists():
        pytest.skip(f"{real} not found")
    z = torch.load(real, map_location="cpu")[:, 0]  # (11, 1, 18, 512) saved from CUDA
    inv = tmp_path / "inv"
    B.write_run(inv, "real", z)
    outs = {}
    for name, extra in (("dynode", FAST), ("perframe", ["--per-frame", "-q"])):
        outs[name] = tmp_path / name / "latents.pth"
        args = ["tcsve", "edit", "--tcsve-root", str(world["root"]), "--run", "real", "--inverted-root", str(inv),
                "--out", str(outs[name]), *extra]
        res = CliRunner().invoke(build_cli(), args, catch_exceptions=False)
        assert res.exit_code == 0, res.output
    ours, theirs = torch.load(outs["dynode"]), torch.load(outs["perframe"])
    assert ours.shape == theirs.shape == (11, 18, 512)
    assert torch.allclose(ours[0], theirs[0], atol=1e-4)
    from dynode_plugin.consistency import delta_consistency
    assert delta_consistency(z, ours)["delta_step_rel"] < 1e-3 < delta_consistency(z, theirs)["delta_step_rel"]
