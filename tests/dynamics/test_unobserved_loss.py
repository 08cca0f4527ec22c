"""The fit's loss at frames with pixels but no observed code (dynamics/unobserved_loss.py): the host's
"renderer" here is the identity, so the loss compares predicted latents with the true ones."""
import pytest
import torch

from dynode_plugin import DynamicsModel
from dynode_plugin.dynamics.unobserved_loss import FrameLoss
from dynode_plugin.errors import DynodeInputError

from dyn_helpers import curved_clip

FAST = dict(steps=100, batch=16, window=4, hidden=32, subspace_dim=2, plateau_patience=0)  # every step runs (counted below)


def sparse_clip():
    t, clean, _, _ = curved_clip(n=33)
    mask = torch.zeros(33, dtype=torch.bool)
    mask[::8] = True
    return t, clean, mask


class Spy:
    """loss = weight x MSE of the latents against the true ones at the frames asked for; records each call."""

    def __init__(self, truth, weight=10.0):
        self.truth, self.weight, self.calls = truth, weight, []

    def __call__(self, latents, index, step):
        self.calls.append((step, index.clone(), latents.detach().clone()))
        return self.weight * (latents - self.truth[index]).pow(2).mean()


def held_out(model, t, clean, mask):
    return float(((model.predict(t)[~mask] - clean[~mask]) ** 2).mean())


def test_the_loss_at_unobserved_frames_pulls_the_predictions_there():
    t, clean, mask = sparse_clip()
    plain = DynamicsModel(**FAST).fit(clean, mask=mask, progress=False)
    spy = Spy(clean)
    with_loss = DynamicsModel(**FAST).fit(clean, mask=mask, progress=False,
                                          unobserved_loss=FrameLoss(spy, torch.ones(33, dtype=torch.bool), per_step=3))
    before, after = held_out(plain, t, clean, mask), held_out(with_loss, t, clean, mask)
    assert after < 0.5 * before, (before, after)
    # observed frames: still exact (anchored prediction); the term saw unobserved frames only, 3 per step
    assert torch.allclose(with_loss.predict(t)[mask], clean[mask], atol=1e-4)
    assert len(spy.calls) == FAST["steps"] and all(len(i) == 3 and not mask[i].any() for _, i, _ in spy.calls)
    # what the term scored is what predict returns there (the same anchored predictor; one small Adam step later)
    _, idx, latents = spy.calls[-1]
    assert torch.allclose(with_loss.predict(t[idx]), latents, atol=0.02 * float(clean.abs().max()))


def test_frames_without_pixels_are_never_scored_and_start_delays_the_term():
    t, clean, mask = sparse_clip()
    have = torch.ones(33, dtype=torch.bool)
    have[1:8] = False  # e.g. frames the host's detector rejected
    spy = Spy(clean)
    DynamicsModel(**{**FAST, "steps": 20}).fit(clean, mask=mask, progress=False,
                                                 unobserved_loss=FrameLoss(spy, have, per_step=40, start=0.5))
    assert [s for s, _, _ in spy.calls] == list(range(10, 20))  # the last half of the steps only
    scored = torch.cat([i for _, i, _ in spy.calls])
    assert set(scored.tolist()) == set(torch.nonzero(have & ~mask).flatten().tolist())  # per_step 40 > 21: all of them


def test_nothing_to_score_leaves_the_fit_unchanged_and_a_wrong_length_is_an_error():
    t, clean, mask = sparse_clip()
    spy = Spy(clean)
    dense = torch.ones(33, dtype=torch.bool)
    a = DynamicsModel(**{**FAST, "steps": 30}).fit(clean, progress=False, unobserved_loss=FrameLoss(spy, dense))
    b = DynamicsModel(**{**FAST, "steps": 30}).fit(clean, progress=False)
    assert not spy.calls and a.report.losses == b.report.losses  # every frame observed: no unobserved frame
    with pytest.raises(DynodeInputError, match="covers 30 frames; the clip has 33"):
        DynamicsModel(**FAST).fit(clean, mask=mask, progress=False, unobserved_loss=FrameLoss(spy, torch.ones(30, dtype=torch.bool)))


def test_fit_or_load_hands_the_loss_to_the_ode_only():
    from dynode_plugin.dynamics.settings import fit_or_load

    t, clean, mask = sparse_clip()
    spy = Spy(clean)
    fl = FrameLoss(spy, torch.ones(33, dtype=torch.bool))
    fit_or_load(clean, "ode", {"steps": 3, "hidden": 8}, mask=mask, unobserved_loss=fl, progress=False)
    assert len(spy.calls) == 3
    model, fitted, _ = fit_or_load(clean, "linear", {}, mask=mask, unobserved_loss=fl, progress=False)  # a baseline: left out
    assert fitted and len(spy.calls) == 3
