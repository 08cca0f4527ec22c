"""Our test double of STIT's ``configs/global_config.py``: the same names; ``device`` is 'cuda:0' as in
STIT (the adapter's cpu fix switches it), ``run_name`` is set by train.py."""
device = 'cuda:0'
run_name = ''
training_step = 1
