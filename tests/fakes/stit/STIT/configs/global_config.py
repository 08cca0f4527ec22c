## Device
device = 'cuda:0'

## Run name to be updated during PTI
run_name = ''

## Logs
training_step = 1
