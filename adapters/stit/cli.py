"""``dynode stit``: STIT's own edit scripts with DynODE, and the startup hook that enables it from STIT's configs.

Kept light: torch and the user's checkout are imported inside command bodies.
"""
from __future__ import annotations

import json
import os

import click

from dynode_plugin.cli import DynodeGroup

from dynode_plugin.dynamics.settings import dynamics_options, fit_options
from dynode_plugin.errors import DynodeInputError
from dynode_plugin.frame_selection import selection_options

from .checkpoint import ROOT_ENV, SCRIPTS

_ROOT = click.option("--stit-root", type=click.Path(file_okay=False), default=lambda: os.environ.get(ROOT_ENV),
                     help=f"Your STIT checkout (default: ${ROOT_ENV}).")


@click.group("stit", cls=DynodeGroup)
def group() -> None:
    """STIT (Stitch it in Time, github.com/rotemtzaban/STIT) from your own checkout.

    \b
    With DynODE on, STIT's LatentEditor edits frame 0 only and the edit is carried along
    the dynamics model fitted on the run's pivots; STIT then renders and stitches as usual.
    Two ways in:
      dynode stit install-hook     then `use_dynode = True` in STIT's configs/hyperparameters.py
      dynode stit edit --stit-root PATH -- edit_video.py -i ... -o ... -r RUN -en age
    """


def _dynamics_overrides(kwargs, model_path, refit, quiet):
    """Command-line values as STIT config names (``dynode_<name>``): they win over STIT's configs for this run."""
    from dynode_plugin.dynamics.settings import given

    values = dict(dynode_model=kwargs.pop("model_id"), dynode_mode=kwargs.pop("mode"), dynode_model_path=model_path)
    values = {k: v for k, v in values.items() if v is not None}
    # 0 kept as given: STIT's config reader maps 0 to None for optional integers, as the command line does
    values.update({f"dynode_{k}": (0 if v is None else v) for k, v in given(kwargs).items()})
    if refit:
        values["dynode_refit"] = True
    if quiet:
        values["dynode_progress"] = False
    return values


def _check_report(report_json, inputs, force: bool) -> None:
    """--report-json before STIT runs: never an input, an existing file only with --force."""
    from dynode_plugin.outputs import check_extra_outputs

    check_extra_outputs([("--report-json", report_json, (".json",))], inputs, force)


@group.command("edit", context_settings={"ignore_unknown_options": True})
@_ROOT
@click.option("--per-frame", is_flag=True, help="Run STIT's original per-frame edits (compat fixes still applied).")
@dynamics_options
@click.option("--model-path", type=click.Path(dir_okay=False), default=None,
              help="The .dynode file to reuse or write. Default: <checkpoints_dir>/model_<run>.dynode.")
@click.option("--refit", is_flag=True, help="Fit again even if a saved model matches the pivots.")
@click.option("--no-compat", is_flag=True, help="Do not apply the compat fixes (torch_load, cpu, pillow, offline).")
@click.option("--report-json", type=click.Path(dir_okay=False), default=None, help="Write timings and settings as JSON.")
@click.option("--force", is_flag=True, help="Replace an existing --report-json file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar for the fit.")
@click.argument("script_args", nargs=-1, type=click.UNPROCESSED)
def edit_cmd(stit_root, per_frame, model_path, refit, no_compat, report_json, force, quiet, script_args, **kwargs):
    """Run STIT's edit_video.py (or edit_video_stitching_tuning.py) with DynODE.

    Everything after `--` is STIT's own command line; the script name is optional
    (default edit_video.py).
    """
    from dynode_plugin.atomic import atomic_path

    from .checkpoint import find_root

    _check_report(report_json, [model_path], force)
    root = find_root(stit_root)
    from .runner import run_script  # after the checkout is checked: it loads torch
    args = list(script_args)
    script = args.pop(0) if args and args[0].endswith(".py") else SCRIPTS[0]
    overrides = _dynamics_overrides(kwargs, model_path, refit, quiet)
    if no_compat:
        overrides["dynode_compat"] = False
    elif per_frame:
        overrides["dynode_compat"] = True
    report = run_script(root, os.path.basename(script), args, use_dynode=not per_frame, overrides=overrides)
    e = report["edit"]
    click.echo(f"STIT {report['script']} ({'per-frame' if per_frame else 'DynODE'}) finished in {report['total_seconds']:.1f} s; "
               f"edit step {e.get('edit_step_seconds', float('nan')):.2f} s"
               + (f", model {e['model_file']} ({'fitted' if e.get('fitted') else 'reused'})" if e.get("model_file") else "")
               + (f"; compat fixes: {', '.join(report['compat'])}" if report["compat"] else ""))
    if report_json:
        with atomic_path(report_json) as tmp:
            tmp.write_text(json.dumps(report, indent=2))


