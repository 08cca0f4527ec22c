"""Our test double of STIT's ``models/e4e/psp.py`` (no STIT code): ``pSp(opts)`` loads
``opts.checkpoint_path`` ({'opts', 'state_dict'}); forward returns (images, W+ codes [B,18,512])."""
import torch
from torch.nn import functional as F


class pSp(torch.nn.Module):
    def __init__(self, opts):
        super().__init__()
        self.opts = opts
        self.conv = torch.nn.Conv2d(3, 8, 4, stride=4)
        self.head = torch.nn.Linear(8 * 4 * 4, 18 * 512)
        self.latent_avg = torch.nn.Parameter(torch.zeros(18, 512), requires_grad=False)
        ckpt = torch.load(opts.checkpoint_path, map_location='cpu')
        self.load_state_dict(ckpt['state_dict'])

    def forward(self, x, resize=True, latent_mask=None, input_code=False, randomize_noise=True, return_latents=False):
        h = F.adaptive_avg_pool2d(F.leaky_relu(self.conv(x), 0.2), 4).flatten(1)
        codes = self.head(h).view(-1, 18, 512) + self.latent_avg
        return (None, codes) if return_latents else None
