"""Our test double of VideoEditGAN's PTI/scripts/run_pti_multi.py (our own code, no host lines): TCSVE's
inversion of one video (e4e pivots + one
generator tuned on all frames), run from the PTI folder.

``run_PTI(input_data_path, checkpoint_path, batch_size, run_name, use_multi_id_training)``
points PTI's configs at the run (embeddings under ``<checkpoint_path>/embeddings/<run_name>``)
and trains a MultiIDCoach over the images of ``input_data_path``. The real script converts
images with torchvision; ours does the same [-1, 1] scaling with numpy.
"""
import argparse
import os
import sys

sys.path.append(".")
sys.path.append("..")

import numpy as np
import torch
from torch.utils.data import DataLoader

from configs import global_config, paths_config
from training.coaches.multi_id_coach import MultiIDCoach
from utils.ImagesDataset import ImagesDataset


def to_signed_tensor(image):
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 127.5 - 1).permute(2, 0, 1)


def run_PTI(input_data_path, checkpoint_path, batch_size=3, run_name='', use_multi_id_training=False):
    os.environ.update(CUDA_DEVICE_ORDER='PCI_BUS_ID', CUDA_VISIBLE_DEVICES=global_config.cuda_visible_devices)
    global_config.run_name = run_name or 'RANDOMRUNNAME'
    global_config.pivotal_training_steps = global_config.training_step = 1  # counters restart per run
    for setting, value in (('input_data_id', run_name), ('input_data_path', input_data_path),
                           ('checkpoints_dir', checkpoint_path),
                           ('embedding_base_dir', os.path.join(checkpoint_path, 'embeddings')),
                           ('visualization_dir', os.path.join(checkpoint_path, 'PTI_visuals'))):
        setattr(paths_config, setting, value)  # this run's folders
    os.makedirs(os.path.join(paths_config.embedding_base_dir, paths_config.pti_results_keyword), exist_ok=True)
    loader = DataLoader(ImagesDataset(input_data_path, to_signed_tensor), batch_size=batch_size, shuffle=False)
    if not use_multi_id_training:
        raise NotImplementedError('the fake has only the multi-frame coach (TCSVE runs with use_multi_id_training=True)')
    os.makedirs(checkpoint_path, exist_ok=True)
    MultiIDCoach(loader, False).train(checkpoint_path=checkpoint_path)
    return global_config.run_name


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='PTI inversion of one video (multi-frame generator tuning)')
    parser.add_argument('--data_root', type=str, required=True)
    parser.add_argument('--batch_size', type=int, default=1)
    parser.add_argument('--checkpoint_path', type=str, required=True)
    parser.add_argument('--run_name', type=str, default='aamir_khan')
    args = parser.parse_args()
    run_PTI(args.data_root, args.checkpoint_path, batch_size=args.batch_size, run_name=args.run_name, use_multi_id_training=True)
