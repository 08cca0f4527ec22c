"""Our test double of STIT's ``utils/models_utils.py``; no STIT code.

Reproduces the run checkpoint ``<checkpoints_dir>/model_<run>.pt`` = {'generator': the whole tuned
module, 'pivots': [N, 18, 512], 'quads': N arrays (4, 2)} written by ``save_tuned_G`` and read by
``load_tuned_G`` (called through this module's global, which the adapter wraps), ``load_generators``
and ``initialize_e4e_wplus``. It keeps STIT's pitfalls the adapter's compat fixes must handle: a bare
``torch.load(f)`` of a pickled module through this module's ``torch`` name, ``global_config.device``
('cuda:0') and a hard-coded ``.cuda()``.
"""
import copy
import pickle

import torch

from configs import global_config, paths_config
from training.networks import Generator


def _run_file(run_id):
    return f'{paths_config.checkpoints_dir}/model_{run_id}.pt'


def save_tuned_G(generator, pivots, quads, run_id):
    run = {'generator': copy.deepcopy(generator).to('cpu'), 'pivots': pivots.detach().clone().to('cpu'), 'quads': quads}
    torch.save(run, _run_file(run_id))


def load_tuned_G(run_id):
    with open(_run_file(run_id), 'rb') as f:
        run = torch.load(f)  # no weights_only: the file holds a whole module (torch >= 2.6 refuses it)
    device = global_config.device
    tuned = run['generator'].float().to(device).eval().requires_grad_(False)
    return tuned, run['pivots'].float().to(device), run['quads']


def load_old_G():
    return load_g(paths_config.stylegan2_ada_ffhq)


def load_g(file_path):
    with open(file_path, 'rb') as f:
        network = pickle.load(f)['G_ema']
    return network.to(global_config.device).eval().float()


def load_from_pkl_model(tuned):
    fresh = Generator(*tuned.init_args, **tuned.init_kwargs)
    fresh.load_state_dict(tuned.state_dict())
    return fresh.eval().requires_grad_(False).cuda()


def load_generators(run_id):
    """(tuned generator, original generator, pivots, quads), both generators rebuilt fresh."""
    tuned, pivots, quads = load_tuned_G(run_id)
    return load_from_pkl_model(tuned), load_from_pkl_model(load_old_G()), pivots, quads


def initialize_e4e_wplus():
    from argparse import Namespace

    from models.e4e.psp import pSp

    saved = torch.load(paths_config.e4e, map_location='cpu')
    options = Namespace(**{**saved['opts'], 'checkpoint_path': paths_config.e4e})
    return pSp(options).eval().requires_grad_(False).to(global_config.device)
