"""ArcFace IR-SE50 plumbing with random weights, weight loading, and face alignment."""
import numpy as np
import pytest
import torch

from dynode_plugin.errors import DynodeInputError, MissingWeightsError
from dynode_plugin.metrics.arcface_net import IRSE50, clean_state_dict
from dynode_plugin.metrics.enc_arcface import ArcFaceEncoder
from dynode_plugin.metrics.face_align import FFHQ_TEMPLATE_512, arcface_input, warp_by_eyes


@pytest.fixture(scope="module")
def random_net():
    torch.manual_seed(0)
    net = IRSE50()
    for m in net.modules():  # non-trivial BN statistics so that eval mode is really exercised
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return net.eval()


def test_embeddings_are_512_d_unit_vectors_and_frames_are_independent(random_net):
    enc = ArcFaceEncoder(net=random_net, align="center-crop")
    frames = torch.rand(3, 3, 256, 256)
    e = enc.embed(frames)
    assert e.vectors.shape == (3, 512) and e.found.all()
    assert torch.allclose(e.vectors.norm(dim=1), torch.ones(3, dtype=torch.float64), atol=1e-5)
    alone = enc.embed(frames[1:2]).vectors
    assert torch.allclose(alone[0], e.vectors[1], atol=1e-5)  # eval mode: no batch statistics leak
    d = enc.describe()
    assert d["alignment"] == "center-crop" and "no detection" in d["alignment_note"] and d["weights_sha256"] is None


def test_weights_file_round_trip_with_wrapped_and_prefixed_state_dicts(random_net, tmp_path, monkeypatch):
    path = tmp_path / "model_ir_se50.pth"
    torch.save({"state_dict": {"module." + k: v for k, v in random_net.state_dict().items()}}, path)
    monkeypatch.setenv("DYNODE_ARCFACE_WEIGHTS", str(path))
    enc = ArcFaceEncoder(align="center-crop")
    x = torch.rand(2, 3, 128, 128)
    with torch.no_grad():
        expect = random_net(arcface_input(x)).double()
    assert torch.allclose(enc.embed(x).vectors, expect, atol=1e-6)
    assert len(enc.weights_sha256()) == 64 and enc.describe()["weights_file"] == "model_ir_se50.pth"
    assert clean_state_dict({"params": {"facenet.a": 1}}) == {"a": 1}


def test_missing_and_wrong_weights_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("DYNODE_ARCFACE_WEIGHTS", raising=False)
    monkeypatch.setenv("DYNODE_CACHE_DIR", str(tmp_path))
    with pytest.raises(MissingWeightsError) as err:
        ArcFaceEncoder(align="center-crop")
    msg = str(err.value)
    assert "model_ir_se50.pth" in msg and str(tmp_path / "recognition_arcface_ir_se50.pth") in msg and "--arcface-weights" in msg
    wrong = tmp_path / "wrong.pth"
    torch.save({"conv.weight": torch.zeros(3)}, wrong)
    with pytest.raises(DynodeInputError, match="not an IR-SE50 state dict: 343 missing keys"):
        ArcFaceEncoder(weights=str(wrong), align="center-crop")
    with pytest.raises(DynodeInputError, match="unknown ArcFace alignment"):
        ArcFaceEncoder(net=IRSE50(), align="sideways")


def test_crop_takes_the_psp_face_region():
    faces = torch.zeros(1, 3, 256, 256)
    faces[:, :, 35:223, 32:220] = 1.0  # exactly the face region: everything inside maps to +1
    x = arcface_input(faces)
    assert x.shape == (1, 3, 112, 112) and float(x.min()) == 1.0
    big = torch.nn.functional.interpolate(faces, size=(1024, 1024), mode="nearest")
    assert float((arcface_input(big) - x).abs().mean()) < 0.02  # any size is brought to 256 first


def test_eye_warp_puts_the_eyes_on_the_template():
    img = torch.zeros(3, 300, 400)
    eyes = np.array([[120.0, 150.0], [200.0, 130.0]])  # tilted, small face
    for (x, y), ch in zip(eyes, (0, 1)):
        img[ch, int(y) - 2:int(y) + 3, int(x) - 2:int(x) + 3] = 1.0
    out = warp_by_eyes(img, eyes, size=512)
    for ch, (tx, ty) in zip((0, 1), FFHQ_TEMPLATE_512[:2]):
        yy, xx = torch.nonzero(out[ch] > 0.5, as_tuple=True)
        assert abs(float(xx.float().mean()) - tx) < 2.5 and abs(float(yy.float().mean()) - ty) < 2.5


def test_dlib_alignment_of_an_aligned_frame_is_nearly_the_identity(shared_data, random_net):
    pytest.importorskip("dlib")
    from dynode_plugin.metrics.enc_dlib import DlibFaceFinder
    from dynode_plugin.video import to_uint8
    from dynode_plugin.video import read_frames

    frames, _ = read_frames(shared_data / "dynode_example" / "dynode_frame_0.png")
    frames = torch.nn.functional.interpolate(frames, size=(512, 512), mode="bilinear", antialias=True)
    finder = DlibFaceFinder()
    eyes = finder.eye_centres(finder.find(to_uint8(frames)[0]))
    assert np.abs(eyes - FFHQ_TEMPLATE_512[:2]).max() < 6  # the DynODE frames are FFHQ-aligned
    enc = ArcFaceEncoder(net=random_net, align="dlib")
    e = enc.embed(torch.cat([frames, torch.zeros(1, 3, 512, 512)]))
    assert e.found.tolist() == [True, False] and torch.isnan(e.vectors[1]).all()
