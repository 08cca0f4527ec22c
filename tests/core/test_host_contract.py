"""The host contract and the one edit flow: read -> fit or load -> edit frame 0 -> propagate -> write."""
import json

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.frame_selection import SelectionSpec
from dynode_plugin.hosts import Clip, Host
from dynode_plugin.pipeline import DynamicsChoice, edit_clip, run


class ListHost(Host):
    """A host in memory: latents [N, 3] in, +strength as its edit, the edited latents kept as 'written'."""

    id = "list"
    latent_shape = (3,)

    def __init__(self, latents, mask=None):
        self.latents, self.mask, self.calls, self.written = latents, mask, [], None

    def edit_names(self):
        return ["up"]

    def edit(self, latents, name, strength):
        self.check_edit(name)
        self.calls.append(("edit", len(latents)))
        return latents + strength

    def read(self, source, select=None, progress=True):
        self.calls.append(("read", source))
        mask = select.resolve(len(self.latents)).mask() if select is not None else self.mask
        z = self.latents.clone()
        if mask is not None:
            z[~mask] = float("nan")  # nothing inverted there
        return Clip(z, mask=mask, source=source)

    def finish(self, clip, edited):
        self.calls.append(("finish", len(edited)))
        return edited

    def write(self, result, out, force=False, progress=True):
        self.written = (out, result.edited)
        return [out]


def _line(n=7):
    t = torch.linspace(0, 1, n)[:, None]
    return torch.cat([t, 2 * t, -t], 1)  # a straight trajectory: linear propagation is exact


def test_flow_edits_frame0_only_and_fills_unobserved_frames():
    z = _line()
    host = ListHost(z)
    res, files = run(host, "clip", [("up", 2.0)], "out", select=SelectionSpec(every=3),
                     dynamics=DynamicsChoice(model_id="linear"), progress=False)
    assert files == ["out"] and host.written[0] == "out"
    assert res.clip.filled == [1, 2, 4, 5] and res.method == "dynode-linear" and res.fitted is True
    torch.testing.assert_close(res.edited, z + 2, atol=1e-5, rtol=0)  # unobserved frames filled by the model
    edits = [c for c in host.calls if c[0] == "edit"]
    assert edits[-1] == ("edit", 1) and ("finish", len(z)) in host.calls  # the edit saw frame 0 only
    report = res.report()
    assert report["filled_frames"] == [1, 2, 4, 5] and report["refitted"] is True and report["model"] == "linear"


def test_bad_edits_fail_before_reading_and_per_frame_needs_every_frame():
    host = ListHost(_line())
    with pytest.raises(DynodeInputError, match="unknown edit 'down'"):
        run(host, "clip", [("down", 1.0)], "out", progress=False)
    assert not any(c[0] == "read" for c in host.calls)  # checked before any reading or fitting
    masked = ListHost(_line(), mask=torch.tensor([True, False, True, True, True, True, True]))
    clip = masked.read("clip")
    with pytest.raises(DynodeInputError, match=r"frames \[1\] are missing"):
        edit_clip(masked, clip, [("up", 1.0)], per_frame=True)
    per = edit_clip(host, host.read("clip"), [("up", 1.0)], per_frame=True)
    assert per.method == "per-frame" and torch.equal(per.edited, _line() + 1)


def test_model_file_is_reused_across_edits(tmp_path):
    z = _line()
    path = tmp_path / "m.dynode"
    host = ListHost(z)
    choice = DynamicsChoice(model_id="linear", model_path=path)
    first = edit_clip(host, host.read("c"), [("up", 1.0)], dynamics=choice, progress=False)
    again = edit_clip(host, host.read("c"), [("up", -1.0)], dynamics=choice, progress=False)
    assert first.fitted and not again.fitted and path.is_file() and "fit" not in again.seconds
    torch.testing.assert_close(again.edited, z - 1, atol=1e-5, rtol=0)


@pytest.mark.slow
def test_dynode_edit_toy_writes_the_hosts_files_and_refuses_to_overwrite(tmp_path):
    from dynode_plugin.cli import build_cli
    from dynode_plugin.toy.world import render_clip
    from dynode_plugin.video import write_video

    write_video(render_clip(5, 0), tmp_path / "clip.mp4", 12)
    out = tmp_path / "out"
    args = ["edit", "--host", "toy", "--input", str(tmp_path / "clip.mp4"), "--edit", "colour=+1", "--out", str(out),
            "--inversion-steps", "3", "--model", "linear", "-q"]
    res = CliRunner().invoke(build_cli(), [*args, "--metrics", "tl-id,flicker", "--report-json", str(tmp_path / "r.json")])
    assert res.exit_code == 0, res.output
    scores = json.loads((tmp_path / "r.json").read_text())["scores"]
    assert set(scores) == {"tl_id", "flicker"} and 0 < scores["tl_id"] < 2 and scores["flicker"] >= 0
    report = json.loads((out / "report.json").read_text())
    src, edited = torch.load(out / "source_latents.pt"), torch.load(out / "edited_latents.pt")
    assert report["host"] == "toy" and report["method"] == "dynode-linear" and report["frames"] == 5
    assert src.shape == (5, 10, 64) and (out / "edited.mp4").stat().st_size > 0
    from dynode_plugin.toy.host import ToyHost

    delta = ToyHost(inversion_steps=1).edit(torch.zeros(1, 10, 64), "colour", 1.0)
    torch.testing.assert_close(edited - src, delta.expand_as(src), atol=1e-4, rtol=0)  # linear: exact offset
    res = CliRunner().invoke(build_cli(), args)
    assert res.exit_code == 2 and "--force" in res.output
    help_text = CliRunner().invoke(build_cli(), ["edit", "--host", "toy", "--help"]).output
    assert "--inversion-steps" in help_text and "--subspace-dim" in help_text
