"""Opt-in: the fakes in tests/fakes/ are our own test doubles, not trimmed copies of the host code.

With a real checkout named by the env var of the other real-checkout tests, every fake file of
that host may share at most ``MAX_BODY`` long lines with the checkout, not counting interface
lines (imports, def/class lines, decorators such as click options, argparse options, returns),
which a faithful fake must keep. The host code itself is never committed (project rule).
"""
import os
from pathlib import Path

import pytest

FAKES = Path(__file__).resolve().parents[1] / "fakes"
HOSTS = {"stit": "DYNODE_STIT_ROOT", "latent_transformer": "DYNODE_LT_ROOT", "tcsve": "DYNODE_TCSVE_ROOT"}
INTERFACE = ("import ", "from ", "def ", "class ", "@", "parser.add_argument", "return ")
MIN_LEN, MAX_BODY = 30, 3
pytestmark = pytest.mark.host


def long_lines(path: Path):
    for line in path.read_text(errors="ignore").splitlines():
        s = line.strip()
        if len(s) >= MIN_LEN and not s.startswith("#"):
            yield s


def shared_body_lines(fake: Path, host_lines: set) -> list:
    return [s for s in long_lines(fake) if s in host_lines and not s.startswith(INTERFACE)]


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_fakes_share_no_host_code(host):
    root = os.environ.get(HOSTS[host])
    if not root:
        pytest.skip(f"set {HOSTS[host]} to a checkout to compare the fakes with it")
    host_lines = {s for p in Path(root).rglob("*.py") for s in long_lines(p)}
    assert host_lines, f"no Python files under {root}"
    copied = {str(p.relative_to(FAKES)): n for p in sorted((FAKES / host).rglob("*.py"))
              if (n := len(shared_body_lines(p, host_lines))) > MAX_BODY}
    assert not copied, f"fake files sharing more than {MAX_BODY} body lines with {root}: {copied}"


def test_the_count_sees_copied_bodies_and_ignores_interface_lines(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text("from configs import paths_config\n"
                    "    segmentation_model.load_state_dict(torch.load(paths_config.segmentation_model_path))\n"
                    "    written_by_us_differently = compute_something_else(inputs, weights)\n")
    host = {"from configs import paths_config",
            "segmentation_model.load_state_dict(torch.load(paths_config.segmentation_model_path))"}
    assert shared_body_lines(fake, host) == ["segmentation_model.load_state_dict(torch.load(paths_config.segmentation_model_path))"]
