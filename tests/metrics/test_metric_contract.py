"""One metric contract: plugin metrics and encoders through `dynode metrics`, flicker, identity
preservation, attribute strength with a known regressor, the embedding cache and --batch-size."""
import json
import types

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.cli import build_cli
from dynode_plugin.metrics.base import Embeddings, Encoder, Metric, Regressor
from dynode_plugin.video import write_video


class MeanColour(Encoder):
    """Identity stand-in: the mean colour of each frame; counts the frames it embeds and its batch sizes."""

    id, kind = "mean-colour", "identity"
    calls = []

    def embed(self, frames):
        MeanColour.calls.append(len(frames))
        return Embeddings(frames.mean((2, 3)).double(), torch.ones(len(frames), dtype=torch.bool))

    def cache_key(self):
        return "mean-colour-v1"


class Brightness(Regressor):
    """A known regressor: brightness = mean of all pixels, redness = mean red minus mean blue."""

    id, attributes = "brightness", ["brightness", "redness"]

    def predict(self, frames):
        return torch.stack([frames.mean((1, 2, 3)), frames[:, 0].mean((1, 2)) - frames[:, 2].mean((1, 2))], 1)


class FrameCount(Metric):
    """A set-level plugin metric (no encoder): frames seen over the whole set."""

    id, summary, per_video = "frame-count", "frames in the set", False

    def reset(self):
        self.n = 0

    def update(self, source, edited):
        self.n += len(edited.frames)

    def compute(self):
        return {"value": float(self.n)}


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    from dynode_plugin.plugins import hookimpl, make_plugin_manager, reset_registry

    mod = types.ModuleType("contract_test_plugin")
    mod.dynode_register_encoders = hookimpl(lambda register: [register(MeanColour), register(Brightness)])
    mod.dynode_register_metrics = hookimpl(lambda register: register(FrameCount))
    reset_registry(make_plugin_manager(autoload=False, extra_plugins=[mod]))
    monkeypatch.setenv("DYNODE_EMBEDDING_CACHE", str(tmp_path / "cache"))
    MeanColour.calls = []
    yield
    reset_registry(None)


def run(*args):
    return CliRunner().invoke(build_cli(), ["metrics", "--quiet", *args])


def colour_clip(rgb, n=6, size=12):
    return torch.tensor(rgb, dtype=torch.float32)[None, :, None, None].expand(n, 3, size, size).clone()


def test_flicker_identity_preservation_and_a_plugin_set_metric_through_the_cli(tmp_path, plugins):
    src = colour_clip([1.0, 0.0, 0.0])
    src[1::2] *= 0.5  # the source alternates red 1.0 / 0.5: flicker 0.5 * (1/3) per transition
    edt = colour_clip([0.0, 1.0, 0.0])  # a completely different, steady video
    write_video(src, tmp_path / "S" / "a")
    write_video(edt, tmp_path / "E" / "a")
    r = run("--source-set", str(tmp_path / "S"), "--edited-set", str(tmp_path / "E"), "--identity-encoder", "mean-colour",
            "--metrics", "flicker,identity-preservation,tl-id,frame-count", "--json", str(tmp_path / "m.json"))
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "m.json").read_text())
    fl = rec["videos"]["a"]["flicker"]
    assert fl["value"] == pytest.approx(0.0, abs=1e-9) and fl["source_value"] == pytest.approx(0.5 / 3, abs=2e-3)
    assert fl["added"] == pytest.approx(-fl["source_value"]) and len(fl["per_frame"]) == 5
    # TL-ID is a ratio to the source's own similarities: a different, steady video scores ~1 against any source,
    # while identity preservation (edited frame vs its own source frame) sees that red became green
    assert rec["videos"]["a"]["tl-id"]["value"] == pytest.approx(1.0, abs=1e-6)
    assert rec["videos"]["a"]["identity-preservation"]["value"] == pytest.approx(0.0, abs=1e-6)
    assert rec["summary"]["frame-count"] == {"value": 6.0} and "frame-count" not in rec["videos"]["a"]
    assert rec["settings"]["identity_encoder"] == "mean-colour" and rec["settings"]["video_encoder"] is None


