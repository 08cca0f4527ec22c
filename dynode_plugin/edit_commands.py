"""``dynode edit`` (any host, a clip in, an edited clip out) and ``dynode demo`` (the toy world end to end)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from . import cli_types as T
from .outputs import check_output_dir, force_option

from .dynamics.settings import dynamics_options
from .frame_selection import fps_factor_option, selection_options


class HostCommand(click.Command):
    """A command whose options grow with the chosen host's own (``Host.cli_options``), so
    ``dynode edit --host ID --help`` lists them and only that host's module is imported."""

    def parse_args(self, ctx: click.Context, args):
        from .hosts import host_class

        host_id = "toy"
        for i, a in enumerate(args):
            if a == "--host" and i + 1 < len(args):
                host_id = args[i + 1]
            elif a.startswith("--host="):
                host_id = a.split("=", 1)[1]
        base = [p for p in self.params if not getattr(p, "_host_option", False)]
        extra = list(host_class(host_id).cli_options())
        for param in extra:
            param._host_option = True
        self.params = base + extra
        ctx.meta["host_options"] = [p.name for p in extra]
        return super().parse_args(ctx, args)


def run_options(fn):
    """--save-model, --refit, --report-json, --force, --quiet: how a run reuses models and writes."""
    for opt in reversed([
        click.option("--save-model", type=click.Path(dir_okay=False), default=None,
                     help="A .dynode file: reused if it was fitted on these latents (any edit), written after fitting otherwise."),
        click.option("--refit", is_flag=True, help="Fit again even if --save-model holds a matching model."),
        click.option("--report-json", type=click.Path(dir_okay=False), default=None, help="Also write timings and edit consistency as JSON."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars."),
    ]):
        fn = opt(fn)
    return fn


def dynamics_choice(kwargs, force: bool = False):
    """Pop the dynamics and run options out of a command's kwargs into a DynamicsChoice
    (an existing --save-model that is not reused is replaced only with ``force``)."""
    from pathlib import Path

    from .dynamics.settings import given
    from .pipeline import DynamicsChoice

    path = kwargs.pop("save_model", None)
    return DynamicsChoice(model_id=kwargs.pop("model_id"), mode=kwargs.pop("mode"), settings=given(kwargs),
                          model_path=Path(path).resolve() if path else None, refit=kwargs.pop("refit", False),
                          replace=force)


def check_run_outputs(save_model, report_json, inputs, force: bool, taken=(), extra=()) -> None:
    """Before any work: ``--save-model`` and ``--report-json`` (:func:`run_options`) and a host's
    ``extra`` output files ``(option, path, suffixes)``, against the inputs and the outputs already
    ``taken`` (``(option, path)``, e.g. the --out): nothing replaced without --force, no input ever."""
    from .outputs import check_extra_outputs, check_model_file

    inputs = [p for p in inputs if p]
    if save_model:
        check_model_file(save_model, inputs)
    check_extra_outputs([("--report-json", report_json, (".json",)), *extra], inputs, force,
                        [*taken, ("--save-model", save_model)])


def write_report(path, report) -> None:
    if path:
        from .atomic import atomic_path

        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(report, indent=2, default=str))


@click.command("edit", cls=HostCommand)
@click.option("--host", default="toy", show_default=True, help="Host id (see `dynode plugins`); its own options are added (--host ID --help).")
@click.option("--input", "input_path", required=True, type=T.INPUT_MEDIA,
              help="What the host reads: a video or folder of frames (toy), a latents folder (latent-transformer), ...")
@click.option("--edit", "edit_specs", multiple=True, required=True, help="NAME=STRENGTH, e.g. colour=+2 (repeatable).")
@click.option("--out", "-o", required=True, type=click.Path(), help="Where the host writes (toy: a folder, written atomically).")
@click.option("--per-frame", is_flag=True, help="Classic per-frame editing instead of DynODE.")
@click.option("--force", is_flag=True, help="Replace an existing output.")
@click.option("--metrics", "metric_ids", default=None,
              help="Also score the edit, e.g. tl-id,tg-id,flicker (hosts that render in memory: toy); "
                   "with the host's identity encoder. Other hosts: dynode metrics on their output.")
