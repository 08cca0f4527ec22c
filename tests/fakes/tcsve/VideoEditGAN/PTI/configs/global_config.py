# Fake of PTI/configs/global_config.py: the real scripts read the device and PTI's step counters from here.
cuda_visible_devices = '0'
device = 'cuda:0'
run_name = ''
training_step = 1
pivotal_training_steps = 0
