"""Our test double of VideoEditGAN's PTI/training/coaches/multi_id_coach.py (our own code, no host
lines): one generator tuned on every frame of a video.

``train(checkpoint_path)``: the e4e pivot of each frame the data loader yields (saved as
``0.pt``), then ``max_pti_steps`` passes over those frames tuning the generator on each, a
preview per frame in ``<visualization_dir>/<run_name>/<frame>.png``, and the tuned generator
pickled whole to ``<checkpoints_dir>/model_multi_id.pt``.
"""
import os

import numpy as np
import torch
from PIL import Image

from configs import global_config, hyperparameters, paths_config
from training.coaches.base_coach import BaseCoach


class MultiIDCoach(BaseCoach):
    def __init__(self, data_loader, use_wandb, domain='ffhq'):
        self.domain = domain
        BaseCoach.__init__(self, data_loader, use_wandb)

    def train(self, checkpoint_path=None):
        self.G.synthesis.train()
        w_path_dir = os.path.join(paths_config.embedding_base_dir, paths_config.input_data_id)
        os.makedirs(os.path.join(w_path_dir, paths_config.pti_results_keyword), exist_ok=True)
        seen = []  # (frame name, image, pivot)
        for names, images in self.data_loader:
            if len(seen) == hyperparameters.max_images_to_invert:
                break
            seen.append((names[0], images, self.get_inversion(w_path_dir, names[0], images)))
            self.image_counter += 1
        for _ in range(hyperparameters.max_pti_steps):
            for name, image, w_pivot in seen:
                loss, _, _ = self.calc_loss(self.forward(w_pivot), image.to(global_config.device), name, self.G, False, w_pivot)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            global_config.training_step += len(seen)  # one step per frame and pass
        previews = os.path.join(paths_config.visualization_dir, global_config.run_name)
        os.makedirs(previews, exist_ok=True)
        with torch.no_grad():
            for name, _, w_pivot in seen:
                rgb = ((self.forward(w_pivot)[0].permute(1, 2, 0) + 1) * 127.5).clamp(0, 255).byte().cpu().numpy()
                Image.fromarray(np.ascontiguousarray(rgb)).save(os.path.join(previews, f'{name}.png'))
        name = f'model_{global_config.run_name}_multi_id.pt' if checkpoint_path is None else 'model_multi_id.pt'
        torch.save(self.G, f'{paths_config.checkpoints_dir}/{name}')
