"""Fake of STIT/video_stitching_tuning_ours.py, reduced to how it reads ``--latent_code_path``:
a plain tensor [N,18,512] (direct editing output) or temp_consist's ``{'latents': tensor}``,
then one [18,512] latent per frame."""
import torch


def read_latent_codes(latent_code_path):
    latents = torch.load(latent_code_path)
    if type(latents) is dict:
        latents = torch.load(latent_code_path)['latents']
    else:
        latents = torch.load(latent_code_path)
    return [latent for latent in latents]
