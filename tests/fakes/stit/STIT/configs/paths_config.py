"""Our test double of STIT's ``configs/paths_config.py``: the same setting names, pointing at the
files ``stit_builders`` writes (the adapter reads ``checkpoints_dir``, ``interfacegan_folder`` and
``segmentation_model_path`` from this file as plain strings)."""

# weights
e4e = "pretrained_models/e4e_ffhq_encode.pt"
stylegan2_ada_ffhq = "pretrained_models/ffhq.pkl"
segmentation_model_path = "pretrained_models/79999_iter.pth"
shape_predictor_path = "pretrained_models/shape_predictor_68_face_landmarks.dat"

# where train.py saves model_<run>.pt
checkpoints_dir = "checkpoints"

# edit directions
interfacegan_folder = "editings/w_directions"
styleclip_fs3 = "editings/styleclip_global/fs3.npy"
stylespace_mean_std = "editings/styleclip_global/S_mean_std"
