"""Fake of STIT's utils/models_utils.py: the bare torch.load(f) and .cuda() calls are STIT's."""
import copy
import pickle

import torch

from configs import global_config, paths_config
from training.networks import Generator


def save_tuned_G(generator, pivots, quads, run_id):
    generator = copy.deepcopy(generator).cpu()
    pivots = copy.deepcopy(pivots).cpu()
    torch.save({'generator': generator, 'pivots': pivots, 'quads': quads},
               f'{paths_config.checkpoints_dir}/model_{run_id}.pt')


def load_tuned_G(run_id):
    new_G_path = f'{paths_config.checkpoints_dir}/model_{run_id}.pt'
    with open(new_G_path, 'rb') as f:
        checkpoint = torch.load(f)
    new_G, pivots, quads = checkpoint['generator'], checkpoint['pivots'], checkpoint['quads']
    new_G = new_G.float().to(global_config.device).eval().requires_grad_(False)
    pivots = pivots.float().to(global_config.device)
    return new_G, pivots, quads


def load_old_G():
    return load_g(paths_config.stylegan2_ada_ffhq)


def load_g(file_path):
    with open(file_path, 'rb') as f:
        old_G = pickle.load(f)['G_ema'].to(global_config.device).eval()
    return old_G.float()


def load_from_pkl_model(tuned):
    gen = Generator(*tuned.init_args, **tuned.init_kwargs)
    gen.load_state_dict(tuned.state_dict())
    return gen.eval().cuda().requires_grad_(False)


def load_generators(run_id):
    tuned, pivots, quads = load_tuned_G(run_id=run_id)
    original = load_old_G()
    gen = load_from_pkl_model(tuned)
    orig_gen = load_from_pkl_model(original)
    del tuned, original
    return gen, orig_gen, pivots, quads


def initialize_e4e_wplus():
    from argparse import Namespace

    from models.e4e.psp import pSp

    ckpt = torch.load(paths_config.e4e, map_location='cpu')
    opts = ckpt['opts']
    opts['checkpoint_path'] = paths_config.e4e
    opts = Namespace(**opts)
    return pSp(opts).eval().to(global_config.device).requires_grad_(False)
