"""Our test double of VideoEditGAN's ``PTI/configs/paths_config.py``: the same setting names, paths
relative to the PTI folder (where PTI's scripts run); ``run_pti_multi.run_PTI`` overrides the
run-specific ones (input data, checkpoints, embeddings, visuals)."""

# weights (tcsve_builders writes them under PTI/pretrained_models)
e4e = "pretrained_models/e4e_ffhq_encode.pt"
stylegan2_ada_ffhq = "pretrained_models/ffhq.pkl"
style_clip_pretrained_mappers = "pretrained_models"

# defaults of the run-specific folders
checkpoints_dir = "checkpoints"
embedding_base_dir = "embeddings"
visualization_dir = "visuals"
input_data_path = "frames"
input_data_id = "video"

# sub-folder and model names
pti_results_keyword = 'PTI'
e4e_results_keyword = 'e4e'
multi_id_model_type = "multi_id"
