"""Our test double of VideoEditGAN's ``scripts/temp_consist.py``, reduced to how that step reads the
editing step's output; no VideoEditGAN code.

The real script runs from the repository root with ``--edit_root <output_root>`` and reads
``<edit_root>/StyleCLIP/<edit>/latents.pth`` with a bare ``torch.load`` (no map_location: the
tensor must already be on the CPU for a CPU run), takes ``.shape[0]`` as the frame count and sets
the middle frame apart as the anchor. ``load_edit_latents`` returns (anchor [1, 18, 512], the other
frames, all frames).
"""
import os

import torch


def anchor_index(num_frames):
    return (num_frames - 1) // 2  # the middle frame; the earlier of the two for an even count


def load_edit_latents(edit_root, edit_direction):
    latents = torch.load(os.path.join(edit_root, 'StyleCLIP', edit_direction, 'latents.pth'))
    if len(latents) == 0:
        raise AssertionError('the editing step wrote no frames')
    k = anchor_index(len(latents))
    others = torch.cat([latents[:k], latents[k + 1:]]).clone()
    return latents[k:k + 1].clone(), others, latents
