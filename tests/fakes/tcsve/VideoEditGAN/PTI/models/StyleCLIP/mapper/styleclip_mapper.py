"""Fake of StyleCLIP's ``StyleCLIPMapper`` (as modified in VideoEditGAN's PTI copy)."""
import torch
from torch import nn

from models.StyleCLIP.mapper import latent_mappers


def get_keys(d, name):
    if 'state_dict' in d:
        d = d['state_dict']
    return {k[len(name) + 1:]: v for k, v in d.items() if k[:len(name)] == name}


class StyleCLIPMapper(nn.Module):
    def __init__(self, opts, run_id=None):
        super().__init__()
        self.opts = opts
        self.mapper = self.set_mapper()
        self.run_id = run_id
        self.face_pool = torch.nn.AdaptiveAvgPool2d((256, 256))
        self.load_weights()

    def set_mapper(self):
        if self.opts.mapper_type == 'SingleMapper':
            return latent_mappers.SingleMapper(self.opts)
        if self.opts.mapper_type == 'LevelsMapper':
            return latent_mappers.LevelsMapper(self.opts)
        raise Exception('{} is not a valid mapper'.format(self.opts.mapper_type))

    def load_weights(self):
        if self.opts.checkpoint_path is not None:
            ckpt = torch.load(self.opts.checkpoint_path, map_location='cpu')
            self.mapper.load_state_dict(get_keys(ckpt, 'mapper'), strict=True)

    def set_G(self, new_G):
        self.decoder = new_G

    def forward(self, x, resize=True):
        images = self.decoder.synthesis(self.mapper(x), noise_mode='const')
        return self.face_pool(images) if resize else images
