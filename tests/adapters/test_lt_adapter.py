"""Latent Transformer adapter against the fake checkout: imports (CPU ops, compat, no leaks),
the edit against an independent computation, the host, the latents-folder reader."""
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes" / "latent_transformer"))
import lt_builders as B  # noqa: E402

from dynode_adapters.latent_transformer import layout  # noqa: E402
from dynode_plugin.errors import DynodeInputError, MissingWeightsError  # noqa: E402

HOST_TOPS = set(layout.HOST_PACKAGES) | {"torchvision"}


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return B.make_fake_checkout(tmp_path_factory.mktemp("lt_adapter") / "latent-transformer")


def _leaked():
    return sorted(k for k in sys.modules if k.split(".")[0] in HOST_TOPS)


def _states(root, nums):
    return [torch.load(root / "logs" / "001" / f"tnet_{n}.pth.tar") for n in nums]


def test_the_checkout_cannot_import_on_cpu_without_our_ops(root):
    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.latent_transformer.compat import lt_compat

    with checkout_on_path(root, layout.HOST_PACKAGES, chdir=True), lt_compat():
        with pytest.raises(RuntimeError, match="CUDA"):
            import trainer  # noqa: F401  (the import is what fails)
    assert _leaked() == []


def test_networks_load_through_the_checkout_and_nothing_leaks(root):
    from dynode_adapters.common import cpu_ops
    from dynode_adapters.latent_transformer.host_imports import load_attribute_nets, load_generator

    path_before, cwd_before, had_float = list(sys.path), os.getcwd(), "float" in np.__dict__
    cfg = layout.read_config(root, "001")
    attrs = layout.resolve_attrs("Smiling", cfg, root / "logs" / "001")
    (net,) = load_attribute_nets(root, attrs, cfg)
    gen = load_generator(root)
    assert type(net).__name__ == "F_mapping" and type(gen).__name__ == "Generator"
    assert type(gen).__module__ == "pixel2style2pixel.models.stylegan2.model"  # the checkout's class
    assert sys.modules.get("models.stylegan2.op") is None
    assert _leaked() == [] and sys.path == path_before and os.getcwd() == cwd_before
    assert ("float" in np.__dict__) == had_float  # the np.float alias was scoped
    # weights really came from the files
    state = _states(root, [31])[0]
    assert torch.equal(net.dense[3].weight, state["dense.3.weight"])
    ckpt = torch.load(root / layout.GENERATOR_FILE, weights_only=False)["state_dict"]
    assert torch.equal(gen.input, ckpt["decoder.input"])
    # the generator runs on the CPU through our ops
    assert gen.layers[0].activate.forward.__func__ is cpu_ops.FusedLeakyReLU.forward
    with torch.no_grad():
        img, _ = gen([torch.randn(1, 18, 512)], input_is_latent=True, randomize_noise=False)
    assert img.shape == (1, 3, 32, 32) and torch.isfinite(img).all()


def test_lt_edit_matches_independent_maths(root):
    from dynode_adapters.latent_transformer.editing import lt_edit
    from dynode_adapters.latent_transformer.host_imports import load_attribute_nets

    cfg = layout.read_config(root, "001")
    attrs = layout.resolve_attrs("31,eyeglasses", cfg, root / "logs" / "001")
    assert [(a.name, a.num) for a in attrs] == [("Smiling", 31), ("Eyeglasses", 15)]
    nets = load_attribute_nets(root, attrs, cfg)
    w0 = torch.randn(5, 18, 512)
    got = lt_edit(w0, nets, [1.0, -0.5], batch=2)
    want = B.reference_edit(_states(root, [31, 15]), w0, [1.0, -0.5])
    assert torch.allclose(got, want, atol=1e-4)
    assert torch.equal(got[:, 11:], w0[:, 11:]) and not torch.allclose(got[:, :11], w0[:, :11])


