"""Our test double of VideoEditGAN's ``PTI/configs/global_config.py``: the device ('cuda:0', as the host's)
and the run name / step counters PTI's scripts read and set."""
cuda_visible_devices = '0'
device = 'cuda:0'
run_name = ''
training_step = 1
pivotal_training_steps = 0
