"""Our test double of VideoEditGAN's PTI/training/coaches/base_coach.py (our own code, no host lines):
what a PTI coach sets up and how it inverts.

The e4e encoder gives each frame's pivot (``first_inv_type = 'w+'``), saved as
``<embedding_base_dir>/<run>/PTI/<frame>/0.pt``; the generator to tune is ``load_old_G()``.
Simplified: the loss is L2 only (the real one adds LPIPS and the locality regulariser).
Imports wandb and the car generator at module level, as the real module does.
"""
import os
from argparse import Namespace

import torch
import torch.nn.functional as F
import wandb  # noqa: F401  (only used with use_wandb, but imported regardless, like the real coach)

from configs import global_config, hyperparameters, paths_config
from models.e4e.psp import pSp
from models.stylegan2.model import Generator  # noqa: F401  (car domain)
from utils.models_utils import load_old_G, toogle_grad


class BaseCoach:
    def __init__(self, data_loader, use_wandb):
        self.data_loader, self.use_wandb = data_loader, use_wandb
        self.w_pivots, self.image_counter = {}, 0
        if hyperparameters.first_inv_type != 'w+':  # 'w+': e4e pivots, the fake's only first inversion
            raise NotImplementedError(f'first_inv_type {hyperparameters.first_inv_type!r}: the fake has e4e only')
        self.initilize_e4e()
        self.restart_training()
        os.makedirs(paths_config.checkpoints_dir, exist_ok=True)

    def restart_training(self):
        self.G, self.original_G = load_old_G(), load_old_G()
        toogle_grad(self.G, True)
        self.optimizer = self.configure_optimizers()  # over the fresh self.G

    def get_inversion(self, w_path_dir, image_name, image):
        pivot = self.calc_inversions(image, image_name)
        target = os.path.join(w_path_dir, paths_config.pti_results_keyword, image_name)
        os.makedirs(target, exist_ok=True)
        torch.save(pivot, os.path.join(target, '0.pt'))
        return pivot.to(global_config.device)

    def calc_inversions(self, image, image_name):
        return self.get_e4e_inversion(image)

    def configure_optimizers(self):
        return torch.optim.Adam(self.G.parameters(), lr=hyperparameters.pti_learning_rate)

    def calc_loss(self, generated_images, real_images, log_name, new_G, use_ball_holder, w_batch):
        l2 = F.mse_loss(generated_images, real_images)
        return l2 * hyperparameters.pt_l2_lambda, l2, None

    def forward(self, w):
        return self.G.synthesis(w, noise_mode='const', force_fp32=True)

    def initilize_e4e(self):  # (sic) the real name
        saved_opts = torch.load(paths_config.e4e, map_location='cpu')['opts']
        opts = dict(saved_opts, batch_size=hyperparameters.train_batch_size, checkpoint_path=paths_config.e4e)
        encoder = pSp(Namespace(**opts)).eval().to(global_config.device)
        toogle_grad(encoder, False)
        self.e4e_inversion_net = encoder

    def get_e4e_inversion(self, image):
        x = F.interpolate((image + 1) / 2, size=(256, 256), mode='bilinear', align_corners=False) * 2 - 1
        _, w = self.e4e_inversion_net(x.to(global_config.device), randomize_noise=False, return_latents=True,
                                      resize=False, input_code=False)
        return w