def test_attribute_strength_with_a_known_regressor(tmp_path, plugins):
    src = torch.rand(5, 3, 12, 12, generator=torch.Generator().manual_seed(0)) * 0.5
    edt = src + torch.linspace(0.1, 0.3, 5)[:, None, None, None]  # brighter by 0.1 .. 0.3, frame by frame
    write_video(src, tmp_path / "s")
    write_video(edt, tmp_path / "e")
    args = ("--source", str(tmp_path / "s"), "--edited", str(tmp_path / "e"), "--metrics", "attribute-strength")
    r = run(*args)
    # the toy world's regressor is registered too; the test's own one must be listed
    assert r.exit_code == 2 and "give --regressor ID (registered regressors: brightness, " in r.output
    r = run(*args, "--regressor", "brightness")
    assert r.exit_code == 2 and "predicts ['brightness', 'redness']; choose the edited one with --attribute NAME" in r.output
    r = run(*args, "--regressor", "mean-colour", "--attribute", "brightness")
    assert r.exit_code == 2 and "'mean-colour' is an identity encoder; --regressor needs a regressor" in r.output
    r = run(*args, "--regressor", "brightness", "--attribute", "brightness", "--json", str(tmp_path / "m.json"))
    assert r.exit_code == 0, r.output
    a = json.loads((tmp_path / "m.json").read_text())["videos"]["s"]["attribute-strength"]
    # frames go through 8-bit PNGs: values are exact to 1/255
    assert a["per_frame"] == pytest.approx([0.1, 0.15, 0.2, 0.25, 0.3], abs=3e-3)
    assert a["value"] == pytest.approx(0.2, abs=3e-3) and a["std"] == pytest.approx(0.0791, abs=3e-3)
    assert a["attribute"] == "brightness" and a["encoder"]["id"] == "brightness"


def test_source_embeddings_are_cached_by_content_and_a_crafted_cache_file_is_ignored(tmp_path, plugins):
    g = torch.Generator().manual_seed(1)
    src = torch.rand(7, 3, 12, 12, generator=g)
    write_video(src, tmp_path / "s")
    for k in (1, 2):
        write_video((src * (0.5 + 0.1 * k)).clamp(0, 1), tmp_path / f"e{k}")
    base = ("--source", str(tmp_path / "s"), "--identity-encoder", "mean-colour", "--metrics", "tl-id,tg-id")
    r1 = run(*base, "--edited", str(tmp_path / "e1"), "--batch-size", "3", "--json", str(tmp_path / "1.json"))
    assert r1.exit_code == 0, r1.output
    assert MeanColour.calls == [3, 3, 1, 3, 3, 1]  # source then edited, 3 frames per forward pass
    files = list((tmp_path / "cache").rglob("*.safetensors"))
    assert len(files) == 1  # the source only
    MeanColour.calls = []
    r2 = run(*base, "--edited", str(tmp_path / "e2"), "--json", str(tmp_path / "2.json"))
    assert r2.exit_code == 0 and MeanColour.calls == [7]  # the second edit of the same source: only the edit is embedded
    rec1, rec2 = (json.loads((tmp_path / f"{k}.json").read_text()) for k in (1, 2))
    assert rec2["embedding_cache"]["hits"] == 1 and rec1["embedding_cache"]["misses"] == 1
    # the same source frames give the same numbers from the cache as computed afresh
    MeanColour.calls = []
    r3 = run(*base, "--edited", str(tmp_path / "e2"), "--no-cache", "--json", str(tmp_path / "3.json"))
    assert r3.exit_code == 0 and MeanColour.calls == [7, 7]
    rec3 = json.loads((tmp_path / "3.json").read_text())
    assert rec3["summary"] == rec2["summary"] and rec3["embedding_cache"] is None
    # a crafted file (a pickle, here) in place of the cache entry: ignored with a warning, left in place, recomputed
    import pickle

    payload = pickle.dumps({"vectors": "boom"})
    files[0].write_bytes(payload)
    MeanColour.calls = []
    with pytest.warns(UserWarning, match="ignoring embedding cache file"):
        r4 = run(*base, "--edited", str(tmp_path / "e2"), "--json", str(tmp_path / "4.json"))
    assert r4.exit_code == 0 and MeanColour.calls == [7, 7] and files[0].read_bytes() == payload
    assert json.loads((tmp_path / "4.json").read_text())["summary"] == rec2["summary"]


