# Fake of PTI/configs/paths_config.py (paths are relative to the PTI folder, as in the real one).
style_clip_pretrained_mappers = './pretrained_models'
checkpoints_dir = './PTI_checkpoints'
embedding_base_dir = './PTI_embeddings'
pti_results_keyword = 'PTI'
e4e_results_keyword = 'e4e'
multi_id_model_type = 'multi_id'
