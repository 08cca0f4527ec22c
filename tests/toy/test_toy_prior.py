"""The shipped toy motion prior: trained against the shipped toy weights, on scenes no benchmark uses."""
import pytest

from dynode_plugin.dynamics.prior import load_prior
from dynode_plugin.toy.prior import FIRST_SEED, codes_sha256, shipped_prior_path, training_seeds


@pytest.fixture(scope="module")
def prior():
    path = shipped_prior_path()
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it with `python -m dynode_plugin.toy.prior`")
    return load_prior(path)


def test_shipped_prior_matches_the_shipped_toy_weights(prior):
    # fails when the generator or encoder in dynode_plugin/toy/assets/toy_generator.safetensors changed and the
    # prior was not re-trained (a re-derived direction or mapper changes the file, not the codes the prior learned)
    assert prior.trained_against["toy_codes_sha256"] == codes_sha256(), \
        "the toy generator/encoder changed: re-train the prior with `python -m dynode_plugin.toy.prior`"


def test_codes_hash_sees_the_encoder_and_generator_and_not_the_directions(tmp_path):
    import torch
    from safetensors.torch import load_file, save_file

    from dynode_plugin.toy.assets import ASSETS, WEIGHTS

    t = load_file(str(ASSETS / WEIGHTS))
    names = [k for k in t if k.startswith("direction.")][:1] + ["e.head.bias", "g.const"]
    for name in names:
        changed = dict(t)
        changed[name] = t[name] + torch.ones_like(t[name]) * 1e-3
        save_file(changed, str(tmp_path / WEIGHTS))
        assert (codes_sha256(tmp_path / WEIGHTS) == codes_sha256()) == name.startswith("direction."), name


def test_shipped_prior_never_saw_a_benchmark_scene(prior):
    seeds = training_seeds(prior)
    assert seeds.start >= FIRST_SEED and len(seeds) == prior.report["clips"]
    assert not set(range(FIRST_SEED)) & set(seeds)  # benchmarks and tests render scenes below FIRST_SEED
    assert prior.shape == (10, 64) and prior.trained_against["inversion"] == "encoder"