def test_a_cache_file_for_other_content_or_shape_is_not_trusted(tmp_path):
    from dynode_plugin.metrics.embedding_cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path)
    emb = Embeddings(torch.randn(4, 3, dtype=torch.float64), torch.tensor([True, True, False, True]))
    cache.save("enc", "abc", emb)
    got = cache.load("enc", "abc", 4)
    assert torch.equal(got.vectors, emb.vectors) and torch.equal(got.found, emb.found)
    cache.path("enc", "abc").rename(cache.path("enc", "xyz"))  # a file whose metadata names other content
    with pytest.warns(UserWarning, match="metadata does not match"):
        assert cache.load("enc", "xyz", 4) is None
    cache.save("enc", "abc", emb)
    with pytest.warns(UserWarning, match="do not fit 5 frames"):
        assert cache.load("enc", "abc", 5) is None


def test_progress_bars_per_set_and_per_video(tmp_path, plugins, capsys):
    from dynode_plugin.metrics.evaluate import evaluate, pairs_from_sets

    for name in ("a", "b"):
        write_video(torch.rand(5, 3, 12, 12), tmp_path / "S" / name)
        write_video(torch.rand(5, 3, 12, 12), tmp_path / "E" / name)
    pairs = pairs_from_sets(tmp_path / "S", tmp_path / "E")
    rec = evaluate(pairs, ["tl-id", "mse"], {"identity": MeanColour()}, progress=True)
    err = capsys.readouterr().err
    assert "videos" in err and "2/2" in err  # the set
    assert "mean-colour source a" in err and "mean-colour edited b" in err and "0/5 [" in err  # each video, per encoder
    assert rec["summary"]["tl-id"]["videos"] == 2
    evaluate(pairs, ["tl-id"], {"identity": MeanColour()}, progress=False)
    assert capsys.readouterr().err == ""


def test_identity_preservation_with_the_toy_encoder():
    from dynode_plugin.metrics.evaluate import score_pair
    from dynode_plugin.toy.host import ToyAppearanceEncoder
    from dynode_plugin.toy.world import render_clip

    frames = render_clip(6, 0)
    recoloured = frames.clone()
    recoloured[:, 0] = (recoloured[:, 0] * 0.6).clamp(0, 1)  # the whole scene loses red
    enc = ToyAppearanceEncoder()
    same = score_pair(frames, frames, ["identity-preservation", "tl-id"], enc)
    other = score_pair(frames, recoloured, ["identity-preservation", "tl-id"], enc)
    assert same["identity-preservation"]["value"] == pytest.approx(1.0, abs=1e-9)
    assert other["identity-preservation"]["value"] < 0.99
    assert other["identity-preservation"]["pairs_used"] == 6 and other["identity-preservation"]["encoder"]["id"] == "toy-appearance"



def test_content_hash_tells_apart_frames_that_differ_in_one_value():
    from dynode_plugin.metrics.video_input import Video

    x = torch.rand(3, 3, 8, 8, generator=torch.Generator().manual_seed(3))
    nudged = x.clone()
    nudged[1, 0, 2, 2] += 1e-6
    assert Video(x).content_hash() == Video(x.clone()).content_hash()
    assert len({Video(v).content_hash() for v in (x, nudged, nudged[:2], x.flip(0))}) == 4
