"""Frame selection: --every/--frames/--max-gap, detection failures, filling unobserved frames."""
from __future__ import annotations

import click
import numpy as np
import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.frame_selection import SelectionSpec, frame_times, parse_frame_list, selection_options


def test_every_k_keeps_first_and_last_frame():
    sel = SelectionSpec(every=4).resolve(10)
    assert sel.selected == (0, 4, 8, 9)
    assert sel.unobserved == (1, 2, 3, 5, 6, 7)
    assert sel.mask().tolist() == [i in (0, 4, 8, 9) for i in range(10)]
    assert not sel.dense
    assert SelectionSpec(every=3).resolve(10).selected == (0, 3, 6, 9)  # last frame already on the grid


def test_no_option_and_every_1_invert_every_frame():
    assert SelectionSpec().resolve(5).selected == (0, 1, 2, 3, 4)
    assert SelectionSpec(every=1).resolve(5).dense
    assert SelectionSpec().dense and SelectionSpec(every=1).dense and not SelectionSpec(every=2).dense


def test_true_frame_times_in_seconds_or_indices():
    sel = SelectionSpec(every=2).resolve(5, fps=25.0)
    assert sel.times == pytest.approx((0.0, 0.04, 0.08, 0.12, 0.16))
    assert SelectionSpec().resolve(3).times == (0.0, 1.0, 2.0)
    assert frame_times(3, times=[0.0, 0.5, 2.0]) == (0.0, 0.5, 2.0)
    with pytest.raises(DynodeInputError, match="3 frame times for 4 frames"):
        frame_times(4, times=[0, 1, 2])


def test_frame_list_and_max_gap():
    assert parse_frame_list("0, 5,9") == (0, 5, 9)
    assert SelectionSpec(frames=(0, 5, 9)).resolve(12).selected == (0, 5, 9)
    # G=3 adds the farthest frame within reach of each inverted frame
    assert SelectionSpec(frames=(0, 9), max_gap=3).resolve(10).selected == (0, 3, 6, 9)
    assert SelectionSpec(max_gap=4).resolve(10).selected == (0, 4, 8, 9)
    assert SelectionSpec(every=8, max_gap=5).resolve(17).selected == (0, 5, 8, 13, 16)


def test_detection_failures_are_unobserved_and_reported():
    sel = SelectionSpec().resolve(12, failed=[5, 6, 7])
    assert sel.selected == (0, 1, 2, 3, 4, 8, 9, 10, 11)
    assert sel.unobserved == (5, 6, 7)
    rep = sel.report()
    assert rep["filled"] == [5, 6, 7] and rep["detection_failed"] == [5, 6, 7] and rep["inverted_count"] == 9
    assert "detection failed on frame(s) 5-7" in sel.summary()
    # --every: a failed end frame is replaced by the nearest detected one
    assert SelectionSpec(every=4).resolve(10, failed=[0, 9]).selected == (1, 4, 8)
    # --max-gap steps around failed frames, and records a gap it cannot close
    sel = SelectionSpec(frames=(0, 9), max_gap=3).resolve(10, failed=[3])
    assert sel.selected == (0, 2, 5, 8, 9)
    sel = SelectionSpec(max_gap=2).resolve(8, failed=[2, 3, 4])
    assert sel.gaps_over_max == ((1, 5),) and sel.selected == (0, 1, 5, 7)


@pytest.mark.parametrize("kwargs, n, failed, message", [
    (dict(every=0), 10, (), "--every 0: K must be at least 1"),
    (dict(every=-3), 10, (), "K must be at least 1"),
    (dict(every=11), 10, (), "--every 11 is larger than the clip"),
    (dict(frames=(0, 12)), 10, (), "lists frame 12 but the clip has 10 frames"),
    (dict(frames=(3,)), 10, (), "at least 2 inverted frames"),
    (dict(frames=(0, 4, 9)), 10, (4, 9), "only 1 frame(s) left to invert of 10 after detection failed on frame(s) 4, 9"),
    (dict(), 3, (0, 1), "only 1 frame(s) left"),
    (dict(every=2, frames=(0, 1)), 10, (), "either --every K or --frames"),
    (dict(max_gap=0), 10, (), "--max-gap 0"),
    (dict(), 4, (7,), "outside the clip of 4 frames"),
])
def test_bad_selections_give_one_clear_error(kwargs, n, failed, message):
    with pytest.raises(DynodeInputError) as exc:
        SelectionSpec(**kwargs).resolve(n, failed=failed)
    assert message in str(exc.value)


@pytest.mark.parametrize("spec, message", [("0,5,5", "not increasing (5 then 5)"), ("0,9,4", "not increasing"),
                                           ("a,b", "whole numbers"), ("-1,3", "start at 0"), (" , ", "lists no frames")])
def test_bad_frame_lists(spec, message):
    with pytest.raises(DynodeInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_frame_list(spec)


def test_fill_interpolates_quads_of_unobserved_frames_in_time():
    # quads move linearly in time; frames 5-7 failed detection (garbage rows)
    t = np.arange(12, dtype=np.float64)
    quads = np.stack([np.array([[0, 0], [0, 10], [10, 10], [10, 0]], np.float64) + 2.0 * ti for ti in t])
    garbage = quads.copy()
    garbage[5:8] = np.nan
    sel = SelectionSpec().resolve(12, failed=[5, 6, 7])
    filled = sel.fill(garbage)
    assert isinstance(filled, np.ndarray) and filled.shape == (12, 4, 2)
    np.testing.assert_allclose(filled, quads)
    # irregular times: the interpolation weights follow time, not index
    sel = SelectionSpec(frames=(0, 2)).resolve(3, times=[0.0, 3.0, 4.0])
    v = torch.tensor([[0.0], [99.0], [4.0]])
    assert sel.fill(v)[1, 0].item() == pytest.approx(3.0)
    # beyond the last observed frame: held constant
    sel = SelectionSpec(frames=(0, 1)).resolve(4)
    assert sel.fill(torch.tensor([[1.0], [2.0], [0.0], [0.0]])).flatten().tolist() == [1.0, 2.0, 2.0, 2.0]


def test_scatter_places_selected_latents():
    sel = SelectionSpec(every=2).resolve(5)
    z = torch.arange(3 * 2, dtype=torch.float32).reshape(3, 2)
    full = sel.scatter(z)
    assert full.shape == (5, 2) and torch.equal(full[[0, 2, 4]], z) and full[[1, 3]].abs().sum() == 0
    with pytest.raises(DynodeInputError, match="2 latents for 3 selected frames"):
        sel.scatter(z[:2])


def test_click_options_validate_while_parsing():
    seen = {}

    @click.command()
    @selection_options
    def cmd(every, frames, max_gap):
        seen["spec"] = SelectionSpec.from_options(every, frames, max_gap)

    from dynode_plugin.cli import DynodeGroup

    group = DynodeGroup("g")
    group.add_command(cmd)
    runner = CliRunner()
    ok = runner.invoke(group, ["cmd", "--frames", "0,4,8", "--max-gap", "2"])
    assert ok.exit_code == 0, ok.output
    assert seen["spec"] == SelectionSpec(frames=(0, 4, 8), max_gap=2)
    seen.clear()
    for args, message in [(["--every", "0"], "K must be at least 1"), (["--frames", "3,1"], "not increasing"),
                          (["--every", "2", "--frames", "0,1"], "either --every K or --frames")]:
        res = runner.invoke(group, ["cmd", *args])
        assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
        assert "spec" not in seen
