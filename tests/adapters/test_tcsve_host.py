"""The tcsve host and the CPU path: the checkout's mapper runs on a CPU only through our ops, and
its generic module names (models, configs, ...) do not leak out of the adapter."""
import importlib
import sys
from argparse import Namespace
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "tcsve"))
import tcsve_builders as B  # noqa: E402

from dynode_plugin.errors import DynodeInputError  # noqa: E402

HOST_TOPS = ("models", "configs", "training", "utils", "torch_utils", "dnnlib")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = B.copy_checkout(tmp_path_factory.mktemp("tcsve_host") / "VideoEditGAN")
    B.make_mapper_checkpoint(root, root / "PTI" / "pretrained_models" / "eyeglasses.pt", seed=3)
    return root


def _leaked():
    return sorted(k for k in sys.modules if k.split(".")[0] in HOST_TOPS)


def test_the_checkout_op_needs_cuda_and_the_adapter_replaces_it(root):
    # Plain import from the checkout, as the host's script would do: fails at the first forward on a CPU.
    before = set(sys.modules)
    sys.path.insert(0, str(root / "PTI"))
    try:
        mod = importlib.import_module("models.StyleCLIP.mapper.styleclip_mapper")
        opts = Namespace(**B.mapper_opts())  # checkpoint_path None: nothing loaded
        net = mod.StyleCLIPMapper(opts)
        if not torch.cuda.is_available():
            with pytest.raises((AssertionError, RuntimeError)):
                net.mapper(torch.randn(1, 18, 512))
    finally:
        sys.path.remove(str(root / "PTI"))
        for k in set(sys.modules) - before:
            del sys.modules[k]

    from dynode_adapters.tcsve.mapper import load_mapper

    m = load_mapper(root, root / "PTI" / "pretrained_models" / "eyeglasses.pt", "eyeglasses")
    w = torch.randn(2, 18, 512)
    d = m.delta(w)
    assert d.shape == (2, 18, 512) and torch.isfinite(d).all()
    assert d[:, :8].abs().mean() > 0.05 and torch.equal(d[:, 8:], torch.zeros(2, 10, 512))  # meta_data: no fine mapper
    assert torch.allclose(m.apply(w, 0.15), w + 0.15 * d)
    # the loaded mapper still runs after the host's modules were removed again
    assert _leaked() == [] and str(root / "PTI") not in sys.path
    assert torch.equal(m.delta(w), d)


def test_mapper_levels_that_do_not_fit_the_weights_are_a_clear_error(root, tmp_path):
    from dynode_adapters.tcsve.mapper import load_mapper

    ckpt = B.make_mapper_checkpoint(root, tmp_path / "smile.pt", no_fine=False)  # trained with a fine mapper
    meta = {"smile": ["smile", False, False, True, 0.1]}  # but the script says no fine mapper
    with pytest.raises(DynodeInputError, match="does not fit a LevelsMapper"):
        load_mapper(root, ckpt, "smile", meta)
    m = load_mapper(root, ckpt, "smile", {})  # unknown to meta_data: the checkpoint's own levels
    assert m.delta(torch.randn(1, 18, 512))[:, 8:].abs().mean() > 0.05


def test_host_is_registered_lazily_and_edits_with_the_mapper(root, monkeypatch):
    from dynode_plugin.plugins import make_plugin_manager

    reg = make_plugin_manager(autoload=False)
    assert "tcsve" in reg.ids("hosts")
    assert "dynode_adapters.tcsve.host" in reg.as_dict()["hosts"][[e["id"] for e in reg.as_dict()["hosts"]].index("tcsve")]["ref"]
    Host = reg.get("hosts", "tcsve")
    monkeypatch.delenv("DYNODE_TCSVE_ROOT", raising=False)
    with pytest.raises(DynodeInputError, match="DYNODE_TCSVE_ROOT"):
        Host()
    monkeypatch.setenv("DYNODE_TCSVE_ROOT", str(root))
    (root / "PTI" / "pretrained_models" / "e4e_ffhq_encode.pt").write_bytes(b"PTI's encoder, not an edit")
    (root / "pretrained_models").mkdir(exist_ok=True)
    (root / "pretrained_models" / "smile.pt").write_bytes(b"a mapper")
    host = Host()
    assert host.edit_names() == ["eyeglasses", "smile"] and host.default_strength("eyeglasses") == 0.15
    w = torch.randn(3, 18, 512)
    out = host.edit(w, "eyeglasses", 0.15)
    assert out.shape == w.shape and torch.allclose(out, w + 0.15 * host.mapper("eyeglasses").delta(w))
    assert host.mapper("eyeglasses") is host.mapper("eyeglasses")  # loaded once
    with pytest.raises(DynodeInputError, match="edits W\\+ latents"):
        host.edit(torch.randn(3, 14, 512), "eyeglasses", 0.15)
    with pytest.raises(DynodeInputError, match="afro.pt"):
        host.edit(w, "afro", 0.1)


def test_tcsve_group_is_in_the_cli():
    from dynode_plugin.cli import build_cli

    res = CliRunner().invoke(build_cli(), ["tcsve", "edit", "--help"])
    assert res.exit_code == 0 and "--per-frame" in res.output and "--tcsve-root" in res.output
