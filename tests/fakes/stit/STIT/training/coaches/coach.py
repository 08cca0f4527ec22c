"""Fake of STIT's training/coaches/coach.py: e4e on every image of the dataset, then PTI
(max_pti_steps passes over all images, one generator step per image), l2 loss only."""
import os

import torch
from torch.nn import functional as F

from configs import global_config, hyperparameters, paths_config
from utils.models_utils import initialize_e4e_wplus, load_old_G


class Coach:
    def __init__(self, dataset, use_wandb):
        self.use_wandb = use_wandb
        self.dataset = dataset
        self.e4e_inversion_net = initialize_e4e_wplus()
        self.restart_training()
        self.checkpoint_dir = paths_config.checkpoints_dir
        os.makedirs(self.checkpoint_dir, exist_ok=True)

    def restart_training(self):
        self.G = load_old_G()
        self.G.requires_grad_(True)
        self.original_G = load_old_G()
        self.optimizer = torch.optim.Adam(self.G.parameters(), betas=(hyperparameters.pti_adam_beta1, 0.999),
                                          lr=hyperparameters.pti_learning_rate)

    def get_e4e_inversion(self, image):
        new_image = F.interpolate(image[None], size=(256, 256), mode='bilinear', align_corners=False)
        _, w = self.e4e_inversion_net(new_image, randomize_noise=False, return_latents=True, resize=False, input_code=False)
        return w

    def forward(self, w):
        return self.G.synthesis(w, noise_mode='const', force_fp32=True)

    def train(self):
        w_pivots, images = [], []
        print('Calculating initial inversions')
        for fname, image in self.dataset:
            w_pivots.append(self.get_e4e_inversion(image).to(global_config.device))
            images.append((fname, image))
        print('Fine tuning generator')
        for step in range(hyperparameters.max_pti_steps):
            for (name, image), w_pivot in zip(images, w_pivots):
                generated = self.forward(w_pivot)
                real = F.interpolate(image[None], size=generated.shape[-2:], mode='bilinear', align_corners=False)
                loss = F.mse_loss(generated, real) * hyperparameters.pt_l2_lambda
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                global_config.training_step += 1
        print('Finished training')
        return torch.cat(w_pivots)
