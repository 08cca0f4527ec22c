"""The example third-party plugin package (examples/dynode-example-plugin/): installed like a user
would (offline: no deps, no build isolation, into a temporary folder), then discovered through its
``dynode`` entry point and used by ``dynode edit``."""
import json
import os
import subprocess
import sys

import pytest
import torch

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "examples" / "dynode-example-plugin"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    res = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                          "--target", str(target), str(PACKAGE)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TMPDIR": str(build)})
    if res.returncode != 0:
        pytest.fail(f"pip could not install the example plugin: {res.stderr[-2000:]}")
    return target


def _dynode(site, *args):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    env.pop("DYNODE_DISABLE_PLUGIN_AUTOLOAD", None)  # discovery through entry points is what is tested
    code = "import sys; from dynode_plugin.cli import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.slow
def test_installed_example_plugin_is_discovered_and_edits(site, tmp_path):
    res = _dynode(site, "plugins", "--json")
    assert res.returncode == 0, res.stderr[-2000:]
    data = json.loads(res.stdout)
    hosts = {h["id"]: h for h in data["hosts"]}
    assert hosts["example-shift"]["plugin"] == "example" and "example" in data["plugins"] and data["failed"] == []

    z = torch.cumsum(torch.randn(6, 4), 0)
    torch.save(z, tmp_path / "z.pt")
    out = tmp_path / "edited.pt"
    res = _dynode(site, "edit", "--host", "example-shift", "--input", str(tmp_path / "z.pt"), "--edit", "shift=2",
                  "--out", str(out), "--model", "linear", "-q")
    assert res.returncode == 0, res.stderr[-2000:]
    # the linear model passes through every observed frame, so offset propagation of +2 is exact
    torch.testing.assert_close(torch.load(out), z + 2, atol=1e-5, rtol=0)
    res = _dynode(site, "edit", "--host", "example-shift", "--input", str(tmp_path / "z.pt"), "--edit", "twist=1",
                  "--out", str(tmp_path / "x.pt"), "--model", "linear")
    assert res.returncode == 2 and "unknown edit 'twist'" in res.stderr and "shift" in res.stderr
