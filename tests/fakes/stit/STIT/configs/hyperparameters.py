"""Our test double of STIT's ``configs/hyperparameters.py``: the setting names train.py and the coach
read (train.py overrides most from its options); the adapter also looks here for ``use_dynode``.
The fake's coach has no LPIPS network, so only the l2 weight is used."""
first_inv_type = 'e4e'
first_inv_steps = 50
max_pti_steps = 50

pt_l2_lambda = 1
pt_lpips_lambda = 0
use_locality_regularization = False

pti_learning_rate = 3e-5
pti_adam_beta1 = 0.9
use_lr_ramp = False
