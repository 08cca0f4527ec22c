"""The toy world: deterministic scenes, the generator's weights, edits, the host and the pipeline."""
import json

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.toy import world


def test_world_is_deterministic_and_factors_do_what_they_say():
    a, b = world.render_clip(6, seed=3), world.render_clip(6, seed=3)
    assert torch.equal(a, b) and a.shape == (6, 3, 64, 64) and 0 <= float(a.min()) and float(a.max()) <= 1
    assert not torch.equal(a, world.render_clip(6, seed=4))
    f = world.clip_factors(2, seed=0)
    bright = {**f, "light": f["light"] * 0 + 1.0}
    dim = {**f, "light": f["light"] * 0 + 0.7}
    assert world.render(bright).mean() > world.render(dim).mean()
    red = {**f, "obj_r": torch.ones(2), "obj_g": torch.zeros(2), "obj_b": torch.zeros(2)}
    img = world.render(red)
    # the object sits right of centre above the table: there the red channel dominates
    patch = img[:, :, 38:44, 43:49]
    assert float(patch[:, 0].mean()) > float(patch[:, 1].mean()) + 0.3
    # the arm moves between frames of a clip
    assert float((a[1:] - a[:-1]).abs().mean()) > 1e-3


@pytest.fixture(scope="module")
def random_assets(tmp_path_factory):
    """Randomly initialised weights of the real architecture (the pipeline's mechanics, fast)."""
    from dynode_plugin.toy.assets import ToyAssets, save_assets
    from dynode_plugin.toy.directions import find_directions
    from dynode_plugin.toy.generator import build

    torch.manual_seed(0)
    g, e = build()
    path = tmp_path_factory.mktemp("toyassets")
    save_assets(ToyAssets(g, e, find_directions(e, n=128), {"seed": 0}), path)
    return path


