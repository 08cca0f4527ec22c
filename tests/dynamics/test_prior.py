"""Motion priors: a prior trained on a few tiny clips of one family helps a new clip of it; the
.dynode-prior file round-trips and is refused when damaged or stale; --prior flows through the CLI."""
import json
import math

import pytest
import torch
from click.testing import CliRunner

from dynode_plugin.cli import build_cli
from dynode_plugin.dynamics.config import ODEConfig
from dynode_plugin.dynamics.model import DynamicsModel
from dynode_plugin.dynamics.prior import load_prior
from dynode_plugin.dynamics.prior_training import PriorTraining, train_prior
from dynode_plugin.errors import DynodeInputError

N = 32
SHAPE = (2, 8)
_BASIS = torch.linalg.qr(torch.randn(16, 2, generator=torch.Generator().manual_seed(7)))[0]
_OFFSET = torch.randn(16, generator=torch.Generator().manual_seed(8))


def spin(seed: int, n: int = N) -> torch.Tensor:
    """A family of clips: a point turning 1.5 times around a circle (random phase and radius) in a fixed
    plane of a 16-dim latent. Observed every 6th frame, a turn is 4 observations: chords cut the corners."""
    g = torch.Generator().manual_seed(seed)
    phase, radius = float(torch.rand(1, generator=g)) * 2 * math.pi, 0.8 + 0.4 * float(torch.rand(1, generator=g))
    angle = phase + 2 * math.pi * 1.5 * torch.linspace(0, 1, n)
    xy = radius * torch.stack([torch.cos(angle), torch.sin(angle)], 1)
    return (_OFFSET + xy @ _BASIS.T).reshape(n, *SHAPE)


def sparse_mask(n: int = N, every: int = 6) -> torch.Tensor:
    mask = torch.zeros(n, dtype=torch.bool)
    mask[::every] = True
    mask[-1] = True
    return mask


TRAINING = PriorTraining(steps=150, batch=32, segments=2, max_gap=6, lr=1e-2, context=0, fit_steps=40, fit_lr=1e-3)
SMALL = ODEConfig(subspace_dim=2, hidden=32, depth=1)


@pytest.fixture(scope="module")
def prior_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("prior") / "spin.dynode-prior"
    prior = train_prior([spin(100 + i) for i in range(12)], SMALL, TRAINING, progress=False,
                        trained_against={"note": "test"})
    prior.save(path)
    return path


def held_out_mse(model, z, mask):
    return float(((model.predict()[~mask] - z[~mask]) ** 2).mean())


def test_prior_lowers_held_out_error_on_a_new_clip(prior_file):
    mask = sparse_mask()
    plain, with_prior = [], []
    for seed in (0, 1):  # clips the prior never saw
        z = spin(seed)
        plain.append(held_out_mse(DynamicsModel(subspace_dim=2, hidden=32, depth=1, steps=40).fit(z, mask=mask, progress=False), z, mask))
        m = DynamicsModel(prior=str(prior_file)).fit(z, mask=mask, progress=False)
        with_prior.append(held_out_mse(m, z, mask))
        assert m.report.prior["checksum"] == load_prior(prior_file).checksum
        assert m.config.hidden == 32 and m.config.steps == 40  # the prior's architecture and fit settings
    assert sum(with_prior) < 0.5 * sum(plain), (with_prior, plain)


def test_prior_file_round_trip(prior_file, tmp_path):
    a = load_prior(prior_file)
    a.save(tmp_path / "copy.dynode-prior")
    b = load_prior(tmp_path / "copy.dynode-prior")
    assert b.checksum == a.checksum and b.shape == SHAPE and b.trained_against == {"note": "test"}
    assert torch.equal(b.subspace.basis, a.subspace.basis) and b.field_state.keys() == a.field_state.keys()
    assert all(torch.equal(b.field_state[k], a.field_state[k]) for k in a.field_state)
    assert b.report["clips"] == 12 and b.fit["steps"] == 40


def test_a_fit_with_a_prior_saves_and_loads_as_a_dynode_file(prior_file, tmp_path):
    z, mask = spin(3), sparse_mask()
    m = DynamicsModel(prior=str(prior_file)).fit(z, mask=mask, progress=False)
    m.save(tmp_path / "m.dynode")
    back = DynamicsModel.load(tmp_path / "m.dynode")
    assert torch.allclose(back.predict(), m.predict(), atol=1e-6)
    assert back.report.prior["path"] == str(prior_file)


def _damage(src, dst, at: int) -> None:
    data = bytearray(src.read_bytes())
    data[at] ^= 0xFF
    dst.write_bytes(bytes(data))


def test_damaged_prior_is_refused(prior_file, tmp_path):
    bad = tmp_path / "bad.dynode-prior"
    _damage(prior_file, bad, len(prior_file.read_bytes()) - 5)  # a byte of a tensor
    with pytest.raises(DynodeInputError, match="checksum"):
        load_prior(bad)
    (tmp_path / "junk.dynode-prior").write_bytes(b"not a prior")
    with pytest.raises(DynodeInputError, match="not a readable .dynode-prior file"):
        load_prior(tmp_path / "junk.dynode-prior")


