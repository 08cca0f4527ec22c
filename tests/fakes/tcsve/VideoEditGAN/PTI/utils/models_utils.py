"""Our test double of VideoEditGAN's PTI/utils/models_utils.py (our own code): grad switching and the
generator loaders."""
import pickle

import torch

from configs import global_config, paths_config


def toogle_grad(model, flag=True):  # (sic) the real name
    for p in model.parameters():
        p.requires_grad = flag


def load_old_G():
    """The pretrained generator: ``G_ema`` of the pickle at ``paths_config.stylegan2_ada_ffhq``."""
    with open(paths_config.stylegan2_ada_ffhq, 'rb') as pkl:
        G = pickle.load(pkl)['G_ema']
    return G.to(global_config.device).eval().float()


def load_tuned_G(run_id, type):
    with open(f'{paths_config.checkpoints_dir}/model_{run_id}_{type}.pt', 'rb') as f:
        G = torch.load(f, map_location=global_config.device, weights_only=False)
    G = G.eval().float()
    toogle_grad(G, False)
    return G
