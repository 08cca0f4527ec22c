"""Our test double of pSp's ``configs/paths_config.py``: the ``model_paths`` name models/psp.py imports."""
model_paths = {'stylegan_ffhq': 'pretrained_models/stylegan2-ffhq-config-f.pt'}
