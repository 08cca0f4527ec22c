"""Our test double of STIT's ``edit_video_stitching_tuning.py``; no STIT code.

Reproduces the options the tests pass (names and defaults as STIT's), the same single
``LatentEditor`` edit call as ``edit_video.py`` (the only thing the adapter hooks here) and the
output layout ``<output_folder>/optimized_edits/<direction>/<factor>/out.mp4``. STIT's stitching
optimisation is left out: each frame is just synthesised from its edit.
"""
import os

import click
import imageio
import numpy as np

from configs import hyperparameters, paths_config
from edit_video import compute_edits, save_image
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
def main(**options):
    _main(config=options, **options)


def _main(input_folder, output_folder, start_frame, end_frame, run_name, edit_range, edit_type, edit_name,
          neutral_class, target_class, beta, outer_mask_dilation, border_loss_threshold, config):
    count = len(make_dataset(input_folder)[start_frame:end_frame])
    gen, _, pivots, _ = load_generators(run_name)
    edits, styles_in = compute_edits(pivots, gen, edit_type, edit_name, edit_range, neutral_class, target_class, beta)
    for per_frame, direction, factor in edits:
        video = []
        for n in range(count):
            code = [s[n:n + 1] for s in per_frame] if styles_in else per_frame[n:n + 1]
            image = gen.synthesis.forward(code, style_input=styles_in, noise_mode='const', force_fp32=False)
            video.append(np.asarray(tensor2pil(image).convert('RGB')))
        target = os.path.join(output_folder, 'optimized_edits', str(direction), str(factor))
        os.makedirs(target, exist_ok=True)
        imageio.mimwrite(os.path.join(target, 'out.mp4'), video, fps=25)


if __name__ == '__main__':
    main()
