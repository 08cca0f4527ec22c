"""``dynode tcsve``: TCSVE's StyleCLIP editing step, with DynODE in place of per-frame edits.

Kept light: torch, the dynamics model and the user's checkout are imported inside the
command body, so ``dynode --help`` and plugin discovery stay fast.
"""
from __future__ import annotations

import json
import os

import click

from dynode_plugin import cli_types as T
from dynode_plugin.cli import DynodeGroup

from ..common.cli_options import dynamics_options, run_options

ROOT_ENV = "DYNODE_TCSVE_ROOT"


@click.group("tcsve", cls=DynodeGroup)
def group() -> None:
    """TCSVE (VideoEditGAN, github.com/Twizwei/VideoEditGAN) from your own checkout.

    \b
    Replaces PTI/scripts/pti_styleclip.py (StyleCLIP mapper on every frame) by:
    mapper on frame 0 only + DynODE propagation. The output latents.pth is the
    file scripts/temp_consist.py and STIT/video_stitching_tuning_ours.py read.
    """


@group.command("edit")
@click.option("--tcsve-root", type=click.Path(file_okay=False), default=lambda: os.environ.get(ROOT_ENV),
              help=f"Your VideoEditGAN checkout (default: ${ROOT_ENV}).")
@click.option("--run", "run_name", required=True, help="The PTI run name (--run_name of run_pti_multi.py).")
@click.option("--inverted-root", type=click.Path(file_okay=False), default=None,
              help="run_pti_multi.py's --checkpoint_path (holds embeddings/ and model_multi_id.pt). Default: <tcsve-root>/out/<run>/inverted.")
@click.option("--embeddings", type=click.Path(file_okay=False), default=None,
              help="The folder of <frame>/0.pt latents. Default: <inverted-root>/embeddings/<run>/PTI.")
@click.option("--aligned-frames", type=click.Path(file_okay=False), default=None,
              help="Take the frame list from the aligned images, as pti_styleclip.py does (--aligned_frame_path).")
@click.option("--edit", default="eyeglasses", show_default=True, help="Edit name (mapper file <edit>.pt).")
@click.option("--mapper", type=click.Path(dir_okay=False), default=None,
              help="StyleCLIP mapper checkpoint. Default: <tcsve-root>/PTI/pretrained_models/<edit>.pt.")
@click.option("--strength", type=T.STRENGTH, default=None, help="w + strength * M(w). Default: the factor in pti_styleclip.py's meta_data (0.15 for eyeglasses), else 0.15.")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False),
              help="Output latents, e.g. <output_root>/StyleCLIP/<edit>/latents.pth (what temp_consist.py reads).")
@click.option("--per-frame", is_flag=True, help="Run the original step instead: the mapper on every frame, reloaded per frame.")
@click.option("--render", is_flag=True, help="With --per-frame: also reload model_multi_id.pt per frame and write frames/<frame>.png like the original.")
@click.option("--fill-gaps", is_flag=True, help="Predict frames missing from the embeddings with the dynamics model instead of refusing.")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@dynamics_options
@run_options
def edit_cmd(tcsve_root, run_name, inverted_root, embeddings, aligned_frames, edit, mapper, strength, out, per_frame, render,
             fill_gaps, force, model_id, mode, steps, solver, subspace_dim, seed, straightness, save_model, report_json, quiet):
    """Edit a TCSVE run's PTI latents and write latents.pth for the next TCSVE steps."""
    from pathlib import Path

    from dynode_plugin.atomic import atomic_path
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.outputs import check_output_file

    from ..common.consistency import delta_consistency
    from . import editing, layout
    from .host_imports import validate_checkout
    from .mapper import DEFAULT_STRENGTH, find_mapper, load_mapper

    if not tcsve_root:
        raise DynodeInputError(f"give --tcsve-root (your VideoEditGAN checkout) or set ${ROOT_ENV}")
    root = validate_checkout(tcsve_root)
    if render and not per_frame:
        raise DynodeInputError("--render reproduces the original per-frame step; use it with --per-frame")
    if per_frame and fill_gaps:
        raise DynodeInputError("--fill-gaps needs the dynamics model; it cannot be combined with --per-frame")
    out = editing.check_output(out, force)  # refuse early: no work is wasted on an output we would not write
    if report_json:
        check_output_file(report_json, "--report-json", [out], force, suffixes=(".json",))
    meta = layout.read_meta_data(root)
    mapper_path = find_mapper(root, edit, mapper, meta)
    if strength is None:
        strength = float(meta[edit][4]) if edit in meta else DEFAULT_STRENGTH
    inverted = Path(inverted_root) if inverted_root else layout.default_inverted_root(root, run_name)
    folder = Path(embeddings) if embeddings else layout.embeddings_dir(inverted, run_name)
    names = layout.frame_names_from_images(aligned_frames) if aligned_frames else None
    frames = layout.read_frame_latents(folder, names=names, allow_gaps=fill_gaps)

    if per_frame:
        result = editing.edit_per_frame(root, frames, mapper_path, edit, strength, meta=meta,
                                        render_from=(inverted / layout.GENERATOR_FILE) if render else None,
                                        frames_dir=out.parent / "frames", progress=not quiet)
    else:
        from dynode_plugin.dynamics.config import fit_settings

        settings = fit_settings(model_id, steps=steps, solver=solver, seed=seed, subspace_dim=subspace_dim,
                                straightness=straightness)
        loaded = load_mapper(root, mapper_path, edit, meta)
        result = editing.edit_dynode(frames, loaded, strength, mode=mode, model_id=model_id, fit_kwargs=settings,
                                     model_path=save_model, progress=not quiet)
    editing.write_latents(result.latents, out, force=force)

    report = {
        "method": result.method, "edit": edit, "strength": strength, "mapper": str(mapper_path), "frames": len(frames.numbers),
        "filled_frames": frames.missing, "out": str(out), "shape": list(result.latents.shape),
        "seconds": result.seconds, "per_frame_seconds": result.per_frame_seconds,
        "consistency": delta_consistency(result.source, result.latents),
    }
    if not per_frame:
        report.update(model=model_id, mode=mode, refitted=result.fitted)
    click.echo(f"wrote {out}: {report['shape']} latents ({result.method}, {edit} x {strength:g}) "
               f"in {result.seconds['total_edit']:.2f} s" + (f"; filled frames {frames.missing}" if frames.missing else ""))
    if out.parent.name != edit or out.parent.parent.name != "StyleCLIP" or out.name != "latents.pth":
        click.echo(f"note: temp_consist.py reads <edit_root>/StyleCLIP/{edit}/latents.pth", err=True)
    if report_json:
        with atomic_path(report_json) as tmp:
            tmp.write_text(json.dumps(report, indent=2))
