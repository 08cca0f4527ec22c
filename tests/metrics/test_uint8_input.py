"""Videos scored from decoded uint8 pixels (as `dynode metrics` reads them) give the very numbers
of their float conversion, for every metric; dlib gets the pixels unconverted, others convert once."""
import pytest
import torch

from dynode_plugin.metrics.base import Embeddings, Encoder, Regressor
from dynode_plugin.metrics.content_key import content_key
from dynode_plugin.metrics.evaluate import score_pair
from dynode_plugin.metrics.video_input import Video
from dynode_plugin.video import pixels_to_float, read_frames, write_video


def pixels(seed=0, n=20, h=24, w=32):
    """uint8 [N,3,H,W] stored [N,H,W,3], as read_frames(..., keep_uint8=True) gives them."""
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, h, w, 3), generator=g, dtype=torch.uint8).permute(0, 3, 1, 2)


class RoundingEncoder(Encoder):
    """Takes uint8 like dlib (floats are rounded back to levels); records the dtypes it was given."""

    id, kind, takes_uint8 = "rounding", "identity", True
    seen = []

    def embed(self, frames):
        RoundingEncoder.seen.append(frames.dtype)
        levels = frames if frames.dtype == torch.uint8 else (frames * 255 + 0.5).to(torch.uint8)
        return Embeddings(levels.double().mean((2, 3)) + 1, torch.ones(len(frames), dtype=torch.bool))

    def cache_key(self):
        return "rounding-v1"


class FloatEncoder(Encoder):
    id, kind = "float-only", "identity"

    def embed(self, frames):
        assert frames.dtype == torch.float32
        return Embeddings(torch.cat([frames.mean((2, 3)), frames.std((2, 3))], 1).double(), torch.ones(len(frames), dtype=torch.bool))


class ClipStats(Encoder):
    id, kind = "clip-stats", "video"

    def embed_clips(self, clips):
        assert clips.dtype == torch.float32
        return torch.cat([clips.mean((1, 3, 4)), clips.std((1, 3, 4)), clips[:, :1].mean((1, 2, 3, 4))[:, None]], 1).double()


class Redness(Regressor):
    id, attributes = "redness", ["redness"]

    def predict(self, frames):
        return (frames[:, 0] - frames[:, 2]).mean((1, 2))[:, None]


def all_metrics():
    from dynode_plugin.plugins import get_registry

    return get_registry().ids("metrics")


@pytest.mark.parametrize("identity", [RoundingEncoder, FloatEncoder])
def test_every_metric_scores_uint8_pixels_exactly_as_their_float_conversion(identity):
    src, edt = pixels(0), pixels(1)
    edt[5:] = src[5:] // 2 + 60  # a partly similar edit: non-trivial identity ratios
    encs = {"video": ClipStats(), "regressor": Redness()}
    settings = {"fvd_stride": 4}
    ids = all_metrics()
    from_float = score_pair(pixels_to_float(src), pixels_to_float(edt), ids, identity(), encoders=encs, settings=settings)
    RoundingEncoder.seen.clear()
    from_uint8 = score_pair(src, edt, ids, identity(), encoders=encs, settings=settings)
    assert {"tl-id", "tg-id", "acd", "mse", "ssim", "flicker", "fvd", "attribute-strength"} <= set(from_uint8)
    for m in ids:
        assert from_uint8[m]["value"] == from_float[m]["value"], m
        assert from_uint8[m]["value"] is not None, m
    assert from_uint8 == from_float  # per-frame details included
    if identity is RoundingEncoder:
        assert set(RoundingEncoder.seen) == {torch.uint8}


