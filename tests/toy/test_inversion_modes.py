"""The toy host's inversion modes: encoder (one pass), few-step and optimize."""
import pytest
import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.toy import world


@pytest.fixture(scope="module")
def random_assets(tmp_path_factory):
    from dynode_plugin.toy.assets import ToyAssets, save_assets
    from dynode_plugin.toy.generator import build

    torch.manual_seed(0)
    g, e = build()
    path = tmp_path_factory.mktemp("toyassets_inv")
    save_assets(ToyAssets(g, e, {"colour": torch.randn(10, 64)}, {"seed": 0}), path)
    return path


def test_modes_choose_their_steps(random_assets, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_ASSETS", str(random_assets))
    monkeypatch.delenv("DYNODE_TOY_INVERSION", raising=False)
    monkeypatch.delenv("DYNODE_TOY_INVERSION_STEPS", raising=False)
    from dynode_plugin.toy.host import ToyHost

    assert (ToyHost().inversion, ToyHost().inversion_steps) == ("encoder", 0)
    assert ToyHost(inversion="few-step").inversion_steps == 10
    assert ToyHost(inversion="optimize").inversion_steps == 150
    assert (ToyHost(inversion_steps=7).inversion, ToyHost(inversion_steps=7).inversion_steps) == ("optimize", 7)
    monkeypatch.setenv("DYNODE_TOY_INVERSION", "few-step")
    assert ToyHost().inversion_steps == 10
    with pytest.raises(DynodeInputError, match="unknown toy inversion 'e4e'.*encoder, few-step, optimize"):
        ToyHost(inversion="e4e")


def test_encoder_mode_is_one_encoder_pass_and_optimising_lowers_the_error(random_assets, monkeypatch):
    monkeypatch.setenv("DYNODE_TOY_ASSETS", str(random_assets))
    from dynode_plugin.toy.host import ToyHost

    frames = world.render_clip(4, seed=5)
    enc = ToyHost(inversion="encoder")
    z = enc.invert(frames, progress=False)
    with torch.no_grad():
        assert torch.equal(z, enc.encoder(frames))
    few = ToyHost(inversion="optimize", inversion_steps=5).invert(frames, progress=False)
    err = lambda codes: float((enc.synthesize(codes) - frames).pow(2).mean())  # noqa: E731
    assert err(few) < err(z)
