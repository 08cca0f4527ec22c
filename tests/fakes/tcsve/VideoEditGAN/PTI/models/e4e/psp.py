"""Our test double of VideoEditGAN's PTI/models/e4e/psp.py (our own code, no host lines): the e4e
encoder PTI uses for its first (w+) inversion.

``pSp(opts)`` reads ``opts.checkpoint_path`` (``{'opts', 'state_dict': {'encoder.*', ...},
'latent_avg'}``); ``forward(x, randomize_noise, return_latents=True, resize=False,
input_code=False)`` returns ``(images, codes [B,18,512])``. Ours: a tiny encoder (pool to 16 px,
two linear layers through the op package's fused activation) and no decoder (images is None).
"""
import torch
from torch import nn
from torch.nn import functional as F

from models.e4e.stylegan2.op import fused_leaky_relu


def get_keys(d, name):
    state = d.get('state_dict', d)
    return {k[len(name) + 1:]: v for k, v in state.items() if k.startswith(name + '.')}


class Encoder4Editing(nn.Module):
    def __init__(self, n_styles=18, width=64):
        super().__init__()
        self.n_styles = n_styles
        self.hidden = nn.Linear(3 * 16 * 16, width, bias=False)
        self.hidden_bias = nn.Parameter(torch.zeros(width))
        self.head = nn.Linear(width, n_styles * 512)

    def forward(self, x):
        h = F.adaptive_avg_pool2d(x, 16).flatten(1)
        h = fused_leaky_relu(self.hidden(h), self.hidden_bias)
        return self.head(h).reshape(len(x), self.n_styles, 512)


class pSp(nn.Module):
    def __init__(self, opts):
        super().__init__()
        self.opts = opts
        if opts.encoder_type != 'Encoder4Editing':
            raise Exception(f'{opts.encoder_type} is not a valid encoders')
        self.encoder = Encoder4Editing()
        self.latent_avg = None
        self.load_weights()

    def load_weights(self):
        saved = torch.load(self.opts.checkpoint_path, map_location='cpu')
        self.encoder.load_state_dict(get_keys(saved, 'encoder'))
        self.latent_avg = saved['latent_avg']

    def forward(self, x, resize=True, latent_mask=None, input_code=False,
                randomize_noise=True, inject_latent=None, return_latents=False, alpha=None):
        codes = x if input_code else self.encoder(x) + self.latent_avg.to(x.device)
        return (None, codes) if return_latents else None
