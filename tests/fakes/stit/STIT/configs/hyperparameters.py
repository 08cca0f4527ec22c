## Architecture
first_inv_type = 'e4e'

## Steps
max_pti_steps = 50
first_inv_steps = 50

## Loss (the fake has no LPIPS network: l2 only)
pt_l2_lambda = 1
pt_lpips_lambda = 0
use_locality_regularization = False

## Optimization
pti_learning_rate = 3e-5
pti_adam_beta1 = 0.9
use_lr_ramp = False
