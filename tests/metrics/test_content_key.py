"""Content keys of the embedding cache: which inputs share a key, the sha256 fallback, old and crafted files."""
import sys

import pytest
import torch

from dynode_plugin.metrics.base import Embeddings
from dynode_plugin.metrics.content_key import content_key
from dynode_plugin.metrics.embedding_cache import EmbeddingCache
from dynode_plugin.metrics.video_input import Video


def decoded_clip(seed=0, n=4, h=9, w=11):
    """Frames as a decoder gives them: uint8 levels / 255 in float32."""
    return torch.randint(0, 256, (n, 3, h, w), generator=torch.Generator().manual_seed(seed), dtype=torch.uint8).float() / 255


def one_level_up(frames, t=2, c=1, y=4, x=5):
    out = frames.clone()
    out[t, c, y, x] = min(out[t, c, y, x] * 255 + 1, 255) / 255 if out[t, c, y, x] < 1 else 254 / 255
    return out


def test_one_level_in_one_pixel_of_one_frame_changes_the_key_and_the_same_video_keeps_it():
    x = decoded_clip()
    k = content_key(x)
    assert k.startswith("xxh3_128-") and len(k) == len("xxh3_128-") + 32
    assert content_key(decoded_clip()) == k  # the same video decoded again
    assert content_key(x.transpose(2, 3).contiguous().transpose(2, 3)) == k  # the same values in another memory layout
    nudged = one_level_up(x)
    assert (nudged != x).sum() == 1
    others = [nudged, x[:3], x.flip(0), x[:, [2, 1, 0]], x.reshape(4, 3, 11, 9)]  # a pixel, a frame, order, channels, shape
    assert len({k, *map(content_key, others)}) == 1 + len(others)


def test_float_and_uint8_pictures_share_a_key_only_when_the_encoder_gets_identical_input():
    x = decoded_clip()
    # the same uint8 picture as other floats: dlib would round both to it, a float encoder would not: never one key
    near = x + 0.2 / 255
    assert torch.equal((near * 255 + 0.5).to(torch.uint8), (x * 255 + 0.5).to(torch.uint8))
    assert content_key(near) != content_key(x)
    # equal values in another dtype are another input (float64 arithmetic in a float encoder): another key
    assert content_key(x.double()) != content_key(x)
    u8 = (x * 255).round().to(torch.uint8)
    assert content_key(u8) != content_key(x) and content_key(u8) == content_key(u8.clone())
    # and a bfloat16 video (2-byte values) is keyed from its own bytes
    assert content_key(x.bfloat16()) != content_key(one_level_up(x).bfloat16())


def test_without_xxhash_the_key_is_sha256_and_still_sees_one_level(monkeypatch):
    fast = content_key(decoded_clip())
    monkeypatch.setitem(sys.modules, "xxhash", None)  # import xxhash now raises ImportError
    slow = content_key(decoded_clip())
    assert slow.startswith("sha256-") and len(slow) == len("sha256-") + 64 and slow != fast
    assert content_key(one_level_up(decoded_clip())) != slow


def test_the_same_video_hits_the_cache_and_another_misses(tmp_path):
    cache = EmbeddingCache(tmp_path)
    emb = Embeddings(torch.randn(4, 5, dtype=torch.float64), torch.tensor([True, False, True, True]))
    cache.save("enc", Video(decoded_clip(), role="source").content_hash(), emb)
    got = cache.load("enc", Video(decoded_clip(), role="source").content_hash(), 4)
    assert got is not None and torch.equal(got.vectors.nan_to_num(7), emb.vectors.nan_to_num(7)) and torch.equal(got.found, emb.found)
    assert cache.load("enc", Video(one_level_up(decoded_clip())).content_hash(), 4) is None
    assert (cache.hits, cache.misses) == (1, 1)


def test_an_old_format_or_crafted_file_at_the_key_is_ignored_with_a_warning_and_left(tmp_path):
    from safetensors.torch import save_file

    cache = EmbeddingCache(tmp_path)
    key = content_key(decoded_clip())
    p = cache.path("enc", key)
    p.parent.mkdir(parents=True)
    good = {"vectors": torch.zeros(4, 5, dtype=torch.float64), "found": torch.ones(4, dtype=torch.bool)}
    for meta, tensors, why in (
            ({"format": "dynode-embeddings-1", "encoder": "enc", "content": key}, good, "metadata does not match"),
            ({"format": "dynode-embeddings-2", "encoder": "other", "content": key}, good, "metadata does not match"),
            ({"format": "dynode-embeddings-2", "encoder": "enc", "content": key}, {**good, "extra": torch.zeros(1)}, "unexpected tensors"),
            ({"format": "dynode-embeddings-2", "encoder": "enc", "content": key},
             {**good, "vectors": torch.zeros(4, 5)}, "do not fit")):  # float32 vectors: not what was written
        save_file(tensors, str(p), metadata=meta)
        before = p.read_bytes()
        with pytest.warns(UserWarning, match=why):
            assert cache.load("enc", key, 4) is None
        cache.save("enc", key, Embeddings(torch.ones(4, 5, dtype=torch.float64), torch.ones(4, dtype=torch.bool)))
        assert p.read_bytes() == before  # never replaced: left for the user to inspect
    p.write_bytes(b"\x80\x04not safetensors at all")
    with pytest.warns(UserWarning, match="ignoring embedding cache file"):
        assert cache.load("enc", key, 4) is None