def test_identity_metrics_on_uint8_never_make_a_float_copy_and_frame_metrics_make_one():
    src, edt = Video(pixels(0), role="source"), Video(pixels(1))
    score_pair(src.pixels, edt.pixels, ["tl-id"], RoundingEncoder())  # through the public path as well
    for m in ("tl-id", "tg-id", "acd"):
        from dynode_plugin.metrics.suite import ACD, TGID, TLID

        {"tl-id": TLID, "tg-id": TGID, "acd": ACD}[m](RoundingEncoder()).update(src, edt)
    assert src._frames is None and edt._frames is None and len(src) == 20
    f = edt.frames
    assert f.dtype == torch.float32 and edt.frames is f  # converted once, then kept
    assert torch.equal(f, pixels(1).float() / 255)


def test_uint8_keys_ignore_memory_layout_and_never_match_the_float_key(tmp_path):
    from dynode_plugin.metrics.embedding_cache import EmbeddingCache

    p = pixels(0)
    assert not p.is_contiguous()
    k = content_key(p)
    assert content_key(p.contiguous()) == k
    assert content_key(pixels_to_float(p)) != k
    nudged = p.clone()
    nudged[3, 1, 2, 2] ^= 1
    assert content_key(nudged) != k
    cache = EmbeddingCache(tmp_path)
    v = Video(p, role="source", cache=cache)
    first = v.embeddings(RoundingEncoder())
    again = Video(p.contiguous(), role="source", cache=cache).embeddings(RoundingEncoder())
    assert (cache.hits, cache.misses) == (1, 1) and torch.equal(first.vectors, again.vectors)
    Video(pixels_to_float(p), role="source", cache=cache).embeddings(RoundingEncoder())
    assert (cache.hits, cache.misses) == (1, 2)  # float input has its own key: a miss, never a wrong hit


@pytest.mark.parametrize("kind", ["mp4", "png-folder"])
def test_read_frames_keeps_decoded_pixels_whose_conversion_is_the_float_read(tmp_path, kind):
    target = tmp_path / ("clip.mp4" if kind == "mp4" else "frames")
    write_video(pixels_to_float(pixels(2, n=5, h=32, w=48)), target, 10)
    floats, fps = read_frames(target)
    kept, fps2 = read_frames(target, keep_uint8=True)
    assert kept.dtype == torch.uint8 and tuple(kept.shape) == tuple(floats.shape) and fps == fps2
    assert kept.permute(0, 2, 3, 1).is_contiguous()  # stored as decoded: [H,W,3] per frame
    assert torch.equal(pixels_to_float(kept), floats)
    if kind == "png-folder":  # lossless: the very pixels written
        assert torch.equal(kept, pixels(2, n=5, h=32, w=48))


def test_sixteen_bit_frames_stay_float(tmp_path):
    iio = pytest.importorskip("imageio.v3")
    import numpy as np

    (tmp_path / "f").mkdir()
    iio.imwrite(tmp_path / "f" / "0.png", np.arange(12 * 14, dtype=np.uint16).reshape(12, 14) * 331)  # 16-bit grey
    got, _ = read_frames(tmp_path / "f", keep_uint8=True)
    assert iio.imread(tmp_path / "f" / "0.png").dtype != np.uint8
    assert got.dtype == torch.float32 and torch.equal(got, read_frames(tmp_path / "f")[0])


def test_dlib_scores_decoded_real_frames_as_it_scores_their_float_conversion(shared_data):
    pytest.importorskip("dlib")
    from dynode_plugin.metrics.enc_dlib import DlibEncoder

    path = shared_data / "aamir_khan_clip.mp4"
    if not path.exists():
        pytest.skip(f"{path} not found")
    src, _ = read_frames(path, max_frames=6, keep_uint8=True)
    edt = src.clone()
    edt[:, 0] = (edt[:, 0].int() * 7 // 8).to(torch.uint8)  # a colour edit, in pixels
    ids = ["tl-id", "tg-id", "acd", "acd-source", "identity-preservation", "mse", "ssim", "flicker"]
    for fast in (True, False):
        a = score_pair(src, edt, ids, DlibEncoder(fast=fast))
        b = score_pair(pixels_to_float(src), pixels_to_float(edt), ids, DlibEncoder(fast=fast))
        assert a == b
        assert a["tl-id"]["frames_used"] == 6
