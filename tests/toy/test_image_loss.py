"""The toy host's image-space loss for the dynamics fit (Host.fit_loss -> DynamicsModel.fit(extra_loss))."""
import pytest
import torch

from dynode_plugin.errors import DynodeInputError
from dynode_plugin.hosts import Clip
from dynode_plugin.toy import world


def test_image_loss_renders_the_latents_and_compares_them_with_the_frames():
    from dynode_plugin.toy.host import ToyHost

    host = ToyHost()
    frames = world.render_clip(6, seed=3)
    codes = host.invert(frames, progress=False)
    host.image_loss = 2.0
    loss = host.fit_loss(Clip(codes, frames=frames, mask=torch.tensor([1, 0, 1, 0, 1, 1], dtype=torch.bool)))
    assert loss.frames.shape == (4, 3, 64, 64)  # the observed frames only
    idx = torch.tensor([0, 1, 2, 3])
    on_target = loss(codes[[0, 2, 4, 5]].clone().requires_grad_(True), idx, 0)
    expected = 2.0 * (host.synthesize(codes[[0, 2, 4, 5]]) - frames[[0, 2, 4, 5]]).pow(2).mean()
    assert torch.allclose(on_target, expected, rtol=1e-4)
    off_target = loss(codes[[2, 4, 5, 0]], idx, 0)  # each code compared with another frame
    assert float(off_target) > 2 * float(on_target.detach())
    # differentiable in the latents (the fit's gradient reaches the field through them)
    z = codes[:2].clone().requires_grad_(True)
    loss(z, idx[:2], 0).backward()
    assert z.grad is not None and float(z.grad.abs().sum()) > 0
    host.image_loss = 0.0
    assert host.fit_loss(Clip(codes, frames=frames)) is None  # off: nothing changes in the fit


def test_toy_edit_fits_through_the_image_loss(monkeypatch):
    """Wired end to end: run_edit's fit receives the host's loss and it renders decoded latents."""
    from dynode_plugin.pipeline import run_edit
    from dynode_plugin.toy import image_loss
    from dynode_plugin.toy.host import ToyHost

    seen = []
    real_call = image_loss.ImageLoss.__call__

    def spy(self, latents, target_obs, step):
        seen.append((tuple(latents.shape), latents.requires_grad, int(target_obs.max())))
        return real_call(self, latents, target_obs, step)

    monkeypatch.setattr(image_loss.ImageLoss, "__call__", spy)
    host = ToyHost()
    host.image_loss = 10.0
    frames = world.render_clip(8, seed=4)
    result = run_edit(host, frames, [("colour", 1.0)], dynamics_kwargs={"steps": 4, "hidden": 16}, progress=False)
    assert len(seen) == 4  # one render per fit step
    shape, grad, top = seen[0]
    assert shape[1:] == (10, 64) and grad and top < 8
    assert result.frames.shape == (8, 3, 64, 64)


def test_unobserved_loss_scores_the_frames_that_have_pixels_and_no_code():
    from dynode_plugin.toy.host import ToyHost

    host = ToyHost()
    frames = world.render_clip(6, seed=3)
    frames[3] = 0.5  # shows no scene: the toy detector rejects it, so it is no target
    codes = host.invert(frames, progress=False)
    mask = torch.tensor([1, 0, 0, 0, 1, 1], dtype=torch.bool)
    assert host.unobserved_loss(Clip(codes, frames=frames, mask=mask)) is None  # off by default
    host = ToyHost(unobserved_loss=3.0)
    assert host.unobserved_loss(Clip(codes, frames=frames, mask=mask)).per_step == 1  # the measured default
    host.unobserved_per_step = 2
    fl = host.unobserved_loss(Clip(codes, frames=frames, mask=mask))
    assert fl.frames.tolist() == [True, True, True, False, True, True] and fl.per_step == 2
    idx = torch.tensor([1, 2])  # frame indices of the clip (not observation indices)
    expected = 3.0 * (host.synthesize(codes[[1, 2]]) - frames[[1, 2]]).pow(2).mean()
    assert torch.allclose(fl.loss(codes[[1, 2]], idx, 0), expected, rtol=1e-4)
    assert float(fl.loss(codes[[2, 1]], idx, 0)) > 2 * float(expected)
    with pytest.raises(DynodeInputError, match="unobserved_loss -1.0 must be a weight >= 0"):
        ToyHost(unobserved_loss=-1.0)


def test_sparse_toy_edit_fits_through_the_unobserved_loss(monkeypatch):
    """Wired end to end: with --every 3, run_edit's fit renders its predictions at frames that were not inverted."""
    from dynode_plugin.frame_selection import SelectionSpec
    from dynode_plugin.pipeline import run_edit
    from dynode_plugin.toy import image_loss
    from dynode_plugin.toy.host import ToyHost

    seen = []
    real_call = image_loss.ImageLoss.__call__

    def spy(self, latents, index, step):
        seen.append((tuple(latents.shape), latents.requires_grad, index.tolist()))
        return real_call(self, latents, index, step)

    monkeypatch.setattr(image_loss.ImageLoss, "__call__", spy)
    host = ToyHost(unobserved_loss=100.0)
    frames = world.render_clip(10, seed=4)
    result = run_edit(host, frames, [("colour", 1.0)], dynamics_kwargs={"steps": 5, "hidden": 16}, progress=False,
                      selection=SelectionSpec(every=3))
    observed = result.clip.observed.tolist()
    assert observed == [i % 3 == 0 or i == 9 for i in range(10)]
    assert len(seen) == 5  # one render per fit step, one frame each (unobserved_per_step)
    assert all(shape == (1, 10, 64) and grad and not observed[i[0]] for shape, grad, i in seen), seen
    assert result.frames.shape == (10, 3, 64, 64)
