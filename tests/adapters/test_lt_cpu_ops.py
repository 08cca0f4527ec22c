"""Pure-PyTorch StyleGAN2 ops (adapters/common/cpu_ops.py) against references and known answers."""
import math
import sys

import numpy as np
import pytest
import torch
from scipy.signal import convolve2d
from torch.nn import functional as F

from dynode_adapters.common.cpu_ops import FusedLeakyReLU, fused_leaky_relu, install_cpu_ops, upfirdn2d


def reference_upfirdn2d(x, k, up, down, pad):
    """Literal numpy/scipy version: zero insertion, pad/crop, true 2-D convolution, decimation."""
    (ux, uy), (dx, dy), (px0, px1, py0, py1) = up, down, pad
    x, k = np.asarray(x, np.float64), np.asarray(k, np.float64)
    b, c, h, w = x.shape
    out = []
    for img in x.reshape(b * c, h, w):
        u = np.zeros((h * uy, w * ux))
        u[::uy, ::ux] = img
        u = np.pad(u, ((max(py0, 0), max(py1, 0)), (max(px0, 0), max(px1, 0))))
        u = u[max(-py0, 0): u.shape[0] - max(-py1, 0), max(-px0, 0): u.shape[1] - max(-px1, 0)]
        f = convolve2d(u, k, mode="valid")
        out.append(f[::dy, ::dx])
    out = np.stack(out)
    return out.reshape(b, c, *out.shape[1:])


@pytest.mark.parametrize("up,down,pad,kshape", [
    ((1, 1), (1, 1), (0, 0, 0, 0), (3, 3)),
    ((2, 2), (1, 1), (2, 1, 2, 1), (4, 4)),   # StyleGAN2 Upsample with a 4-tap kernel
    ((1, 1), (2, 2), (1, 1, 1, 1), (4, 4)),   # Downsample
    ((2, 1), (1, 3), (1, -1, 0, 2), (3, 2)),  # asymmetric factors, a negative pad (crop), non-square kernel
    ((3, 3), (2, 2), (-1, 2, 1, 0), (5, 3)),
])
def test_upfirdn2d_matches_reference(up, down, pad, kshape):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 7, 6, generator=g, dtype=torch.float64)
    k = torch.randn(*kshape, generator=g, dtype=torch.float64)  # asymmetric: catches a missing flip
    got = upfirdn2d(x, k, up=up, down=down, pad=pad)
    want = reference_upfirdn2d(x.numpy(), k.numpy(), up, down, pad)
    assert got.shape == want.shape
    h_expected = (7 * up[1] + pad[2] + pad[3] - kshape[0] + down[1]) // down[1]
    assert got.shape[2] == h_expected
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-10)


def test_upfirdn2d_known_answers():
    x = torch.arange(12.0).reshape(1, 1, 3, 4)
    # identity kernel
    assert torch.equal(upfirdn2d(x, torch.ones(1, 1)), x)
    # a 2x2 box after zero insertion (pad 1 before) is nearest-neighbour upsampling
    near = upfirdn2d(x, torch.ones(2, 2), up=2, pad=(1, 0))
    assert torch.equal(near, x.repeat_interleave(2, 2).repeat_interleave(2, 3))
    # a normalised 2x2 box with down=2 is 2x2 average pooling
    assert torch.allclose(upfirdn2d(x, torch.full((2, 2), 0.25), down=2), F.avg_pool2d(x, 2))
    # convolution, not correlation: kernel [0, 1] keeps x[i], kernel [1, 0] gives x[i + 1]
    assert torch.equal(upfirdn2d(x, torch.tensor([[0.0, 1.0]])), x[..., :-1])
    assert torch.equal(upfirdn2d(x, torch.tensor([[1.0, 0.0]])), x[..., 1:])
    # int pad pairs apply to both axes; up/down as ints
    assert upfirdn2d(x, torch.ones(3, 3), up=2, down=1, pad=(1, 1)).shape == (1, 1, 6, 8)


def test_upfirdn2d_gradients():
    x = torch.randn(1, 2, 4, 5, dtype=torch.float64, requires_grad=True)
    k = torch.randn(3, 3, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda t: upfirdn2d(t, k, up=2, down=2, pad=(1, 1)), (x,))


