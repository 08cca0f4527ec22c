"""Our test double of STIT's ``edit_video.py``; no STIT code.

Reproduces STIT's command line (option names and defaults), the call sequence the adapter hooks
into (face parser built with ``.cuda()`` and loaded from ``paths_config.segmentation_model_path``;
``load_generators(run_name)``; crops by the run's quads; ONE ``LatentEditor`` call computing every
frame's edit; then a per-frame render loop) and the outputs: ``opts.json``, one
``<direction>/<factor>/out.mp4`` per edit (original | inversion | edit side by side) and, with
``--output_frames``, ``frames/<direction>/<factor>/edit_NNNN.jpeg``. Rendering is deliberately crude.
"""
import json
import os

import click
import imageio
import numpy as np
import torch

import models.seg_model_2
from configs import paths_config
from editings.latent_editor import LatentEditor
from utils.alignment import crop_faces_by_quads, calc_alignment_coefficients
from utils.data_utils import make_dataset
from utils.edit_utils import add_texts_to_image_vertical, paste_image_mask, paste_image
from utils.image_utils import concat_images_horizontally, tensor2pil
from utils.models_utils import load_generators

CROP = 32  # the fake generator's output size


def calc_mask(inversion, segmentation_model):
    """1 where the parser sees anything but background, as a [B,1,H,W] float map."""
    labels = segmentation_model(inversion)[0].argmax(1, keepdim=True)
    return (labels > 0).float()


@click.command()
@click.option('-i', '--input_folder', type=str, required=True)
@click.option('-o', '--output_folder', type=str, required=True)
@click.option('-r', '--run_name', type=str, required=True)
@click.option('--use_mask/--no_mask', type=bool, default=True)
@click.option('--start_frame', type=int, default=0)
@click.option('--end_frame', type=int, default=None)
@click.option('-et', '--edit_type', type=click.Choice(['interfacegan', 'styleclip_global'], case_sensitive=False),
              default='interfacegan')
@click.option('--beta', default=0.2, type=float)
@click.option('--neutral_class', default='face', type=str)
@click.option('--target_class', default=None, type=str)
@click.option('-en', '--edit_name', type=str, default=None, multiple=True)
@click.option('-er', '--edit_range', type=(float, float, int), nargs=3, default=(2, 20, 10))
@click.option('--freeze_fine_layers', type=int, default=None)
@click.option('--output_frames/--videos_only', type=bool, default=False)
@click.option('--feathering_radius', type=int, default=0)
def main(**options):
    _main(config=options, **options)


def compute_edits(pivots, gen, edit_type, edit_name, edit_range, neutral_class, target_class, beta):
    """The single editor call the adapter replaces: ([(per-frame edits, direction, factor)], style input?)."""
    editor = LatentEditor()
    if edit_type != 'styleclip_global':
        return editor.get_interfacegan_edits(pivots, edit_name, edit_range)
    return editor.get_styleclip_global_edits(pivots, neutral_class, target_class, beta, edit_range, gen, edit_name)


def _main(input_folder, output_folder, start_frame, end_frame, run_name, edit_range, edit_type, edit_name, use_mask,
          freeze_fine_layers, neutral_class, target_class, beta, output_frames, feathering_radius, config):
    parser = models.seg_model_2.BiSeNet(19).eval().cuda().requires_grad_(False)
    parser.load_state_dict(torch.load(paths_config.segmentation_model_path))
    files = make_dataset(input_folder)[start_frame:end_frame]
    gen, _, pivots, quads = load_generators(run_name)
    crops, frames = crop_faces_by_quads(CROP, files, quads)
    square = [[0, 0], [0, CROP], [CROP, CROP], [CROP, 0]]
    back = [calc_alignment_coefficients(q + 0.5, square) for q in quads]
    if freeze_fine_layers is not None:  # fine rows shared by all frames: their average
        k = freeze_fine_layers
        pivots = torch.cat([pivots[:, :k], pivots[:, k:].mean(0, keepdim=True).expand(len(pivots), -1, -1)], 1)

    os.makedirs(output_folder, exist_ok=True)
    with open(os.path.join(output_folder, 'opts.json'), 'w') as f:
        json.dump(config, f)

    edits, styles_in = compute_edits(pivots, gen, edit_type, edit_name, edit_range, neutral_class, target_class, beta)
    for per_frame, direction, factor in edits:
        label = os.path.join(str(direction), str(factor))
        strip = []
        for n, (frame, crop, warp) in enumerate(zip(frames, crops, back)):
            code = [s[n:n + 1] for s in per_frame] if styles_in else per_frame[n:n + 1]
            edited = tensor2pil(gen.synthesis.forward(code, noise_mode='const', force_fp32=False, style_input=styles_in))
            inverted = tensor2pil(gen.synthesis(pivots[n:n + 1], noise_mode='const', force_fp32=False))
            if use_mask:
                pixels = torch.from_numpy(np.asarray(crop.convert('RGB'), dtype=np.float32)).permute(2, 0, 1) / 127.5 - 1
                mask = tensor2pil(calc_mask(pixels[None].cuda(), parser) * 2 - 1)
                pasted = [paste_image_mask(warp, im, frame, mask) for im in (inverted, edited)]
            else:
                pasted = [paste_image(warp, im, frame) for im in (inverted, edited)]
            if output_frames:
                target = os.path.join(output_folder, 'frames', label)
                os.makedirs(target, exist_ok=True)
                save_image(pasted[1], os.path.join(target, f'edit_{n:04d}.jpeg'))
            row = concat_images_horizontally(frame.convert('RGBA'), *pasted).convert('RGB')
            strip.append(np.asarray(add_texts_to_image_vertical(['original', 'inversion', 'edit'], row)))
        video_dir = os.path.join(output_folder, label)
        os.makedirs(video_dir, exist_ok=True)
        imageio.mimwrite(os.path.join(video_dir, 'out.mp4'), strip, fps=25)


def save_image(image, file):
    image.convert('RGB').save(file, quality=95)


if __name__ == '__main__':
    main()
