"""``dynode batch``: edit many clips with one edit, locally or on Ray, resumable."""
from __future__ import annotations

import dataclasses
import sys

import click

from .. import cli_types as T
from ..dynamics.settings import dynamics_options
from ..edit_commands import HostCommand
from ..frame_selection import fps_factor_option, selection_options


@click.command("batch", cls=HostCommand)
@click.argument("manifest", type=T.FILE_IN)
@click.option("--host", default="toy", show_default=True,
              help="Host id (see `dynode plugins`): any host that reads and writes on its own; its options are added (--host ID --help).")
@click.option("--edit", "edit_spec", required=True, help="NAME=STRENGTH, e.g. colour=+2 (a manifest 'strength' column overrides it per clip).")
@click.option("--out", "-o", required=True, type=T.OUT, help="Output folder: source/, edited/, clips/<id>/record.json, summary.json.")
@click.option("--workers", type=T.WORKERS, default=1, show_default=True, help="Local worker processes (torch threads are split between them).")
@click.option("--ray-address", type=T.RAY_ADDRESS, default=None, help="Run clips as Ray tasks: 'auto', 'ray://host:10001', or 'local' (a Ray instance on this machine).")
@click.option("--resume", is_flag=True, help="Skip clips that already have an ok record; rerun failed or partial ones.")
@click.option("--per-frame", is_flag=True, help="Classic per-frame editing instead of DynODE (for comparisons).")
@click.option("--encoder", default=None, help="Identity encoder for TL-ID/TG-ID (default: the host's own, e.g. toy-appearance).")
@selection_options
@fps_factor_option
@click.option("--quiet", "-q", is_flag=True)
@dynamics_options
@click.pass_context
def batch_cmd(ctx, manifest, host, edit_spec, out, workers, ray_address, resume, per_frame, encoder, every, frames, max_gap,
              fps_factor, quiet, model_id, mode, **kwargs):
    """Edit every clip listed in MANIFEST (CSV: path[,id,strength,times]) with the same edit.

    Exit code 0 when every clip succeeded, 1 when some failed (see summary.json), 2 on bad input.
    """
    from ..dynamics.settings import given
    from ..hosts import get_host, parse_edit
    from .jobs import run_batch
    from .manifest import read_manifest
    from .runner import edit_clip
    from .summary import format_table, summarize, write_summary

    from ..frame_selection import SelectionSpec, check_per_frame

    from ..outputs import check_output_dir

    clips = read_manifest(manifest)  # validate everything before any work
    # a batch adds to its own folder (resume) but never writes where an input lies
    check_output_dir(out, "--out", [manifest] + [c.path for c in clips], force=False, allow_existing=True)
    spec = SelectionSpec.from_options(every, frames, max_gap)
    check_per_frame(per_frame, spec, fps_factor)
    name, strength = parse_edit(edit_spec)
    host_options = {k: kwargs.pop(k) for k in ctx.meta.get("host_options", [])}
    h = get_host(host, **host_options)
    h.check([(name, strength)])
    if workers < 1:
        from ..errors import DynodeInputError

        raise DynodeInputError("--workers must be >= 1")
    encoder = encoder or getattr(h, "default_encoder", None)
    settings = {"host": host, "host_options": host_options, "edit": name, "strength": strength, "per_frame": per_frame,
                "encoder": encoder, "model": model_id, "mode": mode, "dynamics": given(kwargs),
                "selection": dataclasses.asdict(spec), "fps_factor": fps_factor}
    result = run_batch(clips, edit_clip, settings, out, workers=workers, ray_address=ray_address, resume=resume, progress=not quiet)
    summary = summarize(result.records, settings, result.seconds, result.skipped)
    path = write_summary(out, summary)
    click.echo(format_table(summary))
    click.echo(f"wrote {path}")
    if result.failed:
        sys.exit(1)
