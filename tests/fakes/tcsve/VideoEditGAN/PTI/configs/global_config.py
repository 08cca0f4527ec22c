# Fake of PTI/configs/global_config.py: the real scripts read the device from here.
cuda_visible_devices = '0'
device = 'cuda:0'
run_name = ''
