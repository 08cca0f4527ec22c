"""``dynode tcsve``: TCSVE's StyleCLIP editing step, with DynODE in place of per-frame edits.

Kept light: torch, the dynamics model and the user's checkout are imported inside the
command body, so ``dynode --help`` and plugin discovery stay fast.
"""
from __future__ import annotations

import click

from dynode_plugin.cli import DynodeGroup
from dynode_plugin.dynamics.settings import dynamics_options
from dynode_plugin.edit_commands import check_run_outputs, dynamics_choice, run_options, write_report
from dynode_plugin.frame_selection import fps_factor_option, selection_options
from dynode_plugin.cli_types import with_params

from . import options


@click.group("tcsve", cls=DynodeGroup)
def group() -> None:
    """TCSVE (VideoEditGAN, github.com/Twizwei/VideoEditGAN) from your own checkout.

    \b
    Replaces PTI/scripts/pti_styleclip.py (StyleCLIP mapper on every frame) by:
    mapper on frame 0 only + DynODE propagation. The output latents.pth is the
    file scripts/temp_consist.py and STIT/video_stitching_tuning_ours.py read.
    Same flow as `dynode edit --host tcsve --input EMBEDDINGS --edit eyeglasses=0.15`.
    `dynode tcsve invert --every K` runs the inversion before it (run_pti_multi.py's
    e4e + PTI) on 1 aligned frame in K; the dynamics model writes the other frames' 0.pt.
    """


@group.command("edit")
@with_params([options.ROOT])
@click.option("--run", "run_name", required=True, help="The PTI run name (--run_name of run_pti_multi.py).")
@click.option("--inverted-root", type=click.Path(file_okay=False), default=None,
              help="run_pti_multi.py's --checkpoint_path (holds embeddings/ and model_multi_id.pt). Default: <tcsve-root>/out/<run>/inverted.")
@click.option("--embeddings", type=click.Path(file_okay=False), default=None,
              help="The folder of <frame>/0.pt latents. Default: <inverted-root>/embeddings/<run>/PTI.")
@with_params([options.ALIGNED])
@click.option("--edit", default="eyeglasses", show_default=True, help="Edit name (mapper file <edit>.pt).")
@with_params([options.MAPPER])
@click.option("--strength", type=float, default=None, help="w + strength * M(w). Default: the factor in pti_styleclip.py's meta_data (0.15 for eyeglasses), else 0.15.")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False),
              help="Output latents, e.g. <output_root>/StyleCLIP/<edit>/latents.pth (what temp_consist.py reads).")
@click.option("--per-frame", is_flag=True, help="Run the original step instead: the mapper on every frame, reloaded per frame.")
@click.option("--render", is_flag=True, help="With --per-frame: also reload model_multi_id.pt per frame and write frames/<frame>.png like the original.")
@with_params([options.FILL_GAPS])
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@fps_factor_option
@dynamics_options
@run_options
def edit_cmd(tcsve_root, run_name, inverted_root, embeddings, aligned_frames, edit, mapper, strength, out, per_frame, render,
             fill_gaps, force, fps_factor, report_json, quiet, **kwargs):
    """Edit a TCSVE run's PTI latents and write latents.pth for the next TCSVE steps."""
    from pathlib import Path

    from dynode_plugin.errors import DynodeInputError

    from . import layout
    from .host import TCSVEHost

    from dynode_plugin.outputs import check_output_file

    inputs = [embeddings, mapper, aligned_frames, inverted_root]
    check_output_file(out, "--out", inputs, force, suffixes=(".pth", ".pt"))  # never an input, even with --force
    check_run_outputs(kwargs.get("save_model"), report_json, inputs, force, [("--out", out)])
    host = TCSVEHost.from_options(tcsve_root=tcsve_root, mapper=mapper, aligned_frames=aligned_frames, fill_gaps=fill_gaps)
    dynamics = dynamics_choice(kwargs, force)
    from dynode_plugin.consistency import delta_consistency  # after the checkout is checked: these load torch
    from dynode_plugin.pipeline import run

    from . import editing
    if render and not per_frame:
        raise DynodeInputError("--render reproduces the original per-frame step; use it with --per-frame")
    if per_frame and fps_factor > 1:
        raise DynodeInputError("--fps-factor needs the dynamics model's trajectory; it cannot be combined with --per-frame")
    if per_frame and fill_gaps:
        raise DynodeInputError("--fill-gaps needs the dynamics model; it cannot be combined with --per-frame")
    strength = host.default_strength(edit) if strength is None else strength
    inverted = Path(inverted_root) if inverted_root else layout.default_inverted_root(host.root, run_name)
    folder = Path(embeddings) if embeddings else layout.embeddings_dir(inverted, run_name)
    if per_frame:  # the original step, with its cost: models reloaded for every frame
        out = editing.check_output(out, force)  # refuse early: no work is wasted on an output we would not write
        clip = host.read(folder)
        frames = clip.extras["frames"]
        result = editing.edit_per_frame(host.root, clip, host.mapper_file(edit), edit, strength, meta=host._meta,
                                        render_from=(inverted / layout.GENERATOR_FILE) if render else None,
                                        frames_dir=Path(out).parent / "frames", progress=not quiet)
        editing.write_latents(result.edited, out, force=force)
        report = {"method": result.method, "seconds": result.seconds, "per_frame_seconds": result.frame_seconds,
                  "consistency": delta_consistency(result.source, result.edited)}
        total = result.seconds["total_edit"]
    else:
        res, _ = run(host, folder, [(edit, strength)], out, dynamics=dynamics, fps_factor=fps_factor, force=force,
                     progress=not quiet)
        frames = res.clip.extras["frames"]
        mapper_s = host.mapper(edit).seconds
        report = {**res.report(), "method": "dynode", "per_frame_seconds": []}
        report["seconds"]["mapper_load"] = mapper_s
        total = report["seconds"]["total_edit"] = res.seconds["edit_step"] + mapper_s
    rows = len(frames.numbers) if per_frame else len(res.edited)  # (N - 1) * F + 1 with --fps-factor F
    report.update(edit=edit, strength=strength, mapper=str(host.mapper_file(edit)), frames=len(frames.numbers),
                  filled_frames=frames.missing, out=str(out), shape=[rows, *layout.W_PLUS_SHAPE])
    click.echo(f"wrote {out}: {report['shape']} latents ({report['method']}, {edit} x {strength:g}) "
               f"in {total:.2f} s" + (f"; filled frames {frames.missing}" if frames.missing else ""))
    out = Path(out)
    if fps_factor > 1:
        click.echo(f"note: {rows} rows at {fps_factor}x the frame rate (video frame i is row i * {fps_factor}); temp_consist.py "
                   "pairs rows with aligned frames one to one, so render these with the PTI generator instead", err=True)
    elif out.parent.name != edit or out.parent.parent.name != "StyleCLIP" or out.name != "latents.pth":
        click.echo(f"note: temp_consist.py reads <edit_root>/StyleCLIP/{edit}/latents.pth", err=True)
    write_report(report_json, report)


