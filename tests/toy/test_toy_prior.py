"""The shipped toy motion prior: trained against the shipped toy weights, on scenes no benchmark uses."""
import pytest

from dynode_plugin.dynamics.prior import load_prior
from dynode_plugin.toy.prior import FIRST_SEED, shipped_prior_path, training_seeds, weights_sha256


@pytest.fixture(scope="module")
def prior():
    path = shipped_prior_path()
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it with `python -m dynode_plugin.toy.prior`")
    return load_prior(path)


def test_shipped_prior_matches_the_shipped_toy_weights(prior):
    # fails when dynode_plugin/toy/assets/toy_generator.safetensors changed and the prior was not re-trained
    assert prior.trained_against["toy_weights_sha256"] == weights_sha256(), \
        "the toy weights changed: re-train the prior with `python -m dynode_plugin.toy.prior`"


def test_shipped_prior_never_saw_a_benchmark_scene(prior):
    seeds = training_seeds(prior)
    assert seeds.start >= FIRST_SEED and len(seeds) == prior.report["clips"]
    assert not set(range(FIRST_SEED)) & set(seeds)  # benchmarks and tests render scenes below FIRST_SEED
    assert prior.shape == (10, 64) and prior.trained_against["inversion"] == "encoder"
