"""Fake trainer.py: same imports, path trick and constructor as the real one."""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torchvision import transforms, utils

from nets import *
from utils.functions import *

sys.path.append('pixel2style2pixel/')  # relative to the working directory, as in the real file

from pixel2style2pixel.models.stylegan2.model import Generator
from pixel2style2pixel.models.psp import get_keys


class Trainer(nn.Module):
    def __init__(self, config, attr_num, attr, label_file):
        super().__init__()
        self.config, self.attr_num, self.attr, self.label_file = config, attr_num, attr, label_file
        self.T_net = F_mapping(mapping_lrmul=config['mapping_lrmul'], mapping_layers=config['mapping_layers'],
                               mapping_fmaps=config['mapping_fmaps'], mapping_nonlinearity=config['mapping_nonlinearity'])
        self.Latent_Classifier = LCNet([9216, 2048, 512, 40], activ='leakyrelu')
        self.StyleGAN = Generator(1024, 512, 8)
        self.optimizer = torch.optim.Adam(self.T_net.parameters(), lr=config['lr'])

    def initialize(self, stylegan_model_path, classifier_model_path):
        state_dict = torch.load(stylegan_model_path, map_location='cpu')
        self.StyleGAN.load_state_dict(get_keys(state_dict, 'decoder'), strict=True)
        self.Latent_Classifier.load_state_dict(torch.load(classifier_model_path))
        self.Latent_Classifier.eval()

    def save_model(self, log_dir):
        torch.save(self.T_net.state_dict(), log_dir + '/tnet_' + str(self.attr_num) + '.pth.tar')

    def load_model(self, log_dir):
        self.T_net.load_state_dict(torch.load(log_dir + 'tnet_' + str(self.attr_num) + '.pth.tar'))
