"""Our test double of StyleCLIP's ``mapper/styleclip_mapper.py`` as VideoEditGAN's PTI copy has it;
no StyleCLIP/VideoEditGAN code.

Reproduces what the adapter and ``pti_styleclip.py`` use: ``get_keys(checkpoint, 'mapper')`` (the
sub-state-dict under that prefix, from ``checkpoint['state_dict']`` when present) and
``StyleCLIPMapper(opts, run_id=None)`` with ``.mapper`` (a ``SingleMapper`` or ``LevelsMapper`` from
``opts.mapper_type``), weights loaded from ``opts.checkpoint_path`` unless it is None, ``set_G``
for the PTI-tuned generator (``.decoder``) and a forward that renders the mapped latents.
"""
import torch
from torch import nn

from models.StyleCLIP.mapper import latent_mappers


def get_keys(d, name):
    weights = d.get('state_dict', d)
    prefix = name + '.'
    return {key[len(prefix):]: value for key, value in weights.items() if key.startswith(prefix)}


class StyleCLIPMapper(nn.Module):
    def __init__(self, opts, run_id=None):
        super().__init__()
        self.opts, self.run_id = opts, run_id
        self.mapper = self.set_mapper()
        self.load_weights()

    def set_mapper(self):
        kinds = {'SingleMapper': latent_mappers.SingleMapper, 'LevelsMapper': latent_mappers.LevelsMapper}
        if self.opts.mapper_type not in kinds:
            raise Exception(f'{self.opts.mapper_type} is not a valid mapper')
        return kinds[self.opts.mapper_type](self.opts)

    def load_weights(self):
        path = self.opts.checkpoint_path
        if path is not None:
            self.mapper.load_state_dict(get_keys(torch.load(path, map_location='cpu'), 'mapper'))

    def set_G(self, new_G):
        self.decoder = new_G

    def forward(self, x, resize=True):
        images = self.decoder.synthesis(self.mapper(x), noise_mode='const')
        return nn.functional.adaptive_avg_pool2d(images, 256) if resize else images
