# Fake of PTI/configs/paths_config.py (paths are relative to the PTI folder, as in the real one;
# run_pti_multi.run_PTI rewrites the run-specific ones).
e4e = './pretrained_models/e4e_ffhq_encode.pt'
stylegan2_ada_ffhq = './pretrained_models/ffhq.pkl'
style_clip_pretrained_mappers = './pretrained_models'
checkpoints_dir = './PTI_checkpoints'
embedding_base_dir = './PTI_embeddings'
visualization_dir = './PTI_visuals/'
input_data_path = './clip_test'
input_data_id = 'ffhq-cliptest'
pti_results_keyword = 'PTI'
e4e_results_keyword = 'e4e'
multi_id_model_type = 'multi_id'
