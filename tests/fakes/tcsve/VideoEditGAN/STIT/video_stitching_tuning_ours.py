"""Our test double of VideoEditGAN's ``STIT/video_stitching_tuning_ours.py``, reduced to how it reads
``--latent_code_path``: a plain tensor [N, 18, 512] (the editing step's output) or temp_consist's
``{'latents': tensor}``, then one [18, 512] latent per frame; no VideoEditGAN code."""
import torch


def read_latent_codes(latent_code_path):
    loaded = torch.load(latent_code_path)
    codes = loaded['latents'] if isinstance(loaded, dict) else loaded
    return list(codes)
