"""`dynode metrics`: records, dataset means, FVD over sets (with a stand-in video encoder), bad input."""
import json
import types

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.cli import build_cli
from dynode_plugin.metrics.base import Encoder
from dynode_plugin.video import read_frames, write_video


def run(*args):
    return CliRunner().invoke(build_cli(), ["metrics", "--quiet", *args])


def astronaut(size=256):
    skimage_data = pytest.importorskip("skimage.data")
    a = torch.from_numpy(skimage_data.astronaut()).permute(2, 0, 1)[None].float() / 255
    return torch.nn.functional.interpolate(a, size=(size, size), mode="bilinear", antialias=True)


class ColourStats(Encoder):
    """Stand-in FVD encoder: per-clip mean, std and temporal change of each colour channel."""

    id, kind = "colour-stats", "video"

    def embed_clips(self, clips):
        return torch.cat([clips.mean((1, 3, 4)), clips.std((1, 3, 4)), (clips[:, 1:] - clips[:, :-1]).abs().mean((1, 3, 4))], 1).double()

    def weights_sha256(self):
        return None


@pytest.fixture
def with_colour_stats():
    from dynode_plugin.plugins import hookimpl as impl
    from dynode_plugin.plugins import make_plugin_manager, reset_registry

    mod = types.ModuleType("colour_stats_plugin")
    mod.dynode_register_encoders = impl(lambda register: register(ColourStats))
    reset_registry(make_plugin_manager(autoload=False, extra_plugins=[mod]))
    yield
    reset_registry(None)


@pytest.mark.skipif(pytest.importorskip("importlib").util.find_spec("dlib") is None, reason="dlib not installed")
def test_pair_record_has_every_number_with_its_encoder_frames_and_failures(tmp_path):
    src = astronaut().repeat(4, 1, 1, 1)
    src[2] = 0.0  # no face in source frame 2
    edt = (src * 0.9 + 0.05).clamp(0, 1)
    write_video(src, tmp_path / "src")
    write_video(edt, tmp_path / "edt")
    r = run("--source", str(tmp_path / "src"), "--edited", str(tmp_path / "edt"),
            "--metrics", "tl-id,tg-id,acd,acd-source,identity-preservation,mse,ssim", "--json", str(tmp_path / "m.json"))
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "m.json").read_text())
    tl = rec["videos"]["src"]["tl-id"]
    assert tl["encoder"]["id"] == "dlib" and len(tl["encoder"]["weights_sha256"]) == 64
    assert tl["missing_faces_source"] == [2] and tl["frames_used"] == 3 and tl["frames"] == 4
    assert tl["pairs_used"] == 1 and tl["pairs_skipped_no_face"] == 2 and tl["value"] == pytest.approx(1.0, abs=0.02)
    assert rec["encoders"]["dlib"]["weights_sha256"] == tl["encoder"]["weights_sha256"]
    ip = rec["videos"]["src"]["identity-preservation"]  # a brightness change keeps the identity
    assert ip["value"] > 0.95 and ip["frames_used"] == 3 and ip["missing_faces_source"] == [2]
    assert "s(y_t, y_t+1) / s(x_t, x_t+1)" in rec["settings"]["definitions"]["tl-id"]
    assert rec["videos"]["src"]["mse"]["value"] == pytest.approx(rec["summary"]["mse"]["value"])
    assert "tl-id" in r.output and "wrote" in r.output
    r = run("--source", str(tmp_path / "src"), "--edited", str(tmp_path / "edt"), "--metrics", "tg-id", "--on-missing-face", "error")
    assert r.exit_code == 2 and "no face found in source frame(s) [2]" in r.output


