"""``dynode lt``: Latent Transformer's latent_manipulation step, with DynODE in place of per-frame edits.

Kept light: torch, the dynamics model and the user's checkout are imported inside the
command bodies, so ``dynode --help`` and plugin discovery stay fast.
"""
from __future__ import annotations

import click

from dynode_plugin.cli import DynodeGroup
from dynode_plugin.dynamics.settings import dynamics_options
from dynode_plugin.edit_commands import check_run_outputs, dynamics_choice, run_options, write_report
from dynode_plugin.frame_selection import fps_factor_option, selection_options
from dynode_plugin.cli_types import with_params

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
@fps_factor_option
@dynamics_options
@run_options
def manipulate_cmd(lt_root, latents_dir, attr, alpha, out, config, log_path, per_frame, force, fps_factor, report_json, quiet,
                   **kwargs):
    """Edit a video's latent codes with a Latent Transformer attribute model and render frame%04d.jpg.

    With --fps-factor F: (N - 1) * F + 1 frames from the same trajectory (frame i of the
    video is frame%04d.jpg number i * F); the fine layers of the in-between frames come from
    the fitted source trajectory, as every frame's own do from its code.
    """
    from dynode_plugin.core_commands import LATENT_OUT
    from dynode_plugin.frame_selection import SelectionSpec, check_per_frame

    from . import layout

    check_run_outputs(kwargs.get("save_model"), report_json, [latents_dir, kwargs.get("stylegan_model_path")], force,
                      [("--out", out)], [("--latents-out", kwargs.get("latents_out"), LATENT_OUT)])
    check_per_frame(per_frame, SelectionSpec(), fps_factor)
    dynamics = dynamics_choice(kwargs, force)
    host = _host(lt_root, config, log_path, **kwargs)
    from dynode_plugin.pipeline import run  # after the checkout and outputs are checked: these load torch

    from . import editing
    attrs = host.attributes(attr)
    alphas = layout.parse_alphas(alpha, len(attrs))
    result, _ = run(host, latents_dir, [(a.name, al) for a, al in zip(attrs, alphas)], out, per_frame=per_frame,
                    dynamics=dynamics, fps_factor=fps_factor, force=force, progress=not quiet)
    report = {
        **result.report(), "attrs": [a.name for a in attrs], "attr_nums": [a.num for a in attrs], "alphas": alphas,
        "out": str(out) if host.render else None, "latents_out": str(host.latents_out) if host.latents_out else None,
        "render_seconds_per_frame": result.seconds.get("render_per_frame"),
    }
    what = f"{len(result.edited)} frames to {out}" if host.render else f"{len(result.edited)} latents to {host.latents_out}"
    click.echo(f"{result.method}: {editing.describe(attrs, alphas)}; edit step {result.seconds['edit_step']:.2f} s; wrote {what}")
    write_report(report_json, report)


@group.command("encode")
@with_params([options.ROOT])
@click.option("--aligned-dir", required=True, type=click.Path(file_okay=False),
              help="LT's aligned frames (outputs/video/<name>/<name>_crop_align/); a missing index = no face found there.")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False),
              help="Folder of latent_code_%05d.npy for every frame (<name>_crop_align_latent/), written atomically.")
@click.option("--psp-model-path", type=click.Path(dir_okay=False), default=None,
              help="pSp checkpoint. Default: <lt-root>/pixel2style2pixel/pretrained_models/psp_ffhq_encode.pt.")
@selection_options
@click.option("--device", default="cpu", show_default=True, help="torch device for pSp (cpu, cuda).")
@click.option("--force", is_flag=True, help="Replace an existing --out folder.")
@dynamics_options
@run_options
def encode_cmd(lt_root, aligned_dir, out, psp_model_path, every, frames, max_gap, device, force, model_id, mode, save_model,
               refit, report_json, quiet, **kwargs):
    """Encode the aligned frames with pSp, 1 frame in K (--every K, --frames, --max-gap); the dynamics
    model writes the codes of every other frame, so latent_manipulation reads a complete folder."""
    import json
    import time
    from pathlib import Path

    from dynode_plugin.atomic import atomic_dir, atomic_path
    from dynode_plugin.dynamics.settings import given
    from dynode_plugin.errors import DynodeInputError
    from dynode_plugin.frame_selection import SelectionSpec, fill_latents

    from .host_imports import find_generator, validate_checkout

    from dynode_plugin.outputs import check_output_dir

    spec = SelectionSpec.from_options(every, frames, max_gap)
    inputs = [aligned_dir, psp_model_path]
    check_output_dir(out, "--out", inputs, force)  # never the aligned frames, even with --force
    # the encode step always fits: an existing --save-model is replaced, so it is an ordinary output here
    check_run_outputs(None, report_json, inputs, force, [("--out", out)], [("--save-model", save_model, (".dynode",))])
    out, aligned_dir = Path(out).resolve(), Path(aligned_dir).resolve()
    report_json = Path(report_json).resolve() if report_json else None
    if not lt_root:
        raise DynodeInputError(f"give --lt-root (your latent-transformer checkout) or set ${options.ROOT_ENV}")
    root = validate_checkout(lt_root)
    from . import encode  # after the checks: it loads torch
    files, n = encode.read_aligned_folder(aligned_dir)
    sel = spec.resolve(n, failed=[i for i in range(n) if i not in files])  # every check before pSp loads
    checkpoint = find_generator(root, Path(psp_model_path).resolve() if psp_model_path else None)
    net = encode.load_encoder(root, checkpoint, device=device)
    t0 = time.perf_counter()
    codes = encode.encode_frames(net, [files[i] for i in sel.selected], device=device)
    encode_s = time.perf_counter() - t0
    full, model, fit_s = fill_latents(codes, sel, model_id, given(kwargs), progress=not quiet)
    with atomic_dir(out) as tmp:
        encode.write_codes(full, tmp)
    if model is not None and save_model:
        model.save(save_model)
    click.echo(f"{sel.summary()}; pSp {encode_s:.1f} s" + (f", fit {fit_s:.1f} s" if model is not None else "")
               + f"; wrote {n} latent codes to {out}")
    if report_json:
        with atomic_path(report_json) as tmp:
            tmp.write_text(json.dumps({"selection": sel.report(), "seconds": {"encode": encode_s, "fit": fit_s},
                                       "model": model_id, "out": str(out)}, indent=2))
