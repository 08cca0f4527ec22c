"""Fake of PTI/scripts/pti_styleclip.py: the per-frame StyleCLIP editing step of TCSVE.

For every aligned frame it loads the mapper checkpoint and the PTI-tuned generator
again, computes ``w_hat = w + factor * mapper(w)`` on that frame's ``0.pt``, renders it
into ``StyleCLIP/<edit>/frames/<frame>.png`` and finally saves the stacked ``w_hat``
(CPU float32 ``[N,18,512]``) to ``<output_root>/StyleCLIP/<edit>/latents.pth``.
Deviations from the real script, so that it runs on a CPU: the device comes from
``configs.global_config.device`` instead of ``.cuda()``, the generator is loaded with
``weights_only=False``, and images are written with PIL instead of cv2.
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

# edit -> [mapper file stem, no_coarse_mapper, no_medium_mapper, no_fine_mapper, factor]
meta_data = {
    'eyeglasses': ['eyeglasses', False, False, True, 0.15],
}


def run_on_batch(inputs, net, factor):
    with torch.no_grad():
        w_hat = inputs + factor * net.mapper(inputs)
        x_hat = net.decoder.synthesis(w_hat, noise_mode='const', force_fp32=True)
    return x_hat, w_hat


def run_(test_opts, model_path, image_name, use_multi_id_G, factor=0.06):
    out_path_results = os.path.join(test_opts.exp_dir, test_opts.edit_name)
    os.makedirs(os.path.join(out_path_results, 'frames'), exist_ok=True)
    ckpt = torch.load(test_opts.checkpoint_path, map_location='cpu')
    opts = ckpt['opts']
    opts.update(vars(test_opts))
    opts = Namespace(**opts)
    net = StyleCLIPMapper(opts)
    net.eval()
    net.to(global_config.device)
    with open(model_path, 'rb') as f:
        new_G = torch.load(f, map_location=global_config.device, weights_only=False).eval()
    new_G = new_G.float()
    toogle_grad(new_G, False)
    net.set_G(new_G)
    latent = torch.load(opts.latents_test_path, map_location='cpu')
    x_hat, w_hat = run_on_batch(latent.to(global_config.device).float(), net, factor)
    img = (x_hat[0].permute(1, 2, 0) * 127.5 + 128).clamp(0, 255).to(torch.uint8).cpu().numpy()
    Image.fromarray(np.ascontiguousarray(img)).save(os.path.join(out_path_results, 'frames', f"{image_name}.png"))
    return w_hat[0].detach().cpu()


def styleclip_edit(frame_path, use_multi_id_G, inverted_root, run_name, output_dir=None, force=False):
    pretrained_mappers = paths_config.style_clip_pretrained_mappers
    images = sorted(glob.glob(f"{frame_path}/*.jpeg") + glob.glob(f"{frame_path}/*.jpg") + glob.glob(f"{frame_path}/*.png"))
    model_path = os.path.join(inverted_root, 'model_multi_id.pt')
    for edit_type in meta_data.keys():
        edit_id = meta_data[edit_type][0]
        latent_codes = []
        out_file = os.path.join(output_dir, 'StyleCLIP', edit_type, 'latents.pth')
        if not os.path.exists(out_file) or force:
            for image_name in images:
                image_name = os.path.splitext(os.path.basename(image_name))[0]
                embedding_dir = os.path.join(inverted_root, 'embeddings', run_name, paths_config.pti_results_keyword, image_name)
                args = {
                    "exp_dir": os.path.join(output_dir, 'StyleCLIP'),
                    "checkpoint_path": f"{pretrained_mappers}/{edit_id}.pt",
                    "couple_outputs": False,
                    "mapper_type": "LevelsMapper",
                    "no_coarse_mapper": meta_data[edit_type][1],
                    "no_medium_mapper": meta_data[edit_type][2],
                    "no_fine_mapper": meta_data[edit_type][3],
                    "stylegan_size": 1024,
                    "test_batch_size": 1,
                    "latents_test_path": f'{embedding_dir}/0.pt',
                    "test_workers": 1,
                    "model_path": model_path,
                    "image_name": image_name,
                    'edit_name': edit_type,
                }
                latent_codes.append(run_(Namespace(**args), model_path, image_name, use_multi_id_G, meta_data[edit_type][4]))
            torch.save(torch.stack(latent_codes), out_file)


if __name__ == '__main__':
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument("--inverted_root", type=str, required=True)
    parser.add_argument("--aligned_frame_path", type=str, required=True)
    parser.add_argument("--run_name", type=str, required=True)
    parser.add_argument("--use_multi_id_G", action='store_true')
    parser.add_argument("--output_root", type=str, required=True)
    parser.add_argument("--force", action='store_true')
    args = parser.parse_args()
    styleclip_edit(frame_path=args.aligned_frame_path, use_multi_id_G=args.use_multi_id_G, inverted_root=args.inverted_root,
                   run_name=args.run_name, output_dir=args.output_root, force=args.force)
