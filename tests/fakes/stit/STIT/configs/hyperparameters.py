## Architecture
first_inv_type = 'e4e'

## Steps
max_pti_steps = 50
first_inv_steps = 50
