"""``dynode edit`` (any host, a clip in, an edited clip out) and ``dynode demo`` (the toy world end to end)."""
from __future__ import annotations

import json

import click

from . import cli_types as T
from .frame_selection import fps_factor_option, selection_options
from .outputs import check_output_dir, force_option


@click.command("edit")
@click.option("--host", default="toy", show_default=True, help="Host id (see `dynode plugins`).")
@click.option("--input", "input_path", required=True, type=T.INPUT_MEDIA, help="Video (.mp4/.gif) or folder of frames.")
@click.option("--edit", "edit_specs", multiple=True, required=True, help="NAME=STRENGTH, e.g. colour=+2 (repeatable).")
@click.option("--out", "-o", required=True, type=T.OUT, help="Output folder (written atomically).")
@click.option("--per-frame", is_flag=True, help="Classic per-frame editing instead of DynODE.")
@click.option("--mode", type=click.Choice(["offset", "flow", "reintegrate"]), default="offset", show_default=True)
@click.option("--steps", type=T.STEPS, default=None, help="Dynamics fit steps.")
@selection_options
@fps_factor_option
@force_option
def edit_cmd(host, input_path, edit_specs, out, per_frame, mode, steps, every, frames, max_gap, fps_factor, force):
    """Invert a clip, edit frame 0 only, propagate, render: OUT/edited.mp4 + latents + report.json.

    With --every K only 1 frame in K is inverted (frames the host cannot detect are skipped too);
    the dynamics model supplies the others, and report.json lists which frames it filled.
    """
    check_output_dir(out, "--out", [input_path], force)
    from .atomic import atomic_dir
    from .frame_selection import SelectionSpec, check_per_frame
    from .hosts import get_host
    from .latent_io import save_latents
    from .pipeline import edits_from_specs, run_edit
    from .video import read_frames, write_video

    edits = edits_from_specs(list(edit_specs))
    spec = SelectionSpec.from_options(every, frames, max_gap)
    check_per_frame(per_frame, spec, fps_factor)
    h = get_host(host)
    for name, _ in edits:
        h.check_edit(name)
    clip, fps = read_frames(input_path)
    res = run_edit(h, clip, edits, per_frame=per_frame, mode=mode, dynamics_kwargs={"steps": steps} if steps else None,
                   selection=spec, fps_factor=fps_factor)
    with atomic_dir(out) as tmp:
        write_video(res.edited_frames, tmp / "edited.mp4", fps * fps_factor)
        save_latents(res.source_latents, tmp / "source_latents.pt")
        save_latents(res.edited_latents, tmp / "edited_latents.pt")
        (tmp / "report.json").write_text(json.dumps({"host": host, "edits": edits, "per_frame": per_frame, "mode": mode,
                                                     "frames": len(clip), "fps": fps, "fps_factor": fps_factor,
                                                     "rendered_frames": len(res.edited_frames),
                                                     "selection": res.selection.report(), "seconds": res.seconds}, indent=2))
    click.echo(f"{res.selection.summary()}\nwrote {out}/edited.mp4, source_latents.pt, edited_latents.pt, report.json "
               f"({'per-frame' if per_frame else 'DynODE'}; {res.seconds})")


@click.command("demo")
@click.option("--out", "-o", default="demo", show_default=True, type=T.OUT, help="Output folder (written atomically).")
@click.option("--frames", "n_frames", type=T.DEMO_FRAMES, default=32, show_default=True, help="Clip length.")
@click.option("--edit", "edit_spec", default="colour=+1", show_default=True, help="Edit applied to frame 0 (colour, lighting, background, shape).")
@click.option("--seed", type=T.SEED, default=0, show_default=True, help="Scene seed.")
@force_option
def demo_cmd(out, n_frames, edit_spec, seed, force):
    """The toy world end to end: render, invert, fit, edit frame 0, propagate, render, score."""
    check_output_dir(out, "--out", [], force)
    from .demo import run_demo

    files = run_demo(out, n_frames=n_frames, edit_spec=edit_spec, seed=seed)
    click.echo(f"\nwrote {out}/:")
    for name, what in files.items():
        click.echo(f"  {name:<24} {what}")
