"""Our test double of pSp's ``models/psp.py`` (inside LT's ``pixel2style2pixel/``); no pSp code.

Reproduces the module's absolute imports (``models.encoders``, ``models.stylegan2.model``,
``configs.paths_config``: they only resolve with ``pixel2style2pixel/`` on ``sys.path``),
``get_keys(checkpoint, 'encoder' | 'decoder')`` (the sub-state-dict under that prefix, from
``checkpoint['state_dict']`` when present), and ``pSp(opts)``: GradualStyleEncoder + Generator
loaded from ``opts.checkpoint_path``, ``latent_avg`` added when ``opts.start_from_latent_avg``,
and the forward signature ``dynode lt encode`` calls (``return_latents=True`` -> (images, W+)).
"""
import torch
from torch import nn

from models.encoders import psp_encoders
from models.stylegan2.model import Generator
from configs.paths_config import model_paths


def get_keys(d, name):
    weights = d.get('state_dict', d)
    prefix = name + '.'
    return {key[len(prefix):]: value for key, value in weights.items() if key.startswith(prefix)}


class pSp(nn.Module):
    def __init__(self, opts):
        super().__init__()
        if opts.encoder_type != 'GradualStyleEncoder':
            raise Exception(f'{opts.encoder_type} is not a valid encoders')  # the only encoder the fake has
        self.opts = opts
        self.encoder = psp_encoders.GradualStyleEncoder(50, 'ir_se', opts)
        self.decoder = Generator(1024, 512, 8)
        saved = torch.load(opts.checkpoint_path, map_location='cpu')
        for part in ('encoder', 'decoder'):
            getattr(self, part).load_state_dict(get_keys(saved, part))
        avg = saved.get('latent_avg')
        self.latent_avg = None if avg is None else avg.to(opts.device)

    def forward(self, x, resize=True, latent_mask=None, input_code=False,
                randomize_noise=True, inject_latent=None, return_latents=False, alpha=None):
        if input_code:
            w = x
        else:
            w = self.encoder(x) + (self.latent_avg if self.opts.start_from_latent_avg else 0)
        images, latents = self.decoder([w], return_latents=return_latents, randomize_noise=randomize_noise,
                                       input_is_latent=not input_code)
        if resize:
            images = nn.functional.adaptive_avg_pool2d(images, 256)
        return (images, latents) if return_latents else images
