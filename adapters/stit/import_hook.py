"""The startup hook: a meta-path finder that patches STIT's modules as STIT imports them.

``dynode stit install-hook`` writes one line into a ``.pth`` file in site-packages, which
Python runs at interpreter start; it calls :func:`install`. Cost for every other program:
importing this stdlib-only module and one set lookup per first import of a module name.
Only five module names are watched, and only when the module being imported sits in a
STIT checkout (``edit_video.py``, ``configs/hyperparameters.py`` and
``editings/latent_editor.py`` beside it) is anything patched; the patches (in
``dynode_adapters.stit.patches``, imported only then) read STIT's configs to decide what to
do. ``DYNODE_STIT_HOOK=0`` switches the hook off entirely. The finder holds the run's session
(``session.StitSession``, made on first use unless ``dynode stit edit`` passes its own), and hands
it to every patch.
"""
from __future__ import annotations

# stdlib modules Python has loaded anyway at start-up only: importlib.abc and pathlib would
# cost ~10 ms on every interpreter start (measured in benchmarks/stit_edit.py)
import os
import sys

ENV_SWITCH = "DYNODE_STIT_HOOK"
WATCHED = {  # module -> patch function in dynode_adapters.stit.patches
    "editings.latent_editor": "patch_latent_editor",
    "utils.models_utils": "patch_models_utils",
    "training.networks": "patch_networks",
    "models.seg_model_2": "patch_seg_model",
    "models.e4e.psp": "patch_psp",
}
STIT_MARKERS = ("edit_video.py", "configs/hyperparameters.py", "editings/latent_editor.py")


def hook_disabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1").strip().lower() in ("0", "false", "no", "off")


def is_stit_root(root) -> bool:
    return all(os.path.isfile(os.path.join(str(root), *m.split("/"))) for m in STIT_MARKERS)


class _PatchingLoader:
    """Runs the real loader, then the patch for that module."""

    def __init__(self, loader, name, finder):
        self.loader, self.name, self.finder = loader, name, finder

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        from . import patches

        getattr(patches, WATCHED[self.name])(module, self.finder.get_session())


class StitFinder:  # the meta-path finder protocol: find_spec only
    def __init__(self, session=None):
        self.session = session

    def get_session(self):
        if self.session is None:  # STIT's own script started with the .pth hook: announce on stderr
            from .session import StitSession

            self.session = StitSession()
        return self.session

    def find_spec(self, name, path=None, target=None):
        if name not in WATCHED:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, StitFinder) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        if spec is None or spec.origin is None or spec.loader is None:
            return spec
        root = os.path.realpath(spec.origin)
        for _ in range(name.count(".") + 1):
            root = os.path.dirname(root)
        if not is_stit_root(root):
            return spec  # another project's module of the same name: untouched
        spec.loader = _PatchingLoader(spec.loader, name, self)
        return spec


def finder():
    """The installed finder, or None."""
    return next((f for f in sys.meta_path if isinstance(f, StitFinder)), None)


def installed() -> bool:
    return finder() is not None


def install(force: bool = False, session=None) -> bool:
    """Put the finder first on ``sys.meta_path`` (once). Returns whether it is active.

    force: ignore ``DYNODE_STIT_HOOK=0`` (``dynode stit edit`` asks for the patch explicitly).
    session: the run's session (``dynode stit edit`` passes its own; it replaces the finder's).
    """
    if hook_disabled() and not force:
        return False
    if not installed():
        sys.meta_path.insert(0, StitFinder(session))
    elif session is not None:
        finder().session = session
    return True


def uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, StitFinder)]
