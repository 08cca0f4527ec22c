"""adapters/common/checkout.py: validating a checkout root, scoped imports from it."""
import os
import sys
import types

import pytest

from dynode_adapters.common.checkout import checkout_on_path, validate_checkout
from dynode_plugin.errors import DynodeInputError

REQUIRED = ["trainer.py", "nets.py", "configs/001.yaml"]


def _host(tmp_path):
    root = tmp_path / "host"
    (root / "configs").mkdir(parents=True)
    (root / "trainer.py").write_text("import utils.helper\nVALUE = utils.helper.VALUE\n")
    (root / "nets.py").write_text("")
    (root / "configs" / "001.yaml").write_text("a: 1\n")
    (root / "utils").mkdir()
    (root / "utils" / "helper.py").write_text("VALUE = 'host'\n")
    (root / "sub").mkdir()
    (root / "sub" / "relmod.py").write_text("WHERE = 'sub'\n")
    return root


def test_validate_checkout_names_missing_file_and_layout(tmp_path):
    root = _host(tmp_path)
    assert validate_checkout(str(root), REQUIRED, host="Thing") == root.resolve()
    (root / "nets.py").unlink()
    with pytest.raises(DynodeInputError) as e:
        validate_checkout(root, REQUIRED, host="Thing", url="https://example.org/thing")
    msg = str(e.value)
    assert "missing nets.py" in msg and "host/configs/001.yaml" in msg and "https://example.org/thing" in msg
    with pytest.raises(DynodeInputError, match="not a folder"):
        validate_checkout(tmp_path / "nope", REQUIRED, host="Thing")
    with pytest.raises(DynodeInputError, match="--thing-root"):
        validate_checkout(None, REQUIRED, host="Thing", option="--thing-root")


def test_checkout_on_path_is_scoped(tmp_path, monkeypatch):
    root = _host(tmp_path)
    other_utils = types.ModuleType("utils")  # another library's "utils", loaded before
    monkeypatch.setitem(sys.modules, "utils", other_utils)
    path_before, cwd_before = list(sys.path), os.getcwd()
    with checkout_on_path(root, ["utils", "trainer"]) as r:
        assert r == root.resolve() and sys.path[0] == str(root.resolve())
        import trainer

        assert trainer.VALUE == "host" and sys.modules["utils"] is not other_utils
    assert sys.modules["utils"] is other_utils
    assert "trainer" not in sys.modules and "utils.helper" not in sys.modules
    assert sys.path == path_before and os.getcwd() == cwd_before
    assert trainer.VALUE == "host"  # objects from inside keep working


def test_checkout_on_path_chdir_and_relative_entries(tmp_path):
    root = _host(tmp_path)
    cwd_before = os.getcwd()
    with checkout_on_path(root, [], chdir=True):
        assert os.getcwd() == str(root.resolve())
        sys.path.append("sub/")  # what LT's trainer.py does with 'pixel2style2pixel/'
        import relmod

        assert relmod.WHERE == "sub"
    assert os.getcwd() == cwd_before and "sub/" not in sys.path
    assert "relmod" not in sys.modules  # found through a relative entry, removed all the same


def test_checkout_on_path_restores_after_error(tmp_path):
    root = _host(tmp_path)
    path_before = list(sys.path)
    with pytest.raises(ZeroDivisionError):
        with checkout_on_path(root, ["trainer", "utils"], chdir=True):
            import trainer  # noqa: F401
            1 / 0
    assert sys.path == path_before and "trainer" not in sys.modules
