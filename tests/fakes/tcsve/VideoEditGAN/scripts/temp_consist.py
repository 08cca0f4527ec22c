"""Fake of scripts/temp_consist.py, reduced to how it reads the editing step's output.

The real script runs from the repository root with ``--edit_root <output_root>`` and
reads ``<edit_root>/StyleCLIP/<edit>/latents.pth`` with a bare ``torch.load`` (no
map_location: the tensor must already be on the CPU for a CPU run), uses
``.shape[0]`` as the frame count, and splits off the anchor frame (the middle one).
"""
import os

import torch


def anchor_index(num_frames):
    return num_frames // 2 - 1 if num_frames % 2 == 0 else num_frames // 2


def load_edit_latents(edit_root, edit_direction):
    latent_path = os.path.join(edit_root, 'StyleCLIP', edit_direction, 'latents.pth')
    num_frames = torch.load(latent_path).shape[0]
    assert num_frames > 0, 'No frames!'
    anchor_id = anchor_index(num_frames)
    latent_anchor = torch.load(latent_path)[anchor_id:anchor_id + 1].clone()
    latents_update = torch.cat((torch.load(latent_path)[0:anchor_id], torch.load(latent_path)[anchor_id + 1:num_frames]), dim=0).clone()
    latents_ori = torch.load(latent_path)[:num_frames]
    return latent_anchor, latents_update, latents_ori
