"""``dynode tcsve``: TCSVE's StyleCLIP editing step, with DynODE in place of per-frame edits.

Kept light: torch, the dynamics model and the user's checkout are imported inside the
command body, so ``dynode --help`` and plugin discovery stay fast.
"""
from __future__ import annotations

import click

from dynode_plugin.cli import DynodeGroup
from dynode_plugin.dynamics.settings import dynamics_options
from dynode_plugin.edit_commands import check_run_outputs, dynamics_choice, run_options, write_report
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
@dynamics_options
@run_options
def edit_cmd(tcsve_root, run_name, inverted_root, embeddings, aligned_frames, edit, mapper, strength, out, per_frame, render,
             fill_gaps, force, report_json, quiet, **kwargs):
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
        res, _ = run(host, folder, [(edit, strength)], out, dynamics=dynamics, force=force, progress=not quiet)
        frames = res.clip.extras["frames"]
        mapper_s = host.mapper(edit).seconds
        report = {**res.report(), "method": "dynode", "per_frame_seconds": []}
        report["seconds"]["mapper_load"] = mapper_s
        total = report["seconds"]["total_edit"] = res.seconds["edit_step"] + mapper_s
    report.update(edit=edit, strength=strength, mapper=str(host.mapper_file(edit)), frames=len(frames.numbers),
                  filled_frames=frames.missing, out=str(out), shape=[len(frames.numbers), *layout.W_PLUS_SHAPE])
    click.echo(f"wrote {out}: {report['shape']} latents ({report['method']}, {edit} x {strength:g}) "
               f"in {total:.2f} s" + (f"; filled frames {frames.missing}" if frames.missing else ""))
    out = Path(out)
    if out.parent.name != edit or out.parent.parent.name != "StyleCLIP" or out.name != "latents.pth":
        click.echo(f"note: temp_consist.py reads <edit_root>/StyleCLIP/{edit}/latents.pth", err=True)
    write_report(report_json, report)
