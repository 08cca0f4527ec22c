"""A broken ``.dynode`` file is refused on load with exit 2 naming the problem, never NaN with exit 0."""
from __future__ import annotations

import json

import pytest
import torch
from click.testing import CliRunner
from safetensors.torch import load_file, save_file
from safetensors import safe_open

from dynode_plugin.cli import build_cli
from dynode_plugin.dynamics.io import checksum, load_dynamics
from dynode_plugin.errors import DynodeInputError


def run(args):
    return CliRunner().invoke(build_cli(), [str(a) for a in args])


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    d = tmp_path_factory.mktemp("dyn")
    torch.save(torch.randn(8, 3, 4), d / "z.pt")
    r = run(["fit", d / "z.pt", "--out", d / "ode.dynode", "--steps", "5", "-q", "--subspace-dim", "3"])
    assert r.exit_code == 0, r.output
    return d / "ode.dynode"


def parts(path):
    with safe_open(str(path), framework="pt") as f:
        header = json.loads(f.metadata()["dynode"])
    return header, load_file(str(path))


def rewrite(path, header, tensors, fix_checksum=True):
    if fix_checksum:
        header = dict(header, checksum=checksum(tensors, header))
    save_file(tensors, str(path), metadata={"dynode": json.dumps(header)})
    return path


def test_good_file_loads_and_carries_a_checksum(good):
    header, tensors = parts(good)
    assert header["checksum"] == checksum(tensors, header) and header["checksum"].startswith("sha256:")
    assert torch.isfinite(load_dynamics(good).predict()).all()


def test_flipped_data_bytes_are_detected(good, tmp_path):
    data = bytearray(good.read_bytes())
    data[-5] ^= 0x40  # inside the last tensor's data
    bad = tmp_path / "flip.dynode"
    bad.write_bytes(bytes(data))
    with pytest.raises(DynodeInputError, match="checksum"):
        load_dynamics(bad)


def _nan_observed(h, t):
    t["observed"][1, 0] = float("nan")


def _nan_weight(h, t):
    k = next(k for k in t if k.startswith("field."))
    t[k].view(-1)[0] = float("nan")


def _decreasing(h, t):
    t["times"] = t["times"].flip(0)


def _subspace_dim(h, t):
    h["config"]["subspace_dim"] = 10**12


def _huge_hidden(h, t):
    h["config"]["hidden"] = 10**9


def _shape(h, t):
    h["shape"] = [3, 5]


def _shape_type(h, t):
    h["shape"] = "3x4"


def _config_type(h, t):
    h["config"] = [1, 2]


def _unknown_setting(h, t):
    h["config"]["warp"] = 9


def _report(h, t):
    h["report"] = {"model": "ode", "bogus": 1}


def _model(h, t):
    h["model"] = "nope"


def _missing_mask(h, t):
    del t["mask"]


def _mask_values(h, t):
    t["mask"] = torch.full_like(t["mask"], 7)


def _one_observed(h, t):
    t["mask"] = torch.zeros_like(t["mask"])


def _basis(h, t):
    t["subspace.basis"] = torch.randn(5, 3)


def _scale(h, t):
    t["subspace.scale"] = torch.zeros(1)


def _field_shape(h, t):
    k = next(k for k in t if k.startswith("field.") and k.endswith("weight"))
    t[k] = torch.randn(2, 2)


def _times_dtype(h, t):
    t["times"] = t["times"].float()


@pytest.mark.parametrize("damage, words", [
    (_nan_observed, "NaN"), (_nan_weight, "NaN"), (_decreasing, "increasing"), (_subspace_dim, "subspace_dim"),
    (_huge_hidden, "hidden"), (_shape, "observed"), (_shape_type, "shape"), (_config_type, "config"),
    (_unknown_setting, "warp"), (_report, "layout"), (_model, "unknown dynamics model"), (_missing_mask, "mask"),
    (_mask_values, "mask"), (_one_observed, "observed frame"), (_basis, "basis"), (_scale, "subspace"),
    (_field_shape, "layout"), (_times_dtype, "times"),
])
def test_every_damaged_field_is_named(good, tmp_path, damage, words):
    header, tensors = parts(good)
    damage(header, tensors)
    bad = rewrite(tmp_path / "bad.dynode", header, tensors)
    r = run(["interpolate", bad, "--out", tmp_path / "o.pt"])
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and words in lines[0], r.output
    assert "dynode fit" in lines[0] or "unknown" in lines[0]
    assert not (tmp_path / "o.pt").exists()


def test_a_changed_header_value_is_detected(good, tmp_path):
    header, tensors = parts(good)
    header["config"]["lr"] = 0.5  # plausible, but not what was fitted
    bad = rewrite(tmp_path / "cfg.dynode", header, tensors, fix_checksum=False)
    with pytest.raises(DynodeInputError, match="checksum"):
        load_dynamics(bad)


def test_old_version_without_checksum_is_refused(good, tmp_path):
    header, tensors = parts(good)
    header["version"] = 1
    del header["checksum"]
    bad = rewrite(tmp_path / "v1.dynode", header, tensors, fix_checksum=False)
    with pytest.raises(DynodeInputError, match="version 1"):
        load_dynamics(bad)