def test_set_scores_are_means_over_videos_and_fvd_matches_a_direct_computation(tmp_path, with_colour_stats):
    from dynode_plugin.metrics.frame import mse
    from dynode_plugin.metrics.frechet import frechet_distance

    g = torch.Generator().manual_seed(0)
    for name, n in (("a", 40), ("b", 34), ("c", 20)):
        base = torch.rand(1, 3, 16, 16, generator=g)
        src = (base + 0.05 * torch.randn(n, 3, 16, 16, generator=g)).clamp(0, 1)
        write_video(src, tmp_path / "S" / name)
        write_video((src * 0.8).clamp(0, 1), tmp_path / "E" / name)
    r = run("--source-set", str(tmp_path / "S"), "--edited-set", str(tmp_path / "E"), "--metrics", "mse,fvd",
            "--video-encoder", "colour-stats", "--fvd-stride", "8", "--json", str(tmp_path / "m.json"))
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "m.json").read_text())
    per = {k: float(mse(read_frames(tmp_path / "S" / k)[0], read_frames(tmp_path / "E" / k)[0]).mean()) * 1e3 for k in "abc"}
    assert rec["summary"]["mse"]["value"] == pytest.approx(np.mean(list(per.values())), rel=1e-9)
    assert rec["summary"]["mse"]["videos"] == 3
    fvd = rec["summary"]["fvd"]
    # clips start every 8 frames: a (40 frames) -> 0, 8, 16, 24; b (34) -> 0, 8, 16; c (20) -> 0
    assert fvd["clip_starts"]["source"] == {"a": [0, 8, 16, 24], "b": [0, 8, 16], "c": [0]} and fvd["clips"] == {"source": 8, "edited": 8}
    feats = {}
    for which in ("S", "E"):
        clips = [read_frames(tmp_path / which / k)[0][s:s + 16] for k, starts in fvd["clip_starts"]["source"].items() for s in starts]
        feats[which] = ColourStats().embed_clips(torch.stack(clips)).numpy()
    direct = frechet_distance(feats["S"].mean(0), np.cov(feats["S"], rowvar=False), feats["E"].mean(0), np.cov(feats["E"], rowvar=False))
    assert fvd["value"] == pytest.approx(direct, rel=1e-6) and fvd["value"] > 0
    assert "fewer clips than feature dimensions" in fvd["note"]
    (tmp_path / "E" / "c").rename(tmp_path / "E" / "d")
    r = run("--source-set", str(tmp_path / "S"), "--edited-set", str(tmp_path / "E"), "--metrics", "mse")
    assert r.exit_code == 2 and "present in only one of the sets: ['c', 'd']" in r.output


def test_fvd_needs_two_clips_per_set(tmp_path, with_colour_stats):
    write_video(torch.rand(20, 3, 16, 16), tmp_path / "a")
    r = run("--source", str(tmp_path / "a"), "--edited", str(tmp_path / "a"), "--metrics", "fvd", "--video-encoder", "colour-stats")
    assert r.exit_code == 2 and "at least 2 clips of 16 frames in each set; got 1 source" in r.output


def test_bad_input_gives_a_message_and_exit_code_2(tmp_path, monkeypatch):
    write_video(torch.rand(3, 3, 32, 32), tmp_path / "a")
    write_video(torch.rand(2, 3, 32, 32), tmp_path / "b")
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    cases = [
        (("--source", a, "--edited", b, "--metrics", "mse"), "source has 3 frames but edited has 2"),
        (("--source", a, "--edited", a, "--metrics", "psnr"), "unknown metric 'psnr'; known: acd, acd-source, attribute-strength, flicker, fvd, identity-preservation, mse, ssim, tg-id, tl-id"),
        (("--source", a, "--edited", str(tmp_path / "nope.mp4"), "--metrics", "mse"), "not found"),
        (("--source", a, "--metrics", "mse"), "give either --source and --edited"),
        (("--source", a, "--edited", a, "--metrics", "tl-id", "--identity-encoder", "i3d"), "'i3d' is a video encoder; --identity-encoder needs an identity"),
        (("--source", a, "--edited", a, "--metrics", "tl-id", "--identity-encoder", "nope"), "unknown encoder 'nope'; known:"),
        (("--source", a, "--edited", a, "--metrics", "tl-id", "--arcface-weights", "x.pth"), "apply only with --identity-encoder arcface"),
        (("--source", a, "--edited", a, "--metrics", "fvd", "--i3d-weights", str(tmp_path / "x.ckpt")), "x.ckpt' not found"),
    ]
    monkeypatch.setenv("DYNODE_CACHE_DIR", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("DYNODE_ARCFACE_WEIGHTS", raising=False)
    cases.append((("--source", a, "--edited", a, "--metrics", "tl-id", "--identity-encoder", "arcface"), "ArcFace IR-SE50 identity encoder: weights file 'model_ir_se50.pth' not found"))
    for args, message in cases:
        r = run(*args)
        assert r.exit_code == 2 and message in r.output, (args, r.output)
        assert "Traceback" not in r.output


def test_globs_score_stits_output_frames_folder(tmp_path):
    iio = pytest.importorskip("imageio.v3")
    d = tmp_path / "frames"
    d.mkdir()
    for i in range(3):  # source and edit images side by side in one folder, as STIT writes them
        iio.imwrite(d / f"source_{i:04d}.jpeg", np.full((16, 16, 3), 100, dtype=np.uint8), quality=100)
        iio.imwrite(d / f"edit_{i:04d}.jpeg", np.full((16, 16, 3), 110, dtype=np.uint8), quality=100)
    r = run("--source", str(d / "source_*.jpeg"), "--edited", str(d / "edit_*.jpeg"), "--metrics", "mse",
            "--json", str(tmp_path / "m.json"))
    assert r.exit_code == 0, r.output
    mse = json.loads((tmp_path / "m.json").read_text())["summary"]["mse"]
    assert abs(mse["value"] - (10 / 255) ** 2 * 1e3) < 0.05  # x1e-3, a uniform difference of 10/255