def test_fused_leaky_relu_known_answers():
    s = math.sqrt(2)
    x = torch.tensor([[-1.0, 2.0, 3.0]])
    b = torch.tensor([0.5, -3.0, 1.0])
    want = torch.tensor([[-0.5 * 0.2 * s, -1.0 * 0.2 * s, 4.0 * s]])
    assert torch.allclose(fused_leaky_relu(x, b), want)
    assert torch.allclose(fused_leaky_relu(x, b, negative_slope=0.0, scale=1.0), torch.tensor([[0.0, 0.0, 4.0]]))
    assert torch.allclose(fused_leaky_relu(x), F.leaky_relu(x, 0.2) * s)
    # 4-D: the bias is per channel (axis 1)
    x4 = torch.randn(2, 3, 4, 5)
    assert torch.allclose(fused_leaky_relu(x4, b), F.leaky_relu(x4 + b.view(1, 3, 1, 1), 0.2) * s)
    # 3-D latent-mapper input [batch, rows, channels]: axis 1 cannot hold it, the last axis can
    x3 = torch.randn(2, 4, 3)
    assert torch.allclose(fused_leaky_relu(x3, b), F.leaky_relu(x3 + b.view(1, 1, 3), 0.2) * s)
    x33 = torch.randn(2, 3, 3)
    assert torch.allclose(fused_leaky_relu(x33, b), F.leaky_relu(x33 + b.view(1, 3, 1), 0.2) * s)
    assert torch.allclose(fused_leaky_relu(x33, b, last_axis_3d=True), F.leaky_relu(x33 + b.view(1, 1, 3), 0.2) * s)
    with pytest.raises(ValueError, match="does not match"):
        fused_leaky_relu(torch.randn(2, 5), b)


def test_fused_leaky_relu_module_and_grad():
    m = FusedLeakyReLU(3)
    assert [n for n, _ in m.named_parameters()] == ["bias"]  # checkpoints name it "bias"
    m.bias.data = torch.tensor([1.0, -1.0, 0.0])
    x = torch.zeros(1, 3, 2, 2)
    assert torch.allclose(m(x)[0, :, 0, 0], torch.tensor([1.0, -0.2, 0.0]) * math.sqrt(2))
    assert FusedLeakyReLU(3, bias=False).bias is None
    xd = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    bd = torch.randn(3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda a, c: fused_leaky_relu(a, c), (xd, bd))


HOST_OP = "raise RuntimeError('host op imported: would compile CUDA')\n"
HOST_MODEL = """
from models.stylegan2.op import FusedLeakyReLU, fused_leaky_relu, upfirdn2d
from .op.upfirdn2d import upfirdn2d as up_sub
from .op.fused_act import fused_leaky_relu as fused_sub
"""


def _make_host(tmp_path):
    op = tmp_path / "host" / "models" / "stylegan2" / "op"
    op.mkdir(parents=True)
    (tmp_path / "host" / "models" / "__init__.py").write_text("")
    (tmp_path / "host" / "models" / "stylegan2" / "__init__.py").write_text("")
    (tmp_path / "host" / "models" / "stylegan2" / "model.py").write_text(HOST_MODEL)
    (op / "__init__.py").write_text(HOST_OP)
    (op / "fused_act.py").write_text(HOST_OP)
    (op / "upfirdn2d.py").write_text(HOST_OP)
    return tmp_path / "host"


def test_install_cpu_ops_serves_ours_and_restores(tmp_path):
    from dynode_adapters.common.checkout import checkout_on_path

    host = _make_host(tmp_path)
    with checkout_on_path(host, ["models"]):
        with pytest.raises(RuntimeError, match="would compile CUDA"):
            import models.stylegan2.model  # noqa: F401  (proves the host files are what we replace)
    assert not any(k == "models" or k.startswith("models.") for k in sys.modules)

    sentinel = object()
    sys.modules["models.stylegan2.op"] = sentinel  # something already registered under that name
    try:
        with checkout_on_path(host, ["models"]), install_cpu_ops("models.stylegan2.op") as mods:
            import models.stylegan2.model as model

            assert model.upfirdn2d is upfirdn2d and model.up_sub is upfirdn2d
            assert model.fused_sub is model.fused_leaky_relu
            assert "models.stylegan2.op.fused_act" in mods and sys.modules["models.stylegan2.op"].__dynode_cpu_ops__
            layer = model.FusedLeakyReLU(4)
        assert layer(torch.zeros(1, 4, 2, 2)).shape == (1, 4, 2, 2)  # still works after the block
    finally:
        restored = sys.modules.pop("models.stylegan2.op", None)
    assert restored is sentinel
    assert not any(k.startswith("models.stylegan2.op.") for k in sys.modules)


def test_install_cpu_ops_last_axis_variant():
    with install_cpu_ops(["a_host_op", "b_host_op"], last_axis_3d=True):
        import a_host_op
        from b_host_op.fused_act import FusedLeakyReLU as B

        x = torch.randn(2, 3, 3)
        bias = torch.tensor([1.0, 2.0, 3.0])
        assert torch.allclose(a_host_op.fused_leaky_relu(x, bias), F.leaky_relu(x + bias, 0.2) * math.sqrt(2))
        m = B(3)
        m.bias.data = bias
        assert torch.allclose(m(x), F.leaky_relu(x + bias, 0.2) * math.sqrt(2))
    assert "a_host_op" not in sys.modules and "b_host_op.fused_act" not in sys.modules