def test_pipeline_dynode_and_per_frame_write_real_files(random_assets, tmp_path, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_ASSETS", str(random_assets))
    monkeypatch.setenv("DYNODE_TOY_INVERSION_STEPS", "10")
    from dynode_plugin.cli import build_cli
    from dynode_plugin.video import read_frames, write_video

    write_video(world.render_clip(6, seed=1), tmp_path / "clip.gif", fps=8)
    runner = CliRunner()
    for extra, name in (([], "dyn"), (["--per-frame"], "per")):
        r = runner.invoke(build_cli(), ["edit", "--host", "toy", "--input", str(tmp_path / "clip.gif"), "--edit", "colour=+2",
                                        "--out", str(tmp_path / name), "--steps", "30", *extra])
        assert r.exit_code == 0, r.output
        frames, fps = read_frames(tmp_path / name / "edited.mp4")
        assert frames.shape[0] == 6 and fps == pytest.approx(8, abs=0.5)
        assert json.loads((tmp_path / name / "report.json").read_text())["per_frame"] == (name == "per")
    dyn = torch.load(tmp_path / "dyn" / "edited_latents.pt")
    per = torch.load(tmp_path / "per" / "edited_latents.pt")
    assert torch.allclose(dyn, per, atol=1e-4)  # a linear edit propagated by offset equals the per-frame edit


def test_bad_input_is_refused_without_output(random_assets, tmp_path, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_ASSETS", str(random_assets))
    from dynode_plugin.cli import build_cli
    from dynode_plugin.video import write_video

    runner = CliRunner()
    write_video(world.render_clip(3, seed=1), tmp_path / "clip.gif", fps=8)
    write_video(world.render_clip(1, seed=1), tmp_path / "one")
    cases = [
        (["--input", str(tmp_path / "missing.mp4"), "--edit", "colour=1"], "not found"),
        (["--input", str(tmp_path / "one"), "--edit", "colour=1"], "at least 2"),
        (["--input", str(tmp_path / "clip.gif"), "--edit", "hat=1"], "unknown edit 'hat'.*known edits: background, colour, lighting, shape"),
        (["--input", str(tmp_path / "clip.gif"), "--edit", "colour=99"], "out of range"),
    ]
    for args, msg in cases:
        r = runner.invoke(build_cli(), ["edit", "--host", "toy", *args, "--out", str(tmp_path / "out")])
        assert r.exit_code == 2, r.output
        import re

        assert re.search(msg, r.output), r.output
        assert not (tmp_path / "out").exists()


def test_appearance_encoder_sees_a_colour_change_more_than_motion():
    from dynode_plugin.toy.host import ToyAppearanceEncoder

    f = world.clip_factors(8, seed=2)
    clip = world.render(f)
    recoloured = world.render({**f, "obj_r": 1 - f["obj_r"], "obj_g": 1 - f["obj_g"]})
    e = ToyAppearanceEncoder()
    a, b = e.embed(clip).vectors, e.embed(recoloured).vectors
    cos = lambda x, y: float(torch.nn.functional.cosine_similarity(x, y, dim=0))  # noqa: E731
    assert cos(a[0], a[7]) > cos(a[0], b[0])


def test_shipped_generator_inverts_held_out_frames_above_28_db():
    from dynode_plugin.toy.assets import ASSETS, WEIGHTS

    if not (ASSETS / WEIGHTS).exists():
        pytest.skip("shipped toy weights not built yet (python -m dynode_plugin.toy.train)")
    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.toy.inverter import psnr

    host = ToyHost()
    frames = world.render_clip(3, seed=12345)  # scenes never used in training (a different generator seed)
    rec = host.synthesize(host.invert(frames, progress=False))
    assert float(psnr(rec, frames).mean()) >= 28.0
    linear = {"background", "colour", "lighting", "shape"}
    assert set(host.edit_names()) == linear | {name + "-mapper" for name in linear}


def test_shipped_generator_reconstructs_the_object_region():
    """Issue 15 part 0: quality over the object's crop, where the whole-frame PSNR hides errors.
    Encoder-only reconstructions of held-out random scenes; the weights before the object-region
    fine-tune gave 28.5 dB / SSIM 85.8 there, and before the encoder's shape branch drew most boxes
    round (shape agreement 0.52 on docs/toy.md's scenes; 0.91 on these with the shipped weights)."""
    from dynode_plugin.toy.assets import ASSETS, WEIGHTS, load_assets

    if not (ASSETS / WEIGHTS).exists():
        pytest.skip("shipped toy weights not built yet (python -m dynode_plugin.toy.train)")
    from dynode_plugin.toy.quality import object_quality

    a = load_assets()
    f = world.random_factors(32, torch.Generator().manual_seed(4321))
    x = world.render(f)
    with torch.no_grad():
        q = object_quality(a.generator.synthesis(a.encoder(x)), x, f, a.shape_classifier)
    assert q["shape_accuracy_source"] >= 0.95  # the classifier itself
    assert q["psnr_object_db"] >= 30.0 and q["ssim_object_x100"] >= 90.0, q
    assert q["shape_agreement"] >= 0.8, q  # boxes drawn as boxes, discs as discs


def test_shape_pixels_are_the_corners_and_rim_inside_the_object_region():
    """``world.shape_pixels``: where the box and the disc renders of a scene differ (the loss weight of
    ``train.py --corner-weight``): inside the object's region, at the box's corners, not at its centre."""
    f = world.clip_factors(1, seed=0)
    f = {**f, "obj_r": torch.ones(1), "obj_g": torch.ones(1), "obj_b": torch.ones(1),
         "bg_r": torch.full((1,), 0.1), "bg_g": torch.full((1,), 0.1), "bg_b": torch.full((1,), 0.1)}
    m = world.shape_pixels(f)[0, 0]
    assert not (m & ~world.object_region(f)[0, 0]).any()
    cy = (0.72 + float(f["cam"][0]) - world.OBJECT_ABOVE_TABLE) * 64 - 0.5
    cx = world.OBJECT_X * 64 - 0.5
    half = world.OBJECT_R * 0.9 * 64  # the box's half side in pixels; its corner is outside the disc
    corner = (round(cy - half + 0.5), round(cx + half - 0.5))
    assert bool(m[corner]) and not bool(m[round(cy), round(cx)])
    assert 8 <= int(m.sum()) <= 0.7 * int(world.object_region(f).sum())  # a ring, not the whole region
