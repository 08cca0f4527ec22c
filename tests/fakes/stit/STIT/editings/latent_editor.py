"""Fake of STIT's editings/latent_editor.py: same class, methods, signatures, return structures.

InterFaceGAN: directions (18,512) float64 with identical rows, row 0 kept; w + (factor/2) * d
for every frame at once. StyleCLIP global: 26 style tensors [N, dim] per factor.
"""
import os.path

import numpy as np
import torch

from configs.paths_config import interfacegan_folder
from editings import styleclip_global_utils
from utils.edit_utils import get_affine_layers, load_stylespace_std, to_styles, w_to_styles

CALLS = []  # (method, number of frames) for every edit computed: the tests count per-frame work


class LatentEditor:
    def __init__(self):
        directions = {os.path.splitext(f)[0]: np.load(os.path.join(interfacegan_folder, f), allow_pickle=True)
                      for f in os.listdir(interfacegan_folder) if f.endswith('.npy')}
        self.interfacegan_directions_tensors = {name: torch.from_numpy(arr).cuda()[0, None]
                                                for name, arr in directions.items()}

    def get_interfacegan_edits(self, orig_w, edit_names, edit_range):
        edits = []
        for edit_name, direction in self.interfacegan_directions_tensors.items():
            if edit_name not in edit_names:
                continue
            for factor in np.linspace(*edit_range):
                edits.append((self._apply_interfacegan(orig_w, direction, factor / 2), edit_name, factor))
        return edits, False

    @staticmethod
    def get_styleclip_global_edits(orig_w, neutral_class, target_class, beta, edit_range, generator, edit_name,
                                   use_stylespace_std=False):
        CALLS.append(('styleclip_global', len(orig_w)))
        affine_layers = get_affine_layers(generator.synthesis)
        edit_directions = styleclip_global_utils.get_direction(neutral_class, target_class, beta)
        if use_stylespace_std:
            edit = [s * std for s, std in zip(to_styles(edit_directions, affine_layers), load_stylespace_std())]
        else:
            edit = to_styles(edit_directions, affine_layers)
        styles = w_to_styles(orig_w, affine_layers)
        final_edits = []
        for factor in np.linspace(*edit_range):
            edited = [style + factor * d for style, d in zip(styles, edit)]
            final_edits.append((edited, edit_name[0], f'{factor}_{beta}'))
        return final_edits, True

    @staticmethod
    def _apply_interfacegan(latent, direction, factor=1, factor_range=None):
        CALLS.append(('interfacegan', len(latent)))
        return latent + factor * direction
