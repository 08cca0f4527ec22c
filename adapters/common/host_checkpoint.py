"""Loading a HOST's checkpoint (a file the host itself unpickles), as safely as it can be.

Host checkpoints -- Latent Transformer's ``tnet_*.pth.tar``, TCSVE's StyleCLIP mappers, PTI's
``model_multi_id.pt``, STIT's ``model_<run>.pt`` -- are pickles written by the host, some with
non-tensor objects (pSp's ``opts`` namespace) or whole modules. They are read only from a path
the user named or from the host checkout the user pointed at (never from a latent, times or
manifest argument), with ``weights_only=True`` first; only a file that needs more because it
holds pickled objects is then unpickled in full, as the host would. A damaged file is refused.
Which files reach the full unpickling is listed in docs/latent_transformer.md and docs/tcsve.md.
"""
from __future__ import annotations

import pickle
import re
from pathlib import Path

from dynode_plugin.errors import DynodeInputError


def load_host_checkpoint(path, what: str):
    import torch

    path = Path(path)
    try:
        return torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as first:
        if not re.search(r"GLOBAL [\w.]+", str(first)):  # not pickled objects: garbage or truncated
            raise DynodeInputError(f"cannot read {what} {path}: not a torch checkpoint (damaged or truncated?)") from None
    except Exception as first:
        raise DynodeInputError(f"cannot read {what} {path} ({type(first).__name__}: {' '.join(str(first)[:200].split())})") from None
    try:  # the host's own pickle, from the user's checkout or a path they gave: loaded as the host loads it
        return torch.load(str(path), map_location="cpu", weights_only=False)
    except Exception as exc:
        raise DynodeInputError(f"cannot read {what} {path} ({type(exc).__name__}: {' '.join(str(exc)[:200].split())})") from None
