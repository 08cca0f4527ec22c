"""Our test double of STIT's ``training/coaches/coach.py``; no STIT code.

Reproduces ``Coach(dataset, use_wandb)`` with ``.dataset`` (read on every ``train()``: the adapter
swaps in a subset), ``.G`` (tuned) / ``.original_G`` and ``train()`` -> W+ pivots [len(dataset),
18, 512] from the e4e encoder, after ``hyperparameters.max_pti_steps`` passes of generator tuning
(one Adam step per image, pixel l2 only).
"""
import os

import torch
from torch.nn import functional as F

from configs import global_config, hyperparameters, paths_config
from utils.models_utils import initialize_e4e_wplus, load_old_G


class Coach:
    def __init__(self, dataset, use_wandb):
        self.dataset, self.use_wandb = dataset, use_wandb
        self.e4e_inversion_net = initialize_e4e_wplus()
        self.restart_training()
        os.makedirs(paths_config.checkpoints_dir, exist_ok=True)

    def restart_training(self):
        self.G, self.original_G = load_old_G().requires_grad_(True), load_old_G()
        self.optimizer = torch.optim.Adam(self.G.parameters(), lr=hyperparameters.pti_learning_rate,
                                          betas=(hyperparameters.pti_adam_beta1, 0.999))

    def get_e4e_inversion(self, image):
        small = F.interpolate(image.unsqueeze(0), size=(256, 256), mode='bilinear')
        return self.e4e_inversion_net(small, randomize_noise=False, return_latents=True, resize=False,
                                      input_code=False)[1]

    def forward(self, w):
        return self.G.synthesis(w, noise_mode='const', force_fp32=True)

    def train(self):
        targets = [image for _, image in self.dataset]
        pivots = [self.get_e4e_inversion(t).to(global_config.device) for t in targets]
        for _ in range(hyperparameters.max_pti_steps):
            for target, w in zip(targets, pivots):
                out = self.forward(w)
                err = (out - F.interpolate(target.unsqueeze(0), size=out.shape[-2:], mode='bilinear')).pow(2).mean()
                self.optimizer.zero_grad()
                (hyperparameters.pt_l2_lambda * err).backward()
                self.optimizer.step()
        return torch.cat(pivots)
