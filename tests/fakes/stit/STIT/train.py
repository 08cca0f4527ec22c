"""Test double of STIT's ``train.py`` (our own code, not STIT's): the same command-line options and
the same calls the DynODE adapter hooks (``make_dataset``, ``crop_faces``, ``ImageListDataset``,
``Coach(ds, use_wandb).train()``, ``save_tuned_G``), and the same outputs: ``checkpoints/model_<run>.pt``
plus ``projected/``, ``pivot/`` and ``inversion/`` images per frame and ``opts.json``. No wandb."""
import json
import os

import click
import numpy as np
import torch
from PIL import Image

from configs import global_config, hyperparameters
from datasets.image_list_dataset import ImageListDataset
from training.coaches.coach import Coach
from utils.alignment import calc_alignment_coefficients, crop_faces
from utils.data_utils import make_dataset
from utils.models_utils import save_tuned_G

SIZE = 1024
# (flags, click keyword arguments): STIT's option names and defaults, the part a user types
OPTIONS = [
    (("-i", "--input_folder"), dict(type=str, required=True)),
    (("-o", "--output_folder"), dict(type=str, required=True)),
    (("--start_frame",), dict(type=int, default=0)),
    (("--end_frame",), dict(type=int, default=None)),
    (("-r", "--run_name"), dict(type=str, required=True)),
    (("--use_fa/--use_dlib",), dict(type=bool, default=False)),
    (("--scale",), dict(type=float, default=1.0)),
    (("--num_pti_steps",), dict(type=int, default=300)),
    (("--l2_lambda",), dict(type=float, default=10.0)),
    (("--center_sigma",), dict(type=float, default=1.0)),
    (("--xy_sigma",), dict(type=float, default=3.0)),
    (("--pti_learning_rate",), dict(type=float, default=3e-5)),
    (("--use_locality_reg/--no_locality_reg",), dict(type=bool, default=False)),
    (("--use_wandb/--no_wandb",), dict(type=bool, default=False)),
    (("--pti_adam_beta1",), dict(type=float, default=0.9)),
]


def as_model_input(image):
    """PIL image -> [3, H, W] in [-1, 1] (what the real script gets from torchvision's transforms)."""
    return torch.from_numpy(np.asarray(image, dtype=np.float32)).permute(2, 0, 1) / 127.5 - 1


def as_image(batch):
    """[1, 3, H, W] in [-1, 1] -> PIL image."""
    pixels = ((batch[0].detach().cpu().permute(1, 2, 0).numpy() + 1) * 127.5).round().clip(0, 255)
    return Image.fromarray(pixels.astype(np.uint8))


def write(image, out, kind, index):
    os.makedirs(os.path.join(out, kind), exist_ok=True)
    image.convert("RGB").save(os.path.join(out, kind, f"{index}.jpg"))


def paste_back(quad, crop, frame):
    """The aligned crop warped back onto its source frame."""
    corners = [[0, 0], [0, SIZE], [SIZE, SIZE], [SIZE, 0]]
    warped = crop.convert("RGBA").transform(frame.size, Image.PERSPECTIVE,
                                            calc_alignment_coefficients(quad + 0.5, corners), Image.BILINEAR)
    out = frame.convert("RGBA")
    out.paste(warped, (0, 0), mask=warped)
    return out


def run(cfg):
    global_config.run_name = cfg["run_name"]
    for name, key in (("max_pti_steps", "num_pti_steps"), ("pt_l2_lambda", "l2_lambda"),
                      ("use_locality_regularization", "use_locality_reg"), ("pti_learning_rate", "pti_learning_rate"),
                      ("pti_adam_beta1", "pti_adam_beta1")):
        setattr(hyperparameters, name, cfg[key])
    files = make_dataset(cfg["input_folder"])[cfg["start_frame"]:cfg["end_frame"]]
    print(f"Number of images: {len(files)}")
    crops, frames, quads = crop_faces(SIZE, files, cfg["scale"], center_sigma=cfg["center_sigma"],
                                      xy_sigma=cfg["xy_sigma"], use_fa=cfg["use_fa"])
    coach = Coach(ImageListDataset(crops, as_model_input), cfg["use_wandb"])
    ws = coach.train()
    save_tuned_G(coach.G, ws, quads, global_config.run_name)

    out = cfg["output_folder"]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "opts.json"), "w") as f:
        json.dump(cfg, f)
    tuned = coach.G.requires_grad_(False).eval()
    for i, w in enumerate(ws):
        write(paste_back(quads[i], crops[i], frames[i]), out, "projected", i)
        with torch.no_grad():
            for kind, g in (("pivot", coach.original_G), ("inversion", tuned)):
                write(as_image(g.synthesis(w[None], noise_mode="const", force_fp32=True)), out, kind, i)


def main(**cfg):
    run(cfg)


for flags, kwargs in reversed(OPTIONS):
    main = click.option(*flags, **kwargs)(main)
main = click.command()(main)

if __name__ == "__main__":
    main()
