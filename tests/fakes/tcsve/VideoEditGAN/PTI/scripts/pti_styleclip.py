"""Our test double of VideoEditGAN's ``PTI/scripts/pti_styleclip.py`` (TCSVE's per-frame StyleCLIP
editing step); no VideoEditGAN code.

Reproduces what the adapter reads or re-does: ``meta_data`` as a literal dict (the adapter parses it
as data: edit -> [mapper file stem, no_coarse_mapper, no_medium_mapper, no_fine_mapper, factor]);
the command-line options; and the step's cost and output: for every aligned frame the mapper
checkpoint and the PTI-tuned generator (``<inverted_root>/model_multi_id.pt``) are loaded again, the
frame's ``<inverted_root>/embeddings/<run>/PTI/<frame>/0.pt`` is edited to ``w + factor * M(w)``,
rendered to ``<output_root>/StyleCLIP/<edit>/frames/<frame>.png`` ((x * 127.5 + 128) clamped, as
uint8), and the stacked edits are saved as ``<output_root>/StyleCLIP/<edit>/latents.pth`` (CPU
float32 [N, 18, 512]). Unlike the real script it takes the device from ``global_config.device`` and
writes images with PIL (no cv2), so it runs on a CPU.
"""
import glob
import os
import sys
from argparse import Namespace

sys.path.append(".")
sys.path.append("..")

import numpy as np
import torch
from PIL import Image

from configs import global_config, paths_config
from models.StyleCLIP.mapper.styleclip_mapper import StyleCLIPMapper
from utils.models_utils import toogle_grad

meta_data = {"eyeglasses": ["eyeglasses", False, False, True, 0.15]}

IMAGE_PATTERNS = ("*.jpeg", "*.jpg", "*.png")


def run_on_batch(inputs, net, factor):
    with torch.no_grad():
        edited = inputs + factor * net.mapper(inputs)
        return net.decoder.synthesis(edited, noise_mode='const', force_fp32=True), edited


def run_(test_opts, model_path, image_name, use_multi_id_G, factor=0.06):
    """One frame: build the mapper from its checkpoint, load the tuned generator, edit, render."""
    device = global_config.device
    saved = torch.load(test_opts.checkpoint_path, map_location='cpu')
    net = StyleCLIPMapper(Namespace(**{**saved['opts'], **vars(test_opts)})).eval().to(device)
    generator = torch.load(model_path, map_location=device, weights_only=False).eval().float()
    toogle_grad(generator, False)
    net.set_G(generator)
    w = torch.load(test_opts.latents_test_path, map_location='cpu').to(device).float()
    image, edited = run_on_batch(w, net, factor)
    frames_dir = os.path.join(test_opts.exp_dir, test_opts.edit_name, 'frames')
    os.makedirs(frames_dir, exist_ok=True)
    pixels = (image[0].permute(1, 2, 0) * 127.5 + 128).clamp(0, 255).to(torch.uint8).cpu().numpy()
    Image.fromarray(np.ascontiguousarray(pixels)).save(os.path.join(frames_dir, image_name + '.png'))
    return edited[0].detach().cpu()


def styleclip_edit(frame_path, use_multi_id_G, inverted_root, run_name, output_dir=None, force=False):
    frames = sorted(p for pattern in IMAGE_PATTERNS for p in glob.glob(os.path.join(frame_path, pattern)))
    generator_file = os.path.join(inverted_root, 'model_multi_id.pt')
    for edit, (stem, no_coarse, no_medium, no_fine, factor) in meta_data.items():
        target = os.path.join(output_dir, 'StyleCLIP', edit, 'latents.pth')
        if os.path.exists(target) and not force:
            continue
        edited = []
        for frame in frames:
            name = os.path.splitext(os.path.basename(frame))[0]
            pivot_dir = os.path.join(inverted_root, 'embeddings', run_name, paths_config.pti_results_keyword, name)
            options = Namespace(exp_dir=os.path.join(output_dir, 'StyleCLIP'), edit_name=edit, image_name=name,
                                checkpoint_path=os.path.join(paths_config.style_clip_pretrained_mappers, stem + '.pt'),
                                mapper_type='LevelsMapper', no_coarse_mapper=no_coarse, no_medium_mapper=no_medium,
                                no_fine_mapper=no_fine, couple_outputs=False, stylegan_size=1024, test_batch_size=1,
                                test_workers=1, latents_test_path=os.path.join(pivot_dir, '0.pt'),
                                model_path=generator_file)
            edited.append(run_(options, generator_file, name, use_multi_id_G, factor))
        torch.save(torch.stack(edited), target)


if __name__ == '__main__':
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--inverted_root", type=str, required=True)
    parser.add_argument("--aligned_frame_path", type=str, required=True)
    parser.add_argument("--run_name", type=str, required=True)
    parser.add_argument("--use_multi_id_G", action='store_true')
    parser.add_argument("--output_root", type=str, required=True)
    parser.add_argument("--force", action='store_true')
    cli = parser.parse_args()
    styleclip_edit(cli.aligned_frame_path, cli.use_multi_id_G, cli.inverted_root, cli.run_name,
                   output_dir=cli.output_root, force=cli.force)