@group.command("invert")
@with_params([options.ROOT])
@click.option("--aligned-frames", "aligned_frames", required=True, type=click.Path(file_okay=False),
              help="The aligned frames (run_pti_multi.py's --data_root, e.g. out/<video>/aligned); a missing frame number = no face found there.")
@click.option("--run", "run_name", required=True, help="The run name (run_pti_multi.py's --run_name); the edit step reads embeddings/<run>/PTI.")
@click.option("--inverted-root", type=click.Path(file_okay=False), default=None,
              help="run_pti_multi.py's --checkpoint_path: gets embeddings/<run>/PTI/<frame>/0.pt and model_multi_id.pt. "
                   "Default: <tcsve-root>/out/<run>/inverted.")
@selection_options
@click.option("--pti-steps", type=click.IntRange(min=0), default=None,
              help="Generator tuning passes (PTI's hyperparameters.max_pti_steps). Default: the checkout's own (200).")
@click.option("--device", default=None, help="torch device for e4e and PTI. Default: cuda if available, else cpu.")
@click.option("--force", is_flag=True, help="Replace an earlier inversion of this run (its embeddings and model_multi_id.pt).")
@dynamics_options
@run_options
def invert_cmd(tcsve_root, aligned_frames, run_name, inverted_root, every, frames, max_gap, pti_steps, device, force,
               model_id, mode, save_model, refit, report_json, quiet, **kwargs):
    """TCSVE's inversion (e4e + multi-frame PTI) on 1 aligned frame in K; the dynamics model writes the rest.

    \b
    Runs the checkout's own PTI/scripts/run_pti_multi.py (run_PTI) on the selected
    frames only (--every K, --frames, --max-gap): their e4e pivots, and the generator
    model_multi_id.pt tuned on them alone. Every other frame's
    embeddings/<run>/PTI/<frame>/0.pt ([1,18,512], PTI's format) is the dynamics
    model's, fitted on the pivots at the true frame numbers; frames the aligner
    skipped are filled too and listed. The next steps (dynode tcsve edit,
    pti_styleclip.py, temp_consist.py) read a complete run.
    """
    from pathlib import Path

    import torch

    from dynode_plugin.dynamics.settings import given
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.frame_selection import SelectionSpec

    from . import invert, layout

    if not tcsve_root:
        raise DynodeInputError(f"give --tcsve-root (your VideoEditGAN checkout) or set ${options.ROOT_ENV}")
    spec = SelectionSpec.from_options(every, frames, max_gap)
    inverted = Path(inverted_root) if inverted_root else layout.default_inverted_root(tcsve_root, run_name)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    sel, clip, model, seconds = invert.invert(tcsve_root, aligned_frames, inverted, run_name, spec, device=device,
                                              pti_steps=pti_steps, model_id=model_id, settings=given(kwargs), force=force,
                                              progress=not quiet)
    if model is not None and save_model:
        model.save(save_model)
    folder = layout.embeddings_dir(inverted, run_name)
    click.echo(f"{sel.summary()}; e4e + PTI {seconds['inversion']:.1f} s" + (f", fit {seconds['fit']:.1f} s" if model else "")
               + f"; wrote {len(clip.names)} latents to {folder} and the generator tuned on {len(sel.selected)} frames")
    write_report(report_json, {"run": run_name, "selection": sel.report(), "seconds": seconds, "model": model_id if model else None,
                               "embeddings": str(folder), "generator": str(Path(inverted) / layout.GENERATOR_FILE),
                               "frame_names": clip.names, "filled_names": [clip.names[i] for i in sel.unobserved]})
