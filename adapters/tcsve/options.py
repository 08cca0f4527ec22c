"""The TCSVE host's command-line options: one list, used by ``dynode edit --host tcsve`` and by
``dynode tcsve edit`` (click only: cheap to import)."""
from __future__ import annotations

import os

import click

ROOT_ENV = "DYNODE_TCSVE_ROOT"

ROOT = click.Option(["--tcsve-root"], type=click.Path(file_okay=False), default=lambda: os.environ.get(ROOT_ENV),
                    help=f"Your VideoEditGAN checkout (default: ${ROOT_ENV}).")
ALIGNED = click.Option(["--aligned-frames"], type=click.Path(file_okay=False), default=None,
                       help="Take the frame list from the aligned images, as pti_styleclip.py does (--aligned_frame_path).")
MAPPER = click.Option(["--mapper"], type=click.Path(dir_okay=False), default=None,
                      help="StyleCLIP mapper checkpoint. Default: <tcsve-root>/PTI/pretrained_models/<edit>.pt.")
FILL_GAPS = click.Option(["--fill-gaps"], is_flag=True,
                         help="Predict frames missing from the embeddings with the dynamics model instead of refusing.")
HOST = [ROOT, ALIGNED, MAPPER, FILL_GAPS]