def _rewrite_header(src, dst, change) -> None:
    from safetensors.torch import load_file, save_file

    from dynode_plugin.dynamics.io import read_header
    from dynode_plugin.dynamics.prior import KIND

    header = read_header(src, KIND)
    change(header)
    save_file(load_file(str(src)), str(dst), metadata={"dynode-prior": json.dumps(header)})


def test_stale_or_mismatched_prior_is_refused(prior_file, tmp_path):
    old = tmp_path / "old.dynode-prior"
    _rewrite_header(prior_file, old, lambda h: h.update(version=0))
    with pytest.raises(DynodeInputError, match="format version 0"):
        load_prior(old)
    edited = tmp_path / "edited.dynode-prior"
    _rewrite_header(prior_file, edited, lambda h: h["config"].update(hidden=64))  # the checksum covers the header
    with pytest.raises(DynodeInputError, match="checksum"):
        load_prior(edited)
    with pytest.raises(DynodeInputError, match="trained on latents of shape"):
        DynamicsModel(prior=str(prior_file)).fit(torch.randn(N, 4, 4), progress=False)
    with pytest.raises(DynodeInputError, match="conflicts with the prior"):
        DynamicsModel(prior=str(prior_file), hidden=64).fit(spin(0), progress=False)


def test_prior_flows_through_dynode_fit_and_cli_errors_exit_2(prior_file, tmp_path):
    torch.save(spin(4), tmp_path / "z.pt")
    out = tmp_path / "m.dynode"
    r = CliRunner().invoke(build_cli(), ["fit", str(tmp_path / "z.pt"), "--observe-every", "6", "--prior", str(prior_file),
                                         "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert "prior" in r.output and str(prior_file) in r.output
    assert DynamicsModel.load(out).config.prior == str(prior_file)
    bad = tmp_path / "bad.dynode-prior"
    _damage(prior_file, bad, len(prior_file.read_bytes()) - 5)
    r = CliRunner().invoke(build_cli(), ["fit", str(tmp_path / "z.pt"), "--prior", str(bad), "--out", str(tmp_path / "x.dynode")])
    assert r.exit_code == 2 and r.output.startswith("Error:") and "checksum" in r.output
    assert not (tmp_path / "x.dynode").exists()


def test_dynode_prior_train_writes_a_prior(tmp_path):
    clips = []
    for i in range(3):
        torch.save(spin(200 + i), tmp_path / f"c{i}.pt")
        clips.append(str(tmp_path / f"c{i}.pt"))
    out = tmp_path / "p.dynode-prior"
    r = CliRunner().invoke(build_cli(), ["prior", "train", *clips, "--out", str(out), "--subspace-dim", "2", "--hidden", "16",
                                         "--steps", "5", "--context", "2", "-q"])
    assert r.exit_code == 0, r.output
    p = load_prior(out)
    assert p.report["clips"] == 3 and p.config["context"] == 2 and p.dim == 2
    r = CliRunner().invoke(build_cli(), ["prior", "train", *clips, "--out", str(out)])
    assert r.exit_code == 2 and "exists" in r.output  # never replaced without --force


def test_prior_flows_through_dynode_edit_on_the_toy_host(prior_file, tmp_path):
    from dynode_plugin.toy import world
    from dynode_plugin.toy.host import ToyHost
    from dynode_plugin.video import write_video

    frames = world.render_clip(8, seed=3)
    write_video(frames, tmp_path / "clip")
    base = ["edit", "--host", "toy", "--input", str(tmp_path / "clip"), "--edit", "colour=+1", "--steps", "5"]
    # the spin prior is for [2, 8] latents: the toy host's fit reaches it and refuses, nothing written
    r = CliRunner().invoke(build_cli(), base + ["--prior", str(prior_file), "--out", str(tmp_path / "bad")])
    assert r.exit_code == 2 and "trained on latents of shape [2, 8]" in r.output and not (tmp_path / "bad").exists()
    # a prior of the toy host's latents (a tiny one, trained on encoded toy clips) is used
    clips = [ToyHost().invert(world.render_clip(8, seed=s), progress=False) for s in (20, 21)]
    toy_prior = tmp_path / "toy.dynode-prior"
    train_prior(clips, ODEConfig(subspace_dim=3, hidden=16, depth=1), PriorTraining(steps=3, context=2), progress=False).save(toy_prior)
    r = CliRunner().invoke(build_cli(), base + ["--prior", str(toy_prior), "--out", str(tmp_path / "ok")])
    assert r.exit_code == 0, r.output
    assert torch.load(tmp_path / "ok" / "edited_latents.pt").shape == (8, 10, 64)
