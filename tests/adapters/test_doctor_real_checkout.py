"""Opt-in: `dynode doctor` against REAL host checkouts (the env vars of the other real-checkout tests).

Each checkout is copied to a temporary folder and given what its download scripts would add
(randomly initialised weights of the host's own architectures, as the other real-checkout tests
write them: nothing is downloaded); then the doctor must pass in this environment, which
therefore needs the host's recipe (docs/stit.md, docs/latent_transformer.md, docs/tcsve.md).
Without those weights it must fail and name each missing file.
"""
import os
import shutil
import sys
from pathlib import Path

import pytest

from doctor_helpers import assert_all_fine, run_doctor

FAKES = Path(__file__).resolve().parents[1] / "fakes"
pytestmark = pytest.mark.host


def _root(env: str) -> Path:
    if not os.environ.get(env):
        pytest.skip(f"set {env} to a checkout to run")
    return Path(os.environ[env])


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".git", "__pycache__", "checkpoints", "pretrained_models", "logs"))
    return dest


def test_doctor_on_a_real_stit_checkout(tmp_path):
    sys.path.insert(0, str(FAKES / "stit"))
    import stit_builders as B
    from test_stit_real_checkout import SMALL_GENERATOR

    root = _copy(_root("DYNODE_STIT_ROOT"), tmp_path / "STIT")
    code, checks, out = run_doctor("stit", root)
    assert code == 1 and checks["face-parsing weights"]["status"] == "fail", out
    assert "79999_iter.pth" in checks["face-parsing weights"]["fix"] and checks["STIT scripts"]["status"] == "ok", out
    with B.offline_stand_ins():
        B.make_run(root, run="real", n_frames=3, generator_kwargs=SMALL_GENERATOR)
    code, checks, out = run_doctor("stit", root)
    assert_all_fine(code, checks, out)
    assert checks["torchvision"]["status"] == "ok" and "real" in checks["trained runs"]["detail"]


def test_doctor_on_a_real_latent_transformer_checkout(tmp_path):
    sys.path.insert(0, str(FAKES / "latent_transformer"))
    import lt_builders as B

    root = _copy(_root("DYNODE_LT_ROOT"), tmp_path / "latent-transformer")
    code, checks, out = run_doctor("lt", root)
    assert code == 1 and checks["attribute models"]["status"] == "fail" and checks["generator weights"]["status"] == "fail", out
    B.write_weights(root, (31,))
    code, checks, out = run_doctor("lt", root)
    assert_all_fine(code, checks, out)
    assert checks["torchvision"]["status"] == "ok" and "video_processing.py" in checks["torchvision"]["detail"]


def test_doctor_on_a_real_videoeditgan_checkout(tmp_path):
    sys.path.insert(0, str(FAKES / "tcsve"))
    import tcsve_builders as B

    root = _copy(_root("DYNODE_TCSVE_ROOT"), tmp_path / "VideoEditGAN")
    code, checks, out = run_doctor("tcsve", root)
    assert code == 1 and checks["StyleCLIP mappers"]["status"] == "fail", out
    B.make_mapper_checkpoint(root, root / "PTI" / "pretrained_models" / "eyeglasses.pt")
    code, checks, out = run_doctor("tcsve", root)
    assert_all_fine(code, checks, out)
    assert "scripts/temp_consist.py" in checks["torchvision"]["detail"]
