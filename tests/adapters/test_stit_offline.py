"""The offline compat fix: STIT's face parser is built without downloading ResNet-18 when its own
checkpoint (pretrained_models/79999_iter.pth) is there, and a failed download without it is one
message naming the file and where it goes.

The shared fake's BiSeNet has no download (its tests also run STIT without compat fixes), so
these tests give their checkout copy a seg_model_2.py with STIT's pattern: a Resnet18 backbone
whose ``init_weight`` calls ``torch.utils.model_zoo.load_url(resnet18_url)`` while the network
is built. Being offline is simulated by a ``load_url`` that records its calls and raises
URLError; nothing touches the network.
"""
import json
import sys
import urllib.error
from pathlib import Path

import pytest
import torch
import torch.utils.model_zoo
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "stit"))
import stit_builders as B  # noqa: E402

from dynode_plugin.cli import build_cli  # noqa: E402

SEG_MODEL = '''"""Our stand-in for STIT's seg_model_2.py, with its download at construction: BiSeNet builds a
Resnet18 backbone whose init_weight fetches `resnet18_url` through torch.utils.model_zoo."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.model_zoo as modelzoo

resnet18_url = "https://download.pytorch.org/models/resnet18-5c106cde.pth"  # the URL STIT's backbone fetches


class Resnet18(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.init_weight()

    def forward(self, x):
        return F.relu(self.bn1(self.conv1(x)))

    def init_weight(self):
        imagenet = modelzoo.load_url(resnet18_url)
        merged = dict(self.state_dict(), **{k: t for k, t in imagenet.items() if not k.startswith("fc")})
        self.load_state_dict(merged)


class BiSeNet(nn.Module):
    def __init__(self, n_classes, *args, **kwargs):
        super().__init__()
        self.resnet = Resnet18()
        self.head = nn.Conv2d(8, n_classes, 1)
        nn.init.kaiming_normal_(self.head.weight, a=1)

    def forward(self, x):
        logits = F.interpolate(self.head(self.resnet(F.avg_pool2d(x, 4))), size=x.shape[-2:], mode="bilinear",
                               align_corners=True)
        return logits, logits, logits
'''


@pytest.fixture
def offline(monkeypatch):
    calls = []

    def load_url(url, *args, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(torch.utils.model_zoo, "load_url", load_url)
    return calls


@pytest.fixture
def world(tmp_path):
    root = B.copy_checkout(tmp_path / "STIT")
    (root / "models" / "seg_model_2.py").write_text(SEG_MODEL)
    # the run's face-parser checkpoint, written while "online" (load_url returns ImageNet-like weights)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(torch.utils.model_zoo, "load_url", lambda *a, **k: {"conv1.weight": torch.ones(8, 3, 3, 3)})
        return B.make_run(root, run="clip", n_frames=4)


def _edit(run, tmp_path, *extra):
    report = tmp_path / "report.json"
    args = ["stit", "edit", "--stit-root", str(run["root"]), "--model", "linear", "-q", "--report-json", str(report), *extra,
            "--", "edit_video.py", "-i", str(run["frames"]), "-o", str(tmp_path / "out"), "-r", "clip", "-en", "age",
            "-er", "-2", "2", "2"]
    res = CliRunner().invoke(build_cli(), args, catch_exceptions=False)
    return res, (json.loads(report.read_text()) if report.exists() else None)


def test_offline_stit_edit_builds_the_face_parser_from_its_checkpoint(world, tmp_path, offline):
    res, report = _edit(world, tmp_path)
    assert res.exit_code == 0, res.output
    assert offline == []  # no download was attempted
    assert "offline" in report["compat"]
    assert (tmp_path / "out" / "age" / "2.0" / "out.mp4").stat().st_size > 0


def test_offline_without_the_checkpoint_names_the_file_and_where_it_goes(world, tmp_path, offline):
    checkpoint = world["root"] / "pretrained_models" / "79999_iter.pth"
    checkpoint.unlink()
    res, _ = _edit(world, tmp_path)
    assert res.exit_code == 1
    assert offline == ["https://download.pytorch.org/models/resnet18-5c106cde.pth"]  # STIT's own init_weight ran
    line = res.output.strip().splitlines()[-1]
    assert line.startswith("Error: STIT's edit_video.py failed: RuntimeError: STIT's face parser")
    assert f"put 79999_iter.pth (from STIT's download_models.sh) at {checkpoint}" in line
    assert "URLError" in line and "Traceback" not in res.output


def test_the_fix_builds_the_same_network_once_the_checkpoint_is_loaded(world, monkeypatch):
    """Skipping init_weight changes nothing STIT keeps: the strict checkpoint load replaces every tensor."""
    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.stit import compat, offline
    from dynode_adapters.stit.runner import HOST_PACKAGES

    root = world["root"]
    state = torch.load(root / "pretrained_models" / "79999_iter.pth")
    monkeypatch.setattr(torch.utils.model_zoo, "load_url", lambda *a, **k: {"conv1.weight": torch.randn(8, 3, 3, 3)})
    with checkout_on_path(root, HOST_PACKAGES, chdir=True):
        import models.seg_model_2 as seg

        downloaded = seg.BiSeNet(19)
        downloaded.load_state_dict(state)
        fixes = compat.Fixes()
        offline.fix_face_parser(fixes, seg)
        try:
            built = seg.BiSeNet(19)
            assert not torch.equal(built.resnet.conv1.weight, downloaded.resnet.conv1.weight)  # before the load
            built.load_state_dict(state)
        finally:
            fixes.undo_all()
        assert seg.Resnet18.init_weight.__name__ == "init_weight" and not hasattr(seg.Resnet18.init_weight, "__dynode_offline__")
    after, before = built.state_dict(), downloaded.state_dict()
    assert after.keys() == before.keys() and all(torch.equal(after[k], before[k]) for k in after)
