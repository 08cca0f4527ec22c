"""Our test double of Latent Transformer's ``trainer.py``; no LT code.

Reproduces the import behaviour the adapter must cope with: ``nets`` and ``utils.functions`` star
imports, torchvision at module level, the relative ``'pixel2style2pixel/'`` appended to
``sys.path`` right before pSp's ``Generator`` and ``get_keys`` are imported (both re-exported from
here), and ``Trainer(config, attr_num, attr, label_file)`` with ``T_net`` (built from the config's
``mapping_*`` settings), ``StyleGAN`` (``Generator(1024, 512, 8)``), ``initialize`` and the
``tnet_<attr_num>.pth.tar`` save/load names. No training.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torchvision import transforms, utils

from nets import *
from utils.functions import *

sys.path.append('pixel2style2pixel/')  # relative to the working directory (LT is run from its root)

from pixel2style2pixel.models.stylegan2.model import Generator
from pixel2style2pixel.models.psp import get_keys


class Trainer(nn.Module):
    def __init__(self, config, attr_num, attr, label_file):
        super().__init__()
        self.config, self.attr_num, self.attr, self.label_file = config, attr_num, attr, label_file
        mapping = {k: config[k] for k in ('mapping_lrmul', 'mapping_layers', 'mapping_fmaps', 'mapping_nonlinearity')}
        self.T_net = F_mapping(**mapping)
        self.Latent_Classifier = LCNet([18 * 512, 2048, 512, 40], activ='leakyrelu')
        self.StyleGAN = Generator(1024, 512, 8)
        self.optimizer = torch.optim.Adam(self.T_net.parameters(), lr=config['lr'])

    def initialize(self, stylegan_model_path, classifier_model_path):
        psp_checkpoint = torch.load(stylegan_model_path, map_location='cpu')
        self.StyleGAN.load_state_dict(get_keys(psp_checkpoint, 'decoder'))
        self.Latent_Classifier.load_state_dict(torch.load(classifier_model_path, map_location='cpu'))
        self.Latent_Classifier.eval()

    def _tnet_file(self, log_dir, sep=''):
        return f'{log_dir}{sep}tnet_{self.attr_num}.pth.tar'

    def save_model(self, log_dir):
        torch.save(self.T_net.state_dict(), self._tnet_file(log_dir, '/'))

    def load_model(self, log_dir):
        self.T_net.load_state_dict(torch.load(self._tnet_file(log_dir)))
