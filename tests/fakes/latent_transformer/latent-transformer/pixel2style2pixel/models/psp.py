"""Fake pSp models/psp.py: get_keys and pSp(opts) (encoder + decoder loaded from opts.checkpoint_path,
forward(x, resize, latent_mask, input_code, randomize_noise, inject_latent, return_latents, alpha)),
with the same absolute imports as the real module."""
import torch
from torch import nn

from models.encoders import psp_encoders
from models.stylegan2.model import Generator
from configs.paths_config import model_paths


def get_keys(d, name):
    if 'state_dict' in d:
        d = d['state_dict']
    return {k[len(name) + 1:]: v for k, v in d.items() if k[:len(name)] == name}


class pSp(nn.Module):
    def __init__(self, opts):
        super().__init__()
        self.opts = opts
        if opts.encoder_type != 'GradualStyleEncoder':
            raise Exception('{} is not a valid encoders'.format(opts.encoder_type))
        self.encoder = psp_encoders.GradualStyleEncoder(50, 'ir_se', opts)
        self.decoder = Generator(1024, 512, 8)
        self.face_pool = torch.nn.AdaptiveAvgPool2d((256, 256))
        ckpt = torch.load(opts.checkpoint_path, map_location='cpu')
        self.encoder.load_state_dict(get_keys(ckpt, 'encoder'), strict=True)
        self.decoder.load_state_dict(get_keys(ckpt, 'decoder'), strict=True)
        self.latent_avg = ckpt['latent_avg'].to(opts.device) if 'latent_avg' in ckpt else None

    def forward(self, x, resize=True, latent_mask=None, input_code=False, randomize_noise=True,
                inject_latent=None, return_latents=False, alpha=None):
        codes = x if input_code else self.encoder(x)
        if not input_code and self.opts.start_from_latent_avg:
            codes = codes + self.latent_avg.repeat(codes.shape[0], 1, 1)
        images, result_latent = self.decoder([codes], input_is_latent=not input_code, randomize_noise=randomize_noise,
                                             return_latents=return_latents)
        if resize:
            images = self.face_pool(images)
        return (images, result_latent) if return_latents else images
