"""The offline compat fix: STIT's face parser built without downloading ResNet-18.

STIT's ``models/seg_model_2.py`` (the BiSeNet face parser of face-parsing.PyTorch) calls
``Resnet18.init_weight`` while it is constructed, which downloads ImageNet ResNet-18 weights
(``resnet18_url``) through ``torch.utils.model_zoo``. On an offline machine STIT stops there.
Those weights are never used: right after building the network, ``edit_video.py`` and
``edit_video_stitching_tuning.py`` load ``pretrained_models/79999_iter.pth`` (``paths_config.
segmentation_model_path``) with ``load_state_dict``, which is strict and replaces every
parameter and buffer, the backbone's included. So when that checkpoint exists,
``init_weight`` is skipped: the same network, no download. When it does not, STIT's own
``init_weight`` runs, and a failed download becomes one message naming the file to get and
where to put it.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

DEFAULT_CHECKPOINT = "pretrained_models/79999_iter.pth"


def segmentation_checkpoint() -> Path:
    """Where STIT will load the face parser from (its configs, relative to its working directory)."""
    try:
        from configs import paths_config

        rel = getattr(paths_config, "segmentation_model_path", DEFAULT_CHECKPOINT)
    except ImportError:
        rel = DEFAULT_CHECKPOINT
    return Path(os.path.abspath(rel))


def missing_message(checkpoint: Path, url: str, exc: BaseException) -> str:
    return (f"STIT's face parser (models/seg_model_2.py) downloads ResNet-18 weights ({url}) when it is built, and that "
            f"failed ({type(exc).__name__}: {exc}). Its own checkpoint replaces those weights: put 79999_iter.pth "
            f"(from STIT's download_models.sh) at {checkpoint}, and the offline compat fix builds it without the download")


def fix_face_parser(fixes, module) -> None:
    """Patch ``module`` (STIT's ``models.seg_model_2``) as described above, recorded in ``fixes``
    (:class:`~.compat.Fixes`, which undoes it)."""
    resnet = getattr(module, "Resnet18", None)
    init = getattr(resnet, "init_weight", None)
    if init is None or getattr(init, "__dynode_offline__", False):
        return
    url = getattr(module, "resnet18_url", "the ResNet-18 URL")

    @functools.wraps(init)
    def init_weight(self):
        checkpoint = segmentation_checkpoint()
        if checkpoint.is_file():
            return  # every weight init_weight would set is replaced by the checkpoint STIT loads next
        try:
            return init(self)
        except Exception as exc:  # URLError (offline), HTTPError, a bad download: say what to do instead
            raise RuntimeError(missing_message(checkpoint, url, exc)) from exc

    init_weight.__dynode_offline__ = True
    fixes.setattr(resnet, "init_weight", init_weight)
    fixes.applied.append("offline")
