"""Issue 15 part 0: the toy encoder's shape branch, its encoder-only training (generator frozen), and
the shipped weights drawing boxes as boxes in both inversion modes."""
import pytest
import torch

from dynode_plugin.toy import world


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory):
    from dynode_plugin.toy.assets import ToyAssets, save_assets
    from dynode_plugin.toy.generator import build

    torch.manual_seed(0)
    g, e = build()
    path = tmp_path_factory.mktemp("toyassets_shape")
    save_assets(ToyAssets(g, e, {}, {"seed": 0}), path)
    return path


def test_a_fresh_shape_branch_changes_no_code_and_weights_without_it_still_load(random_weights, tmp_path):
    from safetensors.torch import load_file, save_file

    from dynode_plugin.toy.assets import WEIGHTS, load_assets

    a = load_assets(random_weights)
    x = world.render(world.random_factors(4, torch.Generator().manual_seed(0)))
    with torch.no_grad():
        w = a.encoder(x)
        assert torch.equal(w, a.encoder.head(a.encoder.net(x * 2 - 1)).reshape_as(w))  # box_step starts at zero
        assert a.encoder.box_logit(x).shape == (4,)
    t = load_file(str(random_weights / WEIGHTS))
    (tmp_path / "toy_generator.json").write_text("{}")
    save_file({k: v for k, v in t.items() if not k.startswith(("e.shape_net.", "e.box_step."))}, str(tmp_path / WEIGHTS))
    with torch.no_grad():  # weights from before the branch: the same codes (no box step)
        assert torch.allclose(load_assets(tmp_path).encoder(x), w, atol=1e-6)
    save_file({k: v for k, v in t.items() if k != "e.head.weight"}, str(tmp_path / WEIGHTS))
    with pytest.raises(RuntimeError, match="head.weight"):
        load_assets(tmp_path)


def test_training_with_the_generator_frozen_moves_only_the_encoder(random_weights):
    from dynode_plugin.toy.assets import load_assets
    from dynode_plugin.toy.train import _train_detector, train

    before = load_assets(random_weights)
    g, e, steps = train(seed=0, batch=2, steps=2, lr=1e-2, init=random_weights, freeze_generator=True, object_weight=1.0,
                        corner_weight=1.0, box_weight=0.1, log=lambda *a, **k: None)
    assert steps == 2
    for (name, p), q in zip(g.named_parameters(), before.generator.parameters()):
        assert torch.equal(p, q), name  # the generator is untouched
    for part in ("head.weight", "box_step.weight", "shape_net.0.weight"):
        assert not torch.equal(e.state_dict()[part], before.encoder.state_dict()[part]), part
    # the detector's warm-up trains the shape branch's detector alone
    e = load_assets(random_weights).encoder
    _train_detector(e, 2, torch.Generator().manual_seed(0), log=None, batch=4)
    changed = {k for k, v in e.state_dict().items() if not torch.equal(v, before.encoder.state_dict()[k])}
    assert changed and all(k.startswith("shape_net.") for k in changed), changed


def test_shipped_shape_edits_turn_discs_into_boxes():
    """With the shape in the codes, the linear ``shape`` direction and the ``shape-mapper`` edit change it:
    held-out disc scenes, encoder inversion, strength 2 (disc -> box: twice half the range)."""
    from dynode_plugin.toy.assets import load_assets
    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.toy.quality import crop_object

    host, classifier = ToyHost(), load_assets().shape_classifier
    f = {**world.random_factors(32, torch.Generator().manual_seed(555)), "shape": torch.zeros(32)}
    w = host.invert(world.render(f), progress=False)
    boxes = lambda z: float((classifier(crop_object(host.synthesize(z), f)) > 0.5).float().mean())  # noqa: E731
    with torch.no_grad():
        assert boxes(w) <= 0.25  # measured 0.09
        assert boxes(host.edit(w, "shape", 2.0)) >= 0.75 and boxes(host.edit(w, "shape-mapper", 2.0)) >= 0.75  # 0.91, 0.91
