"""Fake pSp models/psp.py: get_keys, and the same absolute imports as the real module."""
from models.stylegan2.model import Generator
from configs.paths_config import model_paths


def get_keys(d, name):
    if 'state_dict' in d:
        d = d['state_dict']
    return {k[len(name) + 1:]: v for k, v in d.items() if k[:len(name)] == name}
