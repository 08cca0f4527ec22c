"""DynODE in place of STIT's per-frame edits: edit frame 0 with STIT's own code, carry it.

STIT computes every frame's edit at once (``LatentEditor.get_interfacegan_edits`` /
``get_styleclip_global_edits``) and then loops over frames to render. With DynODE on, the
same STIT method is called with frame 0 only, so edit names, factors, labels and order
stay STIT's; each edited frame 0 is then carried along the dynamics model fitted on the
run's pivots and returned in exactly STIT's structure:

* InterFaceGAN: ``[(w_edit [N,18,512], name, factor), ...], False`` (propagation mode from
  ``dynode_mode``);
* StyleCLIP global: ``[([26 x [N, dim]] styles, direction, label), ...], True``. Style
  edits live outside W+, so they are carried as offsets: styles of the fitted trajectory +
  (edited styles of frame 0 - styles of frame 0), which is ``offset`` mode in style space.

The model is fitted once per run and saved beside the checkpoint
(``<checkpoints_dir>/model_<run>.dynode``), reused while the pivots match. Each propagation goes
through :func:`dynode_plugin.edit_first_and_propagate`, as in every host. State between STIT's
calls (run name, fitted models, report) lives in the run's :class:`~.session.StitSession`.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Optional

import torch

from dynode_plugin.errors import DynodeInputError

from .session import StitSession
from .settings import StitSettings


def check_pivots(pivots, where: str = "the pivots") -> torch.Tensor:
    if not isinstance(pivots, torch.Tensor):
        raise DynodeInputError(f"{where}: expected a tensor of W+ pivots [N, 18, 512], got {type(pivots).__name__}")
    if pivots.ndim != 3 or tuple(pivots.shape[1:]) != (18, 512):
        raise DynodeInputError(f"{where}: pivots have shape {list(pivots.shape)}; STIT's are [N, 18, 512] "
                               "(re-run STIT's train.py for this run)")
    if len(pivots) < 2:
        raise DynodeInputError(f"{where}: {len(pivots)} frame(s); DynODE needs at least 2 frames to fit a trajectory")
    if not bool(torch.isfinite(pivots).all()):
        raise DynodeInputError(f"{where}: pivots contain NaN or inf values")
    return pivots.detach().to("cpu", torch.float32)


def fingerprint(z: torch.Tensor) -> str:
    return hashlib.sha256(z.contiguous().numpy().tobytes()).hexdigest()[:12]


def model_file(settings: StitSettings, run: Optional[str], checkpoints_dir) -> Path:
    if settings.dynode_model_path:
        return Path(settings.dynode_model_path)
    return Path(checkpoints_dir) / (f"model_{run}.dynode" if run else "dynode.dynode")


def get_model(pivots, settings: StitSettings, checkpoints_dir, session: StitSession, progress: bool = True):
    """The run's dynamics model: from the session, from its file while the pivots match, else fitted and saved."""
    from dynode_plugin.dynamics.settings import fit_or_load

    z = check_pivots(pivots)
    report = session.report
    report["fit_seconds"] = 0.0
    key = (fingerprint(z), settings.dynode_model, tuple(sorted(settings.dynamics.items())))
    if key in session.models and not settings.dynode_refit:
        report["fitted"] = False
        return session.models[key]
    path = model_file(settings, session.run, checkpoints_dir).resolve()  # absolute: reports outlive the host's cwd
    if path.exists() and not settings.dynode_refit and not settings.dynode_model_path:
        from dynode_plugin.dynamics.io import load_dynamics
        from dynode_plugin.dynamics.settings import model_matches

        old = load_dynamics(path)
        if old.id != settings.dynode_model or not model_matches(old, z):
            path = path.with_name(f"{path.stem}-{key[0]}.dynode")  # a stale file of this run (other pivots): keep it
    model, fitted, report["fit_seconds"] = fit_or_load(z, settings.dynode_model, settings.dynamics, path,
                                                       refit=settings.dynode_refit,
                                                       progress=progress and settings.dynode_progress)
    session.models[key] = model
    report.update(fitted=fitted, model_file=str(path), model=settings.dynode_model, mode=settings.dynode_mode)
    return model


def _first(model, like: torch.Tensor) -> torch.Tensor:
    return model.first_latent().reshape(1, *model.shape).to(like.device, like.dtype)


def interfacegan_edits(original, editor, orig_w, edit_names, edit_range, settings: StitSettings, checkpoints_dir,
                       session: StitSession):
    """``get_interfacegan_edits`` with DynODE: STIT's method on frame 0, then propagation."""
    from dynode_plugin.propagation import edit_first_and_propagate

    t0 = time.perf_counter()
    model = get_model(orig_w, settings, checkpoints_dir, session)
    t1 = time.perf_counter()
    edits0, is_style = original(editor, _first(model, orig_w), edit_names, edit_range)
    t2 = time.perf_counter()
    out = []
    for w0, name, factor in edits0:
        edited0 = w0.detach().to("cpu", torch.float32)  # STIT's own edit of frame 0
        traj = edit_first_and_propagate(orig_w.detach().cpu().float(), lambda _: edited0, model=model,
                                        mode=settings.dynode_mode).edited
        out.append((traj.to(w0.device, w0.dtype), name, factor))  # STIT's dtype (float64: float64 directions)
    _timings(session, t0, t1, t2, len(out))
    return out, is_style


def styleclip_edits(original, host, orig_w, args: tuple, kwargs: dict, settings: StitSettings, checkpoints_dir,
                    session: StitSession):
    """``get_styleclip_global_edits`` with DynODE: STIT's method on frame 0, style offsets carried.

    host: STIT's ``editings.latent_editor`` module (for ``get_affine_layers`` / ``w_to_styles``).
    args/kwargs: the call's arguments after ``orig_w`` (``generator`` among them).
    """
    if settings.dynode_mode != "offset":
        raise DynodeInputError(f"dynode_mode = '{settings.dynode_mode}': StyleCLIP global edits live in style space, "
                               "where DynODE carries them as offsets; set dynode_mode = 'offset' for --edit_type styleclip_global")
    generator = kwargs["generator"] if "generator" in kwargs else args[4]
    t0 = time.perf_counter()
    model = get_model(orig_w, settings, checkpoints_dir, session)
    t1 = time.perf_counter()
    z0 = _first(model, orig_w)
    edits0, is_style = original(z0, *args, **kwargs)
    t2 = time.perf_counter()
    affine = host.get_affine_layers(generator.synthesis)
    with torch.no_grad():
        traj = model.predict().to(orig_w.device, orig_w.dtype)
        base = host.w_to_styles(traj, affine)
        s0 = host.w_to_styles(z0, affine)
    out = []
    for styles0, direction, label in edits0:
        out.append(([b + (e - s).detach() for b, e, s in zip(base, styles0, s0)], direction, label))
    _timings(session, t0, t1, t2, len(out))
    return out, is_style


def _timings(session: StitSession, t0: float, t1: float, t2: float, n_edits: int) -> None:
    now = time.perf_counter()
    session.report.update(model_seconds=t1 - t0, edit_frame0_seconds=t2 - t1, propagate_seconds=now - t2,
                          edit_step_seconds=now - t0, edits=n_edits, method="dynode")
    session.finish_step()
