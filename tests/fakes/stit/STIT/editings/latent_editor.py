"""Our test double of STIT's ``editings/latent_editor.py``; no STIT code.

Reproduces the class the adapter wraps and what its methods return:
``LatentEditor().get_interfacegan_edits(orig_w, edit_names, edit_range)`` ->
``([(w_edit [N,18,512], name, factor), ...], False)``, directions read from
``interfacegan_folder/<name>.npy`` ((18,512) float64, row 0 used; w + factor/2 * d, so float64 out),
one entry per factor of ``np.linspace(*edit_range)``; and the staticmethod
``get_styleclip_global_edits(orig_w, neutral_class, target_class, beta, edit_range, generator,
edit_name, ...)`` -> ``([(26 style tensors [N, dim], edit_name[0], f'{factor}_{beta}'), ...], True)``.
The module also exposes ``get_affine_layers`` and ``w_to_styles`` (the adapter uses them from here)
and ``CALLS``: (method, frames) for every edit computed, so the tests can count per-frame work.
"""
import os.path

import numpy as np
import torch

from configs.paths_config import interfacegan_folder
from editings import styleclip_global_utils
from utils.edit_utils import get_affine_layers, load_stylespace_std, to_styles, w_to_styles

CALLS = []


class LatentEditor:
    def __init__(self):
        self.interfacegan_directions_tensors = {}
        for entry in sorted(os.listdir(interfacegan_folder)):
            stem, ext = os.path.splitext(entry)
            if ext == '.npy':
                rows = np.load(os.path.join(interfacegan_folder, entry))
                self.interfacegan_directions_tensors[stem] = torch.from_numpy(rows[:1]).cuda()

    def get_interfacegan_edits(self, orig_w, edit_names, edit_range):
        wanted = [(n, d) for n, d in self.interfacegan_directions_tensors.items() if n in edit_names]
        factors = np.linspace(*edit_range)
        return [(self._apply_interfacegan(orig_w, d, f / 2), n, f) for n, d in wanted for f in factors], False

    @staticmethod
    def get_styleclip_global_edits(orig_w, neutral_class, target_class, beta, edit_range, generator, edit_name,
                                   use_stylespace_std=False):
        CALLS.append(('styleclip_global', len(orig_w)))
        layers = get_affine_layers(generator.synthesis)
        delta = to_styles(styleclip_global_utils.get_direction(neutral_class, target_class, beta), layers)
        if use_stylespace_std:
            delta = [d * s for d, s in zip(delta, load_stylespace_std())]
        base = w_to_styles(orig_w, layers)
        return [([b + f * d for b, d in zip(base, delta)], edit_name[0], f'{f}_{beta}')
                for f in np.linspace(*edit_range)], True

    @staticmethod
    def _apply_interfacegan(latent, direction, factor=1, factor_range=None):
        CALLS.append(('interfacegan', len(latent)))
        return latent + factor * direction
