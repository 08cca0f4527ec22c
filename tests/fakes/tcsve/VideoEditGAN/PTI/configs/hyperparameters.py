"""Our test double of VideoEditGAN's ``PTI/configs/hyperparameters.py``: the settings the multi-frame
PTI run reads (names as the host's; values ours)."""
first_inv_type = 'w+'          # 'w+': pivots from the e4e encoder
max_pti_steps = 200            # generator tuning passes over all frames
max_images_to_invert = 1000
pti_learning_rate = 3e-4
pt_l2_lambda = 1
train_batch_size = 1
use_last_w_pivots = False
