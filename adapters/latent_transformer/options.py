"""The Latent Transformer host's command-line options: one list, used by ``dynode edit --host
latent-transformer`` and by the ``dynode lt`` commands (click only: cheap to import)."""
from __future__ import annotations

import os

import click

ROOT_ENV = "DYNODE_LT_ROOT"

ROOT = click.Option(["--lt-root"], type=click.Path(file_okay=False), default=lambda: os.environ.get(ROOT_ENV),
                    help=f"Your latent-transformer checkout, with pixel2style2pixel/ inside (default: ${ROOT_ENV}).")
CONFIG = click.Option(["--config"], default="001", show_default=True, help="LT config name (configs/<config>.yaml).")
LOG_PATH = click.Option(["--log-path"], type=click.Path(file_okay=False), default=None,
                        help="Folder holding <config>/tnet_<attr_num>.pth.tar. Default: <lt-root>/logs.")
CHECKOUT = [ROOT, CONFIG, LOG_PATH]

STYLEGAN = click.Option(["--stylegan-model-path"], type=click.Path(dir_okay=False), default=None,
                        help="pSp checkpoint with the generator. Default: <lt-root>/pixel2style2pixel/pretrained_models/psp_ffhq_encode.pt.")
LATENTS_OUT = click.Option(["--latents-out"], type=click.Path(dir_okay=False), default=None,
                           help="Also write the edited latents (.pt or .npy, [N,18,512]).")
NO_RENDER = click.Option(["--no-render"], is_flag=True, help="Only edit (needs --latents-out); no frames, no generator.")
DEVICE = click.Option(["--device"], default="cpu", show_default=True, help="torch device for the networks (cpu, cuda).")
OUTPUT = [STYLEGAN, LATENTS_OUT, NO_RENDER, DEVICE]
