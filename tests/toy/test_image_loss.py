"""The toy host's image-space loss for the dynamics fit (Host.fit_loss -> DynamicsModel.fit(extra_loss))."""
import torch

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
