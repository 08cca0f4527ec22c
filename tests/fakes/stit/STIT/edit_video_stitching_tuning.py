"""Fake of STIT's edit_video_stitching_tuning.py: the same edit call; the stitching-tuning
optimisation is reduced to its per-frame synthesis (the adapter only touches the edit call)."""
import os

import click
import imageio
import numpy as np
import torch

from configs import hyperparameters, paths_config
from edit_video import save_image
from editings.latent_editor import LatentEditor
from utils.data_utils import make_dataset
from utils.image_utils import tensor2pil
from utils.models_utils import load_generators


@click.command()
@click.option('-i', '--input_folder', type=str, required=True)
@click.option('-o', '--output_folder', type=str, required=True)
@click.option('-r', '--run_name', type=str, required=True)
@click.option('--start_frame', type=int, default=0)
@click.option('--end_frame', type=int, default=None)
@click.option('-et', '--edit_type', type=click.Choice(['interfacegan', 'styleclip_global'], case_sensitive=False),
              default='interfacegan')
@click.option('--beta', default=0.2, type=float)
@click.option('--neutral_class', default='face', type=str)
@click.option('--target_class', default=None, type=str)
@click.option('-en', '--edit_name', type=str, default=None, multiple=True)
@click.option('-er', '--edit_range', type=(float, float, int), nargs=3, default=(2, 20, 10))
@click.option('--outer_mask_dilation', type=int, default=50)
@click.option('--border_loss_threshold', type=float, default=0.0)
def main(**config):
    _main(**config, config=config)


def _main(input_folder, output_folder, start_frame, end_frame, run_name, edit_range, edit_type, edit_name,
          neutral_class, target_class, beta, outer_mask_dilation, border_loss_threshold, config):
    files = make_dataset(input_folder)[start_frame:end_frame]
    gen, orig_gen, pivots, quads = load_generators(run_name)
    latent_editor = LatentEditor()
    if edit_type == 'styleclip_global':
        edits, is_style_input = latent_editor.get_styleclip_global_edits(
            pivots, neutral_class, target_class, beta, edit_range, gen, edit_name)
    else:
        edits, is_style_input = latent_editor.get_interfacegan_edits(pivots, edit_name, edit_range)
    for edits_list, direction, factor in edits:
        frames = []
        for i in range(len(files)):
            w = [s[i][None] for s in edits_list] if is_style_input else edits_list[i][None]
            frames.append(np.asarray(tensor2pil(gen.synthesis.forward(w, style_input=is_style_input, noise_mode='const',
                                                                      force_fp32=False)).convert('RGB')))
        folder = os.path.join(output_folder, 'optimized_edits', direction, str(factor))
        os.makedirs(folder, exist_ok=True)
        imageio.mimwrite(os.path.join(folder, 'out.mp4'), frames, fps=25)


if __name__ == '__main__':
    main()
