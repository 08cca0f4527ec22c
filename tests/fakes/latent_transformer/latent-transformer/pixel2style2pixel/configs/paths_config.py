model_paths = {'stylegan_ffhq': 'pretrained_models/stylegan2-ffhq-config-f.pt'}
