"""Loading Latent Transformer's networks through the user's own checkout.

Nothing of LT or pSp is shipped: ``nets.F_mapping`` (the attribute model), and through
``trainer`` pSp's ``Generator`` and ``get_keys`` are imported from ``--lt-root``.

Import mechanics, all undone when the block ends (:func:`lt_modules`):

* LT's scripts run from the checkout root, and ``trainer.py`` appends the *relative*
  path ``'pixel2style2pixel/'`` to ``sys.path`` right before importing pSp (after its own
  ``utils`` package was imported, so pSp's ``utils`` does not shadow it). So the root is put
  first on ``sys.path`` *and* made the working directory while the host code is imported;
  user paths are made absolute before.
* pSp's ``models/stylegan2/op`` compiles CUDA kernels when imported: pure-PyTorch ops are
  served under that package name instead (:func:`~dynode_adapters.common.cpu_ops.install_cpu_ops`).
* :func:`~.compat.lt_compat`: NumPy/PyYAML/torchvision fixes.

The networks are built the way ``Trainer.__init__`` builds them (``F_mapping`` with the
config's ``mapping_*`` settings, ``Generator(1024, 512, 8)``), without constructing a Trainer:
that would also allocate the 19M-parameter latent classifier and an optimizer, which
editing does not use (the original's ``trainer.initialize`` even requires the classifier file).
"""
from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from typing import Dict, Iterator, List

from dynode_plugin.lazy import torch  # imported on first use (a bad command line answers before torch loads)

from dynode_plugin.errors import DynodeInputError, MissingWeightsError

from ..common.host_checkpoint import load_host_checkpoint
from . import layout

_active: List["HostModules"] = []


class HostModules:
    def __init__(self, root: Path):
        self.root = root

    def import_module(self, name: str):
        from dynode_adapters.common.checkout import host_errors

        with host_errors(f"importing {name} from the Latent Transformer checkout at {self.root}"):
            try:
                return importlib.import_module(name)
            except ImportError as exc:  # a missing file of the checkout: the user's to fix, exit 2
                raise DynodeInputError(f"cannot import {name} from the Latent Transformer checkout at {self.root} ({exc}); "
                                       f"is it a complete clone of {layout.URL} with pixel2style2pixel/ inside "
                                       "(github.com/eladrich/pixel2style2pixel)?") from None


def validate_checkout(root) -> Path:
    from dynode_adapters.common.checkout import validate_checkout as _validate

    return _validate(root, layout.REQUIRED_FILES, host=layout.HOST_NAME, url=layout.URL, option="--lt-root")


@contextlib.contextmanager
def lt_modules(root) -> Iterator[HostModules]:
    """The checkout importable (with CPU ops and compat fixes) while the block runs."""
    if _active:  # nested use: re-use the open context
        yield _active[-1]
        return
    from dynode_adapters.common.checkout import checkout_on_path
    from dynode_adapters.common.cpu_ops import install_cpu_ops

    from .compat import lt_compat

    root = validate_checkout(root)
    with checkout_on_path(root, layout.HOST_PACKAGES, chdir=True), install_cpu_ops(layout.OP_PACKAGES), lt_compat():
        modules = HostModules(root)
        _active.append(modules)
        try:
            yield modules
        finally:
            _active.pop()


def _load_state(path: Path, what: str):
    return load_host_checkpoint(path, what)  # weights_only first; see adapters/common/host_checkpoint.py


def load_attribute_nets(root, attrs, cfg: Dict, device: str = "cpu") -> List[torch.nn.Module]:
    """One ``nets.F_mapping`` per attribute, weights from ``tnet_<num>.pth.tar``, in eval mode."""
    nets_out = []
    with lt_modules(root) as m:
        nets = m.import_module("nets")
        for attr in attrs:
            try:
                net = nets.F_mapping(mapping_lrmul=cfg["mapping_lrmul"], mapping_layers=cfg["mapping_layers"],
                                     mapping_fmaps=cfg["mapping_fmaps"], mapping_nonlinearity=cfg["mapping_nonlinearity"])
            except KeyError as exc:
                raise DynodeInputError(f"the config has no {exc.args[0]} (needed to build the attribute model)") from None
            state = _load_state(attr.model, f"attribute model for {attr.name}")
            if isinstance(state, dict) and "T_net_state_dict" in state:  # a training checkpoint
                state = state["T_net_state_dict"]
            try:
                net.load_state_dict(state)
            except Exception as exc:
                raise DynodeInputError(f"{attr.model} does not fit nets.F_mapping built from the config "
                                       f"({str(exc).splitlines()[0]})") from None
            nets_out.append(net.to(device).eval())
    return nets_out


def find_generator(root: Path, path=None) -> Path:
    candidate = Path(path) if path else Path(root) / layout.GENERATOR_FILE
    if not candidate.is_file():
        raise MissingWeightsError("StyleGAN2 generator (pSp FFHQ encoder checkpoint)", candidate.name, [candidate.parent],
                                  "Download psp_ffhq_encode.pt as the checkout's README says (pSp's pretrained models) "
                                  "into pixel2style2pixel/pretrained_models/, or pass --stylegan-model-path")
    return candidate


def load_generator(root, path=None, device: str = "cpu", size: int = 1024) -> torch.nn.Module:
    """pSp's ``Generator(1024, 512, 8)`` with the checkpoint's ``decoder.*`` weights, as ``Trainer.initialize`` loads it."""
    path = find_generator(root, path)
    state = _load_state(path, "generator checkpoint")
    with lt_modules(root) as m:
        trainer = m.import_module("trainer")
        gen = trainer.Generator(size, 512, 8)
        weights = trainer.get_keys(state, "decoder") if isinstance(state, dict) else {}
        if not weights:
            raise DynodeInputError(f"{path} holds no 'decoder.*' weights; expected pSp's checkpoint ({{'state_dict': ...}})")
        try:
            gen.load_state_dict(weights, strict=True)
        except Exception as exc:
            raise DynodeInputError(f"{path}: decoder weights do not fit Generator({size}, 512, 8) "
                                   f"({str(exc).splitlines()[0]})") from None
    return gen.to(device).eval()
