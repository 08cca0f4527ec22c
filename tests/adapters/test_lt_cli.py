"""`dynode lt manipulate` against the fake Latent Transformer checkout: the output folder the
next LT steps read, per-frame vs DynODE latents, bad input with nothing half-written."""
import io
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

from adapter_helpers import curved_trajectory  # noqa: E402
from dynode_plugin.cli import build_cli  # noqa: E402

N = 6
FAST = ["--steps", "25", "-q"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lt_cli")
    root = B.make_fake_checkout(tmp / "latent-transformer")
    z = curved_trajectory(N)
    latents = B.write_latents_dir(root / "outputs" / "video" / "vid" / "vid_crop_align_latent", z)
    states = {n: torch.load(root / "logs" / "001" / f"tnet_{n}.pth.tar") for n in (31, 15)}
    return dict(root=root, z=z, latents=latents, states=states, tmp=tmp)


def _run(world, *extra, latents=None):
    args = ["lt", "manipulate", "--lt-root", str(world["root"]), "--latents-dir", str(latents or world["latents"]), *extra]
    return CliRunner().invoke(build_cli(), args, catch_exceptions=False)


def _frames(folder):
    return sorted(p.name for p in Path(folder).iterdir())


def test_dynode_writes_the_frame_folder_and_carries_the_frame0_edit(world, tmp_path):
    out = tmp_path / "vid_crop_align_Smiling"
    lat = tmp_path / "edited.npy"
    rep = tmp_path / "report.json"
    cwd = os.getcwd()
    res = _run(world, "--attr", "Smiling", "--alpha", "1.0", "--out", str(out), "--latents-out", str(lat),
               "--report-json", str(rep), *FAST)
    assert res.exit_code == 0, res.output
    assert os.getcwd() == cwd
    assert _frames(out) == ["frame%04d.jpg" % k for k in range(N)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp leftovers
    edited = torch.from_numpy(np.load(lat))
    z = world["z"]
    ref0 = B.reference_edit([world["states"][31]], z[:1], [1.0])
    assert torch.allclose(edited[0], ref0[0], atol=1e-3)  # frame 0: exactly the LT edit
    assert torch.equal(edited[:, 11:], z[:, 11:])  # fine layers from each frame's own w0
    delta = edited - z  # offset mode: frame 0's edit delta carried unchanged to every frame
    assert torch.allclose(delta, delta[:1].expand_as(delta), atol=1e-3)
    # the frames are the checkout generator's renders of those latents (JPEG-lossy)
    from dynode_adapters.latent_transformer.host import LatentTransformerHost

    host = LatentTransformerHost(world["root"])
    want, unedited = host.synthesize(edited[[0, N - 1]]), host.synthesize(z[[0]])
    for i, k in enumerate([0, N - 1]):
        got = np.asarray(Image.open(out / ("frame%04d.jpg" % k)))
        assert got.shape == (32, 32, 3)
        # torchvision's save_image conversion of LT's clip_img output, then PIL's default JPEG
        u8 = (want[i].permute(1, 2, 0).numpy() * 255 + 0.5).clip(0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(u8).save(buf, format="JPEG")
        assert np.array_equal(got, np.asarray(Image.open(buf)))
    assert not torch.allclose(want[0], unedited[0], atol=0.05)  # the edit is visible
    report = json.loads(rep.read_text())
    assert report["method"] == "dynode-ode" and report["attr_nums"] == [31] and report["frames"] == N
    assert report["consistency"]["delta_step_rel"] < 1e-4 and report["render_seconds_per_frame"] > 0


def test_per_frame_is_the_original_step(world, tmp_path):
    lat = tmp_path / "pf.pt"
    rep = tmp_path / "r.json"
    res = _run(world, "--attr", "31,Eyeglasses", "--alpha", "1,-0.5", "--out", str(tmp_path / "o"), "--per-frame",
               "--latents-out", str(lat), "--report-json", str(rep), "-q")
    assert res.exit_code == 0, res.output
    edited = torch.load(lat)
    want = B.reference_edit([world["states"][31], world["states"][15]], world["z"], [1.0, -0.5])
    assert torch.allclose(edited, want, atol=1e-3)
    assert len(_frames(tmp_path / "o")) == N
    c = json.loads(rep.read_text())["consistency"]
    assert c["delta_step_rel"] > 0.01  # the per-frame edit changes from frame to frame


def test_no_render_and_linear_model(world, tmp_path):
    lat = tmp_path / "e.pt"
    res = _run(world, "--attr", "Eyeglasses", "--alpha", "2", "--out", str(tmp_path / "o"), "--no-render",
               "--latents-out", str(lat), "--model", "linear", "-q")
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "o").exists()
    edited = torch.load(lat)
    ref0 = B.reference_edit([world["states"][15]], world["z"][:1], [2.0])
    assert torch.allclose(edited[0], ref0[0], atol=1e-3) and "dynode-linear" in res.output


def test_saved_model_is_reused_for_another_attribute(world, tmp_path):
    model, r1, r2 = tmp_path / "clip.dynode", tmp_path / "r1.json", tmp_path / "r2.json"
    common = ["--no-render", "--save-model", str(model), *FAST]
    res = _run(world, "--attr", "Smiling", "--out", str(tmp_path / "o"), "--latents-out", str(tmp_path / "a.pt"),
               "--report-json", str(r1), *common)
    assert res.exit_code == 0, res.output
    assert model.is_file() and json.loads(r1.read_text())["refitted"] is True
    res = _run(world, "--attr", "Eyeglasses", "--out", str(tmp_path / "o"), "--latents-out", str(tmp_path / "b.pt"),
               "--report-json", str(r2), *common)
    assert res.exit_code == 0, res.output
    report = json.loads(r2.read_text())
    assert report["refitted"] is False and "fit" not in report["seconds"]
    ref0 = B.reference_edit([world["states"][15]], world["z"][:1], [1.0])
    assert torch.allclose(torch.load(tmp_path / "b.pt")[0], ref0[0], atol=1e-3)


def test_attrs_command(world):
    res = CliRunner().invoke(build_cli(), ["lt", "attrs", "--lt-root", str(world["root"])])
    assert res.exit_code == 0, res.output
    lines = {line.split()[1]: line for line in res.output.splitlines()}
    assert "model" in lines["Smiling"] and "model" in lines["Eyeglasses"] and "model" not in lines["Young"]
    assert lines["Smiling"].split()[0] == "31"


def _fails(res, *needles):
    assert res.exit_code == 2, res.output
    for n in needles:
        assert n in res.output, res.output


@pytest.mark.parametrize("case", ["no_root", "bad_root", "incomplete_root", "unknown_attr", "bad_number", "no_model",
                                  "wrong_shape", "empty_dir", "no_generator", "one_frame", "bad_alpha"])
def test_bad_input_fails_cleanly_and_writes_nothing(world, tmp_path, case):
    out, lat = tmp_path / "out", tmp_path / "lat.pt"
    common = ["--out", str(out), "--latents-out", str(lat), *FAST]
    latents = world["latents"]
    attr = ["--attr", "Smiling"]
    if case == "no_root":
        res = CliRunner(env={"DYNODE_LT_ROOT": ""}).invoke(
            build_cli(), ["lt", "manipulate", "--latents-dir", str(latents), *attr, *common])
        _fails(res, "--lt-root")
    elif case == "bad_root":
        res = CliRunner().invoke(build_cli(), ["lt", "manipulate", "--lt-root", str(tmp_path / "nope"),
                                               "--latents-dir", str(latents), *attr, *common])
        _fails(res, "not a folder", "pixel2style2pixel/models/stylegan2/model.py")
    elif case == "incomplete_root":
        import shutil

        partial = tmp_path / "lt"
        shutil.copytree(world["root"], partial, ignore=shutil.ignore_patterns("pixel2style2pixel", "*.pt", "*.tar"))
        res = CliRunner().invoke(build_cli(), ["lt", "manipulate", "--lt-root", str(partial),
                                               "--latents-dir", str(latents), *attr, *common])
        _fails(res, "missing pixel2style2pixel/models/psp.py", "Expected layout")
    elif case == "unknown_attr":
        _fails(_run(world, "--attr", "Smiley", *common), "unknown attribute 'Smiley'", "31 Smiling", "15 Eyeglasses")
    elif case == "bad_number":
        _fails(_run(world, "--attr", "77", *common), "number 77 does not exist", "39 Young")
    elif case == "no_model":
        _fails(_run(world, "--attr", "Young", *common), "tnet_39.pth.tar", "Eyeglasses (15), Smiling (31)", "download.sh")
    elif case == "wrong_shape":
        bad = B.write_latents_dir(tmp_path / "bad", np.zeros((3, 18, 512), np.float32))
        np.save(bad / "latent_code_00002.npy", np.zeros((1, 16, 512), np.float32))
        _fails(_run(world, *attr, *common, latents=bad), "latent_code_00002.npy has shape (1, 16, 512)")
    elif case == "empty_dir":
        (tmp_path / "empty").mkdir()
        _fails(_run(world, *attr, *common, latents=tmp_path / "empty"), "no latent_code_%05d.npy files")
    elif case == "no_generator":
        _fails(_run(world, *attr, *common, "--stylegan-model-path", str(tmp_path / "psp.pt")), "psp.pt", "not found")
    elif case == "one_frame":
        one = B.write_latents_dir(tmp_path / "one", world["z"][:1].numpy())
        _fails(_run(world, *attr, *common, latents=one), "one frame", "--per-frame")
    elif case == "bad_alpha":
        _fails(_run(world, *attr, "--alpha", "1,2", *common), "2 values for 1 attributes")
    assert not out.exists() and not lat.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_existing_output_needs_force(world, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "frame0000.jpg").write_bytes(b"old")
    _fails(_run(world, "--attr", "Smiling", "--out", str(out), "--per-frame", "-q"), "--force")
    assert (out / "frame0000.jpg").read_bytes() == b"old"
    res = _run(world, "--attr", "Smiling", "--out", str(out), "--per-frame", "--force", "-q")
    assert res.exit_code == 0, res.output
    assert _frames(out) == ["frame%04d.jpg" % k for k in range(N)] and (out / "frame0000.jpg").read_bytes() != b"old"


def test_a_failure_while_rendering_leaves_nothing(world, tmp_path, monkeypatch):
    out, lat = tmp_path / "out", tmp_path / "lat.pt"
    calls = {"n": 0}
    original = Image.Image.save

    def flaky_save(self, fp, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return original(self, fp, *a, **k)

    monkeypatch.setattr(Image.Image, "save", flaky_save)
    with pytest.raises(OSError, match="disk full"):
        _run(world, "--attr", "Smiling", "--out", str(out), "--latents-out", str(lat), "--per-frame", "-q")
    assert calls["n"] == 3
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("broken", ["nets.py", "trainer.py"])
def test_host_code_that_cannot_import_fails_before_any_fit(world, tmp_path, monkeypatch, broken):
    """A torchvision that does not match torch breaks LT's imports: one line with the fix, before the fit."""
    import shutil

    root = tmp_path / "lt"
    shutil.copytree(world["root"], root)
    with open(root / broken, "a") as f:
        f.write("\nraise RuntimeError('operator torchvision::nms does not exist')\n")
    fitted = []
    import dynode_plugin.dynamics.settings as S

    monkeypatch.setattr(S, "fit_or_load", lambda *a, **k: fitted.append(1) or pytest.fail("fitted before the host was checked"))
    model = tmp_path / "m.dynode"
    args = ["lt", "manipulate", "--lt-root", str(root), "--latents-dir", str(world["latents"]), "--attr", "Smiling",
            "--out", str(tmp_path / "out"), "--save-model", str(model), "-q"]
    res = CliRunner().invoke(build_cli(), args)
    assert res.exit_code == 1, res.output
    line = res.output.strip()
    assert line.startswith("Error: importing") and "\n" not in line and "torch==2.14.1 torchvision==0.29.1" in line
    assert not fitted and not model.exists() and not (tmp_path / "out").exists()


def test_batch_takes_the_latent_transformer_host_with_its_options(world, tmp_path):
    for i in range(2):
        B.write_latents_dir(tmp_path / f"clip{i}", curved_trajectory(N, seed=i))
    (tmp_path / "m.csv").write_text("path,id\nclip0,a\nclip1,b\n")
    args = ["batch", str(tmp_path / "m.csv"), "--host", "latent-transformer", "--lt-root", str(world["root"]),
            "--edit", "Smiling=1", "--out", str(tmp_path / "run"), "--model", "linear", "-q"]
    res = CliRunner().invoke(build_cli(), args)
    assert res.exit_code == 0, res.output
    for cid in ("a", "b"):
        rec = json.loads((tmp_path / "run" / "clips" / cid / "record.json").read_text())
        assert rec["status"] == "ok" and rec["method"] == "dynode-linear" and rec["frames"] == N
        assert _frames(tmp_path / "run" / "edited" / cid) == [f"frame{k:04d}.jpg" for k in range(N)]
