"""``dynode lt``: Latent Transformer's latent_manipulation step, with DynODE in place of per-frame edits.

Kept light: torch, the dynamics model and the user's checkout are imported inside the
command bodies, so ``dynode --help`` and plugin discovery stay fast.
"""
from __future__ import annotations

import click

from dynode_plugin.cli import DynodeGroup
from dynode_plugin.dynamics.settings import dynamics_options
from dynode_plugin.edit_commands import dynamics_choice, run_options, write_report
from dynode_plugin.hosts import with_params

from . import options


@click.group("lt", cls=DynodeGroup)
def group() -> None:
    """Latent Transformer (github.com/InterDigitalInc/latent-transformer) from your own checkout.

    \b
    Replaces `video_processing.py --function latent_manipulation` (attribute model on
    every frame) by: attribute model on frame 0 only + DynODE propagation. It writes the
    same frame%04d.jpg folder, so reproject_manipulate / compare_frames run unchanged.
    Same flow as `dynode edit --host latent-transformer --input LATENTS_DIR --edit Smiling=1`.
    """


def _host(lt_root, config, log_path, **kw):
    from .host import LatentTransformerHost

    return LatentTransformerHost.from_options(lt_root=lt_root, config=config, log_path=log_path, **kw)


@group.command("attrs")
@with_params(options.CHECKOUT)
def attrs_cmd(lt_root, config, log_path):
    """List the attributes (number, name) and which have a trained model."""
    from . import layout

    host = _host(lt_root, config, log_path)
    for i, name in enumerate(layout.attribute_names(host.cfg)):
        have = layout.attr_model_path(host.log_dir, i).is_file()
        click.echo(f"{i:>3}  {name:<22} {'model' if have else '-'}")


@group.command("manipulate")
@with_params([options.ROOT])
@click.option("--latents-dir", required=True, type=click.Path(file_okay=False),
              help="Folder of latent_code_%05d.npy (1,18,512), e.g. outputs/video/<name>/<name>_crop_align_latent.")
@click.option("--attr", required=True, help="Attribute name or number (e.g. Smiling or 31); several: Smiling,Young.")
@click.option("--alpha", default="1.", show_default=True, help="Edit scale; several attributes: one value each, comma-separated.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="Output folder of frame%04d.jpg, e.g. outputs/video/<name>/<name>_crop_align_<Attr>.")
@with_params([options.CONFIG, options.LOG_PATH, options.STYLEGAN])
@click.option("--per-frame", is_flag=True, help="The original step: the attribute model on every frame.")
@with_params([options.LATENTS_OUT, options.NO_RENDER, options.DEVICE])
@click.option("--force", is_flag=True, help="Replace a non-empty --out folder / an existing --latents-out file.")
@dynamics_options
@run_options
def manipulate_cmd(lt_root, latents_dir, attr, alpha, out, config, log_path, per_frame, force, report_json, quiet, **kwargs):
    """Edit a video's latent codes with a Latent Transformer attribute model and render frame%04d.jpg."""
    from dynode_plugin.pipeline import run

    from . import editing, layout

    dynamics = dynamics_choice(kwargs)
    host = _host(lt_root, config, log_path, **kwargs)
    attrs = host.attributes(attr)
    alphas = layout.parse_alphas(alpha, len(attrs))
    result, _ = run(host, latents_dir, [(a.name, al) for a, al in zip(attrs, alphas)], out, per_frame=per_frame,
                    dynamics=dynamics, force=force, progress=not quiet)
    report = {
        **result.report(), "attrs": [a.name for a in attrs], "attr_nums": [a.num for a in attrs], "alphas": alphas,
        "out": str(out) if host.render else None, "latents_out": str(host.latents_out) if host.latents_out else None,
        "render_seconds_per_frame": result.seconds.get("render_per_frame"),
    }
    what = f"{len(result.clip)} frames to {out}" if host.render else f"{len(result.clip)} latents to {host.latents_out}"
    click.echo(f"{result.method}: {editing.describe(attrs, alphas)}; edit step {result.seconds['edit_step']:.2f} s; wrote {what}")
    write_report(report_json, report)
