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


def _fast_equals_dlibs_own_path(frames):
    """The fast path (pyramid shortcut + PyTorch ResNet) against dlib's own code on the same frames."""
    from dynode_plugin.metrics.enc_dlib import DlibEncoder

    fast, slow = DlibEncoder(), DlibEncoder(fast=False)
    ef, es = fast.embed(frames), slow.embed(frames)
    assert torch.equal(ef.found, es.found) and ef.found.any()
    assert float((ef.vectors[ef.found] - es.vectors[es.found]).abs().max()) < 1e-5  # float32 round-off
    assert fast.describe()["descriptor_backend"] == "torch" and slow.describe()["descriptor_backend"] == "dlib"
    return fast.finder


def test_the_fast_path_finds_the_same_faces_and_embeddings_as_dlib(dlib_encoder):
    a = astronaut()
    frames = []
    for k in range(5):  # a little video: the face drifts and grows, as in a real clip
        big = F.interpolate(a, scale_factor=1.4 + 0.05 * k, mode="bilinear", antialias=True)
        frames.append(big[:, :, 20 + 6 * k: 20 + 6 * k + 560, 30 + 4 * k: 30 + 4 * k + 640])
    frames.append(torch.zeros(1, 3, 560, 640))  # no face: both paths fall back to the upsampled scan
    finder = _fast_equals_dlibs_own_path(torch.cat(frames))
    assert finder.shortcuts >= 3  # the shortcut was taken, and gave dlib's own boxes


def test_the_fast_path_follows_a_shrinking_face_to_lower_pyramid_levels(dlib_encoder):
    """A zoom-out moves the face's best box down the pyramid, where the shortcut must not miss it
    (a scan from the face's own level instead of one below gives other boxes on most frames of such a
    clip: benchmarks/metrics.py, detection_routes)."""
    a = astronaut()
    frames = []
    for k in range(7):
        big = F.interpolate(a, scale_factor=1.8 - 0.1 * k, mode="bilinear", antialias=True)
        big = F.pad(big, (0, max(0, 670 - big.shape[3]), 0, max(0, 580 - big.shape[2])))
        frames.append(big[:, :, 20:580, 30:670])
    finder = _fast_equals_dlibs_own_path(torch.cat(frames))
    # the face's box moves from pyramid level 4 to 3 at the 4th frame: found again one level lower, no full scan
    assert finder.full_scans == 1 and finder.shortcuts == 6 and finder._hint == 2


@pytest.mark.realdata
def test_the_fast_path_matches_dlib_on_the_real_clip(shared_data):
    from dynode_plugin.video import read_frames

    path = shared_data / "aamir_khan_clip.mp4"
    if not path.exists():
        pytest.skip(f"{path} not found")
    clip, _ = read_frames(path, max_frames=8)
    assert _fast_equals_dlibs_own_path(clip).shortcuts >= 6
