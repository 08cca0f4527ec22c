"""What `dynode demo` tells a user: the folder it names, labelled fit timings, and a comparison video
whose caption says when the DynODE and per-frame panels are identical."""
import json

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.captions import add_caption


def test_caption_band_sits_above_the_frames_and_holds_text():
    frames = torch.full((2, 3, 32, 96), 0.5)
    out = add_caption(frames, ["source | DynODE | per-frame", "identical"])
    band = out.shape[2] - 32
    assert band % 16 == 0 and band >= 2 * 12
    assert torch.equal(out[:, :, band:], frames)  # the clip itself is untouched
    text = out[0, :, :band]
    assert (text > 0.9).any() and (text < 0.1).float().mean() > 0.5  # white letters on black
    assert torch.equal(out[0, :, :band], out[1, :, :band])  # the same caption on every frame


@pytest.mark.slow
def test_demo_names_its_folder_labels_both_fits_and_captions_the_comparison(tmp_path, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_INVERSION_STEPS", "5")
    from dynode_plugin.cli import build_cli
    from dynode_plugin.video import read_frames

    out = tmp_path / "demo"
    res = CliRunner().invoke(build_cli(), ["demo", "--out", f"{out}/", "--frames", "5"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert f"wrote {out}/:" in res.output and "//" not in res.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert "losses" not in json.dumps(metrics)
    fits = metrics["fits"]
    assert fits["edit"]["frames_observed"] == 5 and fits["interpolation"]["frames_observed"] == 2  # frames 0 and 4 (the last)
    assert fits["edit"]["seconds"] > 0 and fits["interpolation"]["seconds"] == metrics["fit_report"]["seconds"] > 0
    comparison = metrics["comparison"]
    dyn, _ = read_frames(out / "edited_dynode.mp4")
    per, _ = read_frames(out / "edited_per_frame.mp4")
    assert comparison["identical"] == ((out / "edited_dynode.mp4").read_bytes() == (out / "edited_per_frame.mp4").read_bytes())
    if comparison["identical"]:
        assert "identical" in comparison["note"]
    assert f"comparison.mp4: {comparison['note']}" in res.output
    side, _ = read_frames(out / "comparison.mp4")
    band = side.shape[2] - dyn.shape[2]
    assert band > 0 and 3 * dyn.shape[3] <= side.shape[3] < 3 * dyn.shape[3] + 16  # three panels (and their gaps) under a caption
    assert (side[0, :, :band] > 0.8).any() and (side[0, :, :band] < 0.2).float().mean() > 0.5
