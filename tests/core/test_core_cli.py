import json

import torch
from click.testing import CliRunner

from dynode_plugin.cli import build_cli


def run(args):
    return CliRunner().invoke(build_cli(), args)


def test_fit_interpolate_propagate_end_to_end(tmp_path):
    t = torch.linspace(0, 1, 12)[:, None, None]
    z = torch.cat([torch.sin(3 * t), torch.cos(2 * t), t**2, -t], dim=2).expand(12, 3, 4).contiguous()
    torch.save({"pivots": z}, tmp_path / "lat.pt")
    r = run(["fit", str(tmp_path / "lat.pt"), "--out", str(tmp_path / "c.dynode"), "--steps", "40", "-q",
             "--report-json", str(tmp_path / "rep.json")])
    assert r.exit_code == 0, r.output
    assert "observed MSE" in r.output
    assert json.loads((tmp_path / "rep.json").read_text())["steps"] == 40
    r = run(["interpolate", str(tmp_path / "c.dynode"), "--fps", "4x", "--out", str(tmp_path / "dense.npy")])
    assert r.exit_code == 0, r.output
    import numpy as np

    dense = np.load(tmp_path / "dense.npy")
    assert dense.shape == (45, 3, 4)
    assert np.allclose(dense[::4], z.numpy(), atol=1e-4)
    torch.save(z[0] + 0.5, tmp_path / "z0.pt")
    r = run(["propagate", str(tmp_path / "c.dynode"), "--edited-first", str(tmp_path / "z0.pt"), "--out", str(tmp_path / "e.pt")])
    assert r.exit_code == 0, r.output
    assert torch.allclose(torch.load(tmp_path / "e.pt"), z + 0.5, atol=1e-4)


def test_cli_errors_exit_2_without_partial_output(tmp_path):
    torch.save(torch.randn(1, 3, 4), tmp_path / "one.pt")
    r = run(["fit", str(tmp_path / "one.pt"), "--out", str(tmp_path / "c.dynode")])
    assert r.exit_code == 2 and "at least 2 frames" in r.output
    assert not list(tmp_path.glob("c.dynode*"))
    torch.save(torch.randn(6, 3, 4), tmp_path / "ok.pt")
    run(["fit", str(tmp_path / "ok.pt"), "--out", str(tmp_path / "c.dynode"), "--model", "linear"])
    torch.save(torch.randn(3, 5), tmp_path / "wrong.pt")
    r = run(["propagate", str(tmp_path / "c.dynode"), "--edited-first", str(tmp_path / "wrong.pt"), "--out", str(tmp_path / "e.pt")])
    assert r.exit_code == 2 and "edited frame 0 must have shape" in r.output
    assert not (tmp_path / "e.pt").exists()
    (tmp_path / "bad.dynode").write_text("hello")
    r = run(["interpolate", str(tmp_path / "bad.dynode"), "--out", str(tmp_path / "d.pt")])
    assert r.exit_code == 2 and "not a readable .dynode file" in r.output
    r = run(["fit", str(tmp_path / "ok.pt"), "--out", str(tmp_path / "x.dynode"), "--times", "0,1,1,2,3,4"])
    assert r.exit_code == 2 and "strictly increasing" in r.output


def test_help_explains_shapes_and_units():
    r = run(["fit", "--help"])
    assert r.exit_code == 0 and "[N, 18, 512]" in r.output and "[0, 1]" in r.output
