"""What the hook does to STIT's modules as they are imported (see import_hook.py).

Every patch gets the run's :class:`~.session.StitSession` (held by the hook's finder) and its
wrappers close over it: settings, fixes, fitted models and reports go through that one object.

* ``editings.latent_editor``: both edit methods of ``LatentEditor`` are wrapped. The wrapper
  reads the settings at call time: with ``use_dynode`` off it calls STIT's method
  unchanged (and only records its time); with it on, editing.py does frame 0 + propagation.
* ``utils.models_utils``: ``load_tuned_G`` is wrapped to record the run name (to name the
  saved model file); the torch_load and cpu compat fixes are applied when enabled.
* ``training.networks``: fp32 synthesis blocks on a CPU-only machine (cpu compat fix).
* ``models.e4e.psp``: e4e's latent average on the CPU on a CPU-only machine (cpu compat fix;
  train.py).
* ``models.seg_model_2``: the face parser built without downloading ResNet-18 when its own
  checkpoint is present (offline compat fix, see offline.py).
"""
from __future__ import annotations

import functools
import time

from . import compat, editing, offline
from .session import StitSession


def _checkpoints_dir() -> str:
    from configs import paths_config

    return getattr(paths_config, "checkpoints_dir", "./checkpoints")


def _apply_process_fixes(session: StitSession, settings) -> None:
    if settings.compat("pillow"):
        compat.fix_pillow(session.fixes)
    if settings.compat("cpu"):
        compat.fix_cpu_globals(session.fixes)


def patch_latent_editor(module, session: StitSession) -> None:
    cls = getattr(module, "LatentEditor", None)
    if cls is None or not hasattr(cls, "get_interfacegan_edits") or getattr(cls, "_dynode_patched", False):
        return  # not STIT's editor (or patched already)
    _apply_process_fixes(session, session.settings())
    ig_original = cls.get_interfacegan_edits
    sc_original = cls.__dict__["get_styleclip_global_edits"].__func__  # a staticmethod in STIT

    @functools.wraps(ig_original)
    def get_interfacegan_edits(self, orig_w, edit_names, edit_range):
        settings = session.settings()
        if not settings.use_dynode:
            return _timed(session, ig_original, self, orig_w, edit_names, edit_range)
        return editing.interfacegan_edits(ig_original, self, orig_w, edit_names, edit_range, settings, _checkpoints_dir(),
                                          session)

    @functools.wraps(sc_original)
    def get_styleclip_global_edits(orig_w, *args, **kwargs):
        settings = session.settings()
        if not settings.use_dynode:
            return _timed(session, sc_original, orig_w, *args, **kwargs)
        return editing.styleclip_edits(sc_original, module, orig_w, args, kwargs, settings, _checkpoints_dir(), session)

    cls.get_interfacegan_edits = get_interfacegan_edits
    cls.get_styleclip_global_edits = staticmethod(get_styleclip_global_edits)
    cls._dynode_patched = True


def _timed(session: StitSession, fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    session.report.update(method="per-frame", edit_step_seconds=time.perf_counter() - t0, edits=len(out[0]))
    return out


def patch_models_utils(module, session: StitSession) -> None:
    load_tuned = getattr(module, "load_tuned_G", None)
    if load_tuned is None:
        return
    settings = session.settings()
    _apply_process_fixes(session, settings)
    if settings.compat("torch_load") and compat.needs_torch_load_fix():
        compat.fix_models_utils(session.fixes, module)

    @functools.wraps(load_tuned)
    def load_tuned_G(run_id, *args, **kwargs):
        session.run = run_id
        return load_tuned(run_id, *args, **kwargs)

    module.load_tuned_G = load_tuned_G


def patch_networks(module, session: StitSession) -> None:
    if session.settings().compat("cpu"):
        compat.fix_fp32_blocks(session.fixes, module)


def patch_psp(module, session: StitSession) -> None:
    if session.settings().compat("cpu"):
        compat.fix_e4e_device(session.fixes, module)


def patch_seg_model(module, session: StitSession) -> None:
    if session.settings().compat("offline"):
        offline.fix_face_parser(session.fixes, module)