@selection_options
@fps_factor_option
@dynamics_options
@run_options
@click.pass_context
def edit_cmd(ctx, host, input_path, edit_specs, out, per_frame, force, metric_ids, every, frames, max_gap, fps_factor,
             report_json, quiet, **kwargs):
    """Read a clip with the host, edit frame 0 only, propagate, write in the host's format.

    \b
    The one flow of every host: read (invert or load latents) -> fit or load the
    dynamics model -> edit frame 0 -> propagate -> write. Toy: OUT/edited.mp4 +
    source_latents.pt + edited_latents.pt + report.json.
    With --every K only 1 frame in K is inverted (frames the host cannot detect are
    skipped too); the dynamics model supplies the others, and the report lists them.
    """
    from .frame_selection import SelectionSpec, check_per_frame
    from .hosts import get_host
    from .outputs import check_output

    check_output(out, "--out", [input_path], force)  # before any work; an input is never replaced
    check_run_outputs(kwargs.get("save_model"), report_json, [input_path], force, [("--out", out)])
    host_opts = {k: kwargs.pop(k) for k in ctx.meta.get("host_options", [])}
    spec = SelectionSpec.from_options(every, frames, max_gap)
    check_per_frame(per_frame, spec, fps_factor)
    h = get_host(host, **host_opts)  # its checkout is checked here, before torch and the pipeline load
    from .pipeline import edits_from_specs, run

    dynamics = dynamics_choice(kwargs, force)
    edits = edits_from_specs(list(edit_specs), h)
    if metric_ids and not h.default_encoder:
        from .errors import DynodeInputError

        raise DynodeInputError(f"host '{host}' renders no frames here to score; run `dynode metrics` on what it writes")
    res, files = run(h, input_path, edits, out, select=spec, per_frame=per_frame, dynamics=dynamics, fps_factor=fps_factor,
                     force=force, progress=not quiet)
    report = {"host": host, **res.report()}
    if res.selection is not None:
        click.echo(res.selection.summary())
    if metric_ids:
        from .metrics.evaluate import score_pair, values_of
        from .plugins import get_registry

        ids = [m.strip() for m in metric_ids.split(",") if m.strip()]
        encoder = get_registry().get("encoders", h.default_encoder)()
        report["scores"] = values_of(score_pair(res.clip.frames, res.frames[:: res.fps_factor], ids, encoder))
        click.echo("scores: " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in report["scores"].items()))
    write_report(report_json, report)
    click.echo(f"wrote {out}: {', '.join(files)} ({'per-frame' if per_frame else 'DynODE'}; "
               + ", ".join(f"{k} {v:.2f} s" for k, v in report["seconds"].items()) + ")")


@click.command("demo")
@click.option("--out", "-o", default="demo", show_default=True, type=T.OUT, help="Output folder (written atomically).")
@click.option("--frames", "n_frames", type=T.DEMO_FRAMES, default=32, show_default=True, help="Clip length.")
@click.option("--edit", "edit_spec", default="colour=+1", show_default=True,
              help="Edit applied to frame 0: colour, lighting, background, shape (linear) or NAME-mapper (learned mapper).")
@click.option("--seed", type=T.SEED, default=0, show_default=True, help="Scene seed.")
@click.option("--inversion", type=click.Choice(["encoder", "few-step", "optimize"]), default="encoder", show_default=True,
              help="encoder: one pass, jittery codes like e4e/pSp (realistic); few-step: 10 Adam steps; optimize: 150 steps, clean codes.")
@click.option("--smooth/--no-smooth", default=True, show_default=True,
              help="DynODE returns its smooth trajectory (jitter of the per-frame codes dropped) instead of the observed codes.")
@click.option("--jitter", type=click.FloatRange(0, 1), default=None,
              help="Pixel noise each frame is inverted through [default: 0.12, toy.inverter.REALISTIC_JITTER: codes as "
                   "rough as real inversions]; 0 = clean.")
@force_option
def demo_cmd(out, n_frames, edit_spec, seed, inversion, smooth, jitter, force):
    """The toy world end to end: render, invert, fit, edit frame 0, propagate, render, score."""
    check_output_dir(out, "--out", [], force)
    from .demo import run_demo

    files = run_demo(out, n_frames=n_frames, edit_spec=edit_spec, seed=seed, inversion=inversion, smooth=smooth, jitter=jitter)
    click.echo(f"\nwrote {Path(out)}/:")  # Path: 'demo/' must not print as 'demo//'
    for name, what in files.items():
        click.echo(f"  {name:<24} {what}")