@group.command("train", context_settings={"ignore_unknown_options": True})
@_ROOT
@selection_options
@fit_options  # no --mode: train only writes pivots; the mode is the edit's choice
@click.option("--no-compat", is_flag=True, help="Do not apply the compat fixes (torch_load, cpu, pillow).")
@click.option("--report-json", type=click.Path(dir_okay=False), default=None, help="Write timings and the frame report as JSON.")
@click.option("--force", is_flag=True, help="Replace an existing --report-json file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar for the fit.")
@click.argument("script_args", nargs=-1, type=click.UNPROCESSED)
def train_cmd(stit_root, every, frames, max_gap, model_id, no_compat, report_json, force, quiet, script_args, **kwargs):
    """Run STIT's train.py with e4e + PTI on the selected frames only (--every K, --frames, --max-gap).

    Alignment runs on every frame as in STIT; frames without a detected face are filled in
    (their quads interpolated from the neighbours) instead of stopping the run. The pivots of
    every frame not inverted come from the dynamics model, so checkpoints/model_<run>.pt holds
    N pivots and N quads and STIT's edit scripts read it unchanged. Everything after `--` is
    train.py's own command line (the script name is optional).
    """
    from dynode_plugin.atomic import atomic_path
    from dynode_plugin.dynamics.settings import given
    from dynode_plugin.frame_selection import SelectionSpec

    from .checkpoint import find_root

    spec = SelectionSpec.from_options(every, frames, max_gap)
    _check_report(report_json, [], force)
    root = find_root(stit_root)
    from .sparse_train import run_train  # after the checkout is checked: it loads torch
    args = list(script_args)
    if args and args[0].endswith(".py"):
        if os.path.basename(args[0]) != "train.py":
            raise DynodeInputError(f"dynode stit train runs STIT's train.py, not {args[0]} (edits: dynode stit edit)")
        args.pop(0)
    report = run_train(root, args, spec, model_id=model_id, settings=given(kwargs), progress=not quiet,
                       overrides={"dynode_compat": not no_compat})
    secs = report["seconds"]
    click.echo(f"STIT train.py finished in {report['total_seconds']:.1f} s (alignment {secs.get('alignment', float('nan')):.1f} s, "
               f"e4e + PTI {secs.get('inversion', float('nan')):.1f} s" + (f", fit {secs['fit']:.1f} s" if "fit" in secs else "")
               + f"); {report['summary']}")
    if report.get("model_note") and report.get("selection") and report["selection"].get("filled"):
        click.echo(f"dynamics model: {report['model_file'] or 'not saved'} ({report['model_note']})")
    if report_json:
        with atomic_path(report_json) as tmp:
            tmp.write_text(json.dumps(report, indent=2))


@group.command("fit")
@_ROOT
@click.option("--run-name", "-r", default=None, help="STIT's run name: fits on the pivots of <checkpoints_dir>/model_<run>.pt.")
@click.option("--checkpoint", type=click.Path(dir_okay=False), default=None, help="A model_<run>.pt file (instead of --run-name).")
@fit_options
@click.option("--out", "-o", type=click.Path(dir_okay=False), default=None,
              help="Output .dynode file. Default: beside the checkpoint, model_<run>.dynode (what the edit hook reuses).")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def fit_cmd(stit_root, run_name, checkpoint, model_id, out, force, quiet, **kwargs):
    """Fit a dynamics model on a STIT run's pivots and save it for the edit step."""
    from pathlib import Path

    from dynode_plugin.dynamics.settings import fit_or_load, given
    from dynode_plugin.outputs import check_output_file

    from .checkpoint import checkpoint_path, find_root, read_pivots

    root = find_root(stit_root) if checkpoint is None else None
    path = checkpoint_path(root, run_name, checkpoint)
    out = check_output_file(out or path.with_suffix(".dynode"), "--out", [path], force, suffixes=(".dynode",))
    pivots = read_pivots(path)
    fit_or_load(pivots, model_id, given(kwargs), out, refit=True, progress=not quiet)
    click.echo(f"fitted '{model_id}' on {len(pivots)} pivots of {path}; wrote {out}")


@group.command("install-hook")
@click.option("--site-dir", type=click.Path(file_okay=False), default=None, help="site-packages to write to (default: this interpreter's).")
def install_hook_cmd(site_dir):
    """Let STIT's own scripts read `use_dynode` from STIT's configs (one .pth line in site-packages)."""
    from .hook_file import install_hook
    from .import_hook import ENV_SWITCH

    path = install_hook(site_dir)
    click.echo(f"wrote {path}\nSTIT's scripts now honour `use_dynode = True` in configs/hyperparameters.py "
               f"(or configs/dynode_config.py). Off for one run: {ENV_SWITCH}=0; remove: dynode stit uninstall-hook")


@group.command("uninstall-hook")
@click.option("--site-dir", type=click.Path(file_okay=False), default=None)
def uninstall_hook_cmd(site_dir):
    """Remove the startup hook."""
    from .hook_file import site_dir as where, uninstall_hook

    path = uninstall_hook(site_dir)
    click.echo(f"removed {path}" if path else f"no hook installed in {where(site_dir)}")


@group.command("status")
@_ROOT
def status_cmd(stit_root):
    """Is the hook installed and active; what STIT's configs ask for."""
    from .hook_file import PTH_NAME, site_dir
    from .import_hook import ENV_SWITCH, hook_disabled, installed

    pth = site_dir() / PTH_NAME
    click.echo(f"hook file: {pth} ({'present' if pth.exists() else 'absent'})")
    click.echo(f"active in this interpreter: {installed()}" + (f" (switched off by {ENV_SWITCH})" if hook_disabled() else ""))
    if stit_root:
        from .checkpoint import find_root

        root = find_root(stit_root)
        for name in ("configs/hyperparameters.py", "configs/dynode_config.py"):
            f = root / name
            if f.exists():
                lines = [ln.strip() for ln in f.read_text().splitlines() if ln.strip().startswith(("use_dynode", "dynode_"))]
                click.echo(f"{name}: {'; '.join(lines) or 'no DynODE settings (use_dynode is off)'}")
