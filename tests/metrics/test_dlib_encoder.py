"""dlib identity embeddings on real faces: the same person scores near 1, a different person lower."""
import pytest
import torch
import torch.nn.functional as F

pytest.importorskip("dlib")


@pytest.fixture(scope="module")
def dlib_encoder():
    from dynode_plugin.metrics.enc_dlib import DlibEncoder

    return DlibEncoder()


def astronaut():
    skimage_data = pytest.importorskip("skimage.data")
    return torch.from_numpy(skimage_data.astronaut()).permute(2, 0, 1)[None].float() / 255


def unit(v):
    return F.normalize(v, dim=1)


def test_a_shifted_and_scaled_face_scores_near_one_and_a_blank_frame_has_no_face(dlib_encoder):
    a = astronaut()
    smaller = F.interpolate(a, scale_factor=0.8, mode="bilinear", antialias=True)
    shifted = F.pad(smaller, (40, 512 - 40 - smaller.shape[3], 30, 512 - 30 - smaller.shape[2]))
    e = dlib_encoder.embed(torch.cat([a, shifted, torch.zeros(1, 3, 512, 512)]))
    assert e.found.tolist() == [True, True, False] and torch.isnan(e.vectors[2]).all()
    assert float(unit(e.vectors[:1]) @ unit(e.vectors[1:2]).T) > 0.98
    assert len(dlib_encoder.weights_sha256()) == 64 and dlib_encoder.describe()["dim"] == 128


def test_same_person_across_real_frames_scores_higher_than_another_person(dlib_encoder, shared_data):
    from dynode_plugin.video import read_frames

    dyn, _ = read_frames(shared_data / "dynode_example", max_frames=4)
    dyn = F.interpolate(dyn, size=(512, 512), mode="bilinear", antialias=True)
    ed, ea = dlib_encoder.embed(dyn), dlib_encoder.embed(astronaut())
    assert ed.found.all() and ea.found.all()
    d, a = unit(ed.vectors), unit(ea.vectors)
    same = float((d @ d.T).min())
    assert same > 0.94 and float((d @ a.T).max()) < same - 0.08


def test_a_real_in_the_wild_clip_keeps_its_identity(dlib_encoder, shared_data):
    from dynode_plugin.video import read_frames

    path = shared_data / "aamir_khan_clip.mp4"
    if not path.exists():
        pytest.skip(f"{path} not found")
    clip, _ = read_frames(path)
    clip = clip[::15]  # 5 frames over the 2.4 s clip (720p, unaligned)
    dyn, _ = read_frames(shared_data / "dynode_example", max_frames=1)
    ec, ed = dlib_encoder.embed(clip), dlib_encoder.embed(F.interpolate(dyn, size=(512, 512), mode="bilinear", antialias=True))
    assert ec.found.all() and ed.found.all()
    c = unit(ec.vectors)
    same = float((c @ c.T).min())
    assert same > 0.95 and float((c @ unit(ed.vectors).T).max()) < same - 0.05
    # dlib's own rule of thumb: L2 < 0.6 means the same person
    assert float(torch.cdist(ec.vectors, ec.vectors).max()) < 0.6 < float(torch.cdist(ec.vectors, ed.vectors).min())