def test_host_plugin(root):
    from dynode_plugin.plugins import get_registry

    cls = get_registry().get("hosts", "latent-transformer")
    host = cls(root)
    assert host.edit_names() == ["Eyeglasses", "Smiling"]
    w0 = torch.randn(3, 18, 512)
    assert torch.allclose(host.edit(w0, "Smiling", 0.7), B.reference_edit(_states(root, [31]), w0, [0.7]), atol=1e-4)
    frames = host.synthesize(w0[:2])
    assert frames.shape == (2, 3, 32, 32) and frames.min() >= 0 and frames.max() <= 1
    assert not torch.allclose(frames[0], frames[1])
    with pytest.raises(DynodeInputError, match="18, 512"):
        host.edit(torch.randn(3, 18, 256), "Smiling", 1.0)
    with pytest.raises(MissingWeightsError, match="Eyeglasses \\(15\\), Smiling \\(31\\)"):
        host.edit(w0, "Young", 1.0)
    with pytest.raises(NotImplementedError, match="inference.py"):
        host.invert(torch.zeros(1, 3, 8, 8))
    assert _leaked() == []


def test_resolve_attrs_errors(root):
    cfg = layout.read_config(root, "001")
    log = root / "logs" / "001"
    with pytest.raises(DynodeInputError) as e:
        layout.resolve_attrs("Smiley", cfg, log)
    assert "unknown attribute 'Smiley'" in str(e.value) and " 31 Smiling" in str(e.value) and "*" in str(e.value)
    with pytest.raises(DynodeInputError, match="number 40 does not exist"):
        layout.resolve_attrs("40", cfg, log)
    with pytest.raises(MissingWeightsError, match="tnet_10.pth.tar"):
        layout.resolve_attrs("Blurry", cfg, log)  # in the config's list (video_processing's dict lacks it): no model here
    assert layout.parse_alphas("1.5", 2) == [1.5, 1.5]
    with pytest.raises(DynodeInputError, match="one per attribute"):
        layout.parse_alphas("1,2,3", 2)
    with pytest.raises(DynodeInputError, match="not a number"):
        layout.parse_alphas("big", 1)


def test_read_latents_dir(tmp_path):
    z = np.random.default_rng(0).normal(size=(4, 18, 512)).astype(np.float32)
    B.write_latents_dir(tmp_path / "ok", z)
    np.testing.assert_array_equal(layout.read_latents_dir(tmp_path / "ok"), z)
    with pytest.raises(DynodeInputError, match="not found"):
        layout.read_latents_dir(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DynodeInputError, match="no latent_code_%05d.npy files"):
        layout.read_latents_dir(tmp_path / "empty")
    B.write_latents_dir(tmp_path / "gap", z)
    (tmp_path / "gap" / "latent_code_00001.npy").unlink()
    with pytest.raises(DynodeInputError, match="missing latent_code_00001.npy"):
        layout.read_latents_dir(tmp_path / "gap")
    (tmp_path / "shape").mkdir()
    np.save(tmp_path / "shape" / "latent_code_00000.npy", np.zeros((1, 14, 512), np.float32))
    with pytest.raises(DynodeInputError, match=r"\(1, 14, 512\); expected \(1, 18, 512\)"):
        layout.read_latents_dir(tmp_path / "shape")
    np.save(tmp_path / "shape" / "latent_code_00000.npy", np.full((1, 18, 512), np.nan, np.float32))
    with pytest.raises(DynodeInputError, match="non-finite"):
        layout.read_latents_dir(tmp_path / "shape")


def test_compat_is_scoped():
    import yaml

    from dynode_adapters.latent_transformer.compat import lt_compat

    had_float = "float" in np.__dict__
    with lt_compat():
        assert np.float is float or had_float
        assert yaml.load("a: [1, 2]") == {"a": [1, 2]}  # no Loader, as LT's scripts call it
        import torchvision
        from torchvision import transforms

        if getattr(torchvision, "__dynode_stub__", False):
            pipeline = transforms.Compose([transforms.ToTensor()])  # built at import by utils/functions.py
            with pytest.raises(DynodeInputError, match="fix: pip install torch=="):
                pipeline(None)
    assert ("float" in np.__dict__) == had_float
    with pytest.raises(TypeError):
        yaml.load("a: 1")  # PyYAML >= 6 without our fix
    assert "torchvision" not in sys.modules or not getattr(sys.modules["torchvision"], "__dynode_stub__", False)
